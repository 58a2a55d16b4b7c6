"""Audience counters: detail-page views and outbound clicks (``/go/<id>``), per opportunity and month.

Rows live in ``opportunity_activity`` (``volunteer_hub.store.public_models``). The Prometheus
counter of redirects is incremented by ``search_app.ops``' request hook on every ``/go/``
redirect, so it is not touched here. Counting must stay cheap and must never stop a page:
callers catch and log errors.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime

from flask import request
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from search_app.services import services
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.textfold import slugify
from volunteer_hub.store.db import Database
from volunteer_hub.store.lock_wait import short_wait_session
from volunteer_hub.store.public_models import OpportunityActivity

log = logging.getLogger(__name__)

CLICK_WAIT_MS = 250  # a locked database delays a redirect by at most this much
# Clicks a locked database could not take yet, per (opportunity id, partner, org slug, month): added
# with this process's next click that gets through (lost only if the process ends before).
_unsaved_clicks: Counter[tuple[str, str, str, str]] = Counter()
_unsaved_lock = threading.Lock()

# Link checkers, prefetchers and search engine crawlers are not visitors.
_ROBOT_MARKERS = ("bot", "spider", "crawl", "slurp", "preview", "monitor", "curl", "wget", "python-requests")


def database() -> Database:
    return services()._database()  # noqa: SLF001 - the shared, lazily opened database


def current_month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def looks_automated() -> bool:
    """True for requests that are obviously not a person (robots, link previews, HEAD)."""
    if request.method != "GET":
        return True
    agent = (request.user_agent.string or "").lower()
    return not agent or any(marker in agent for marker in _ROBOT_MARKERS)


def _increment(opportunity: Opportunity, column: str, now: datetime | None = None) -> None:
    month = current_month(now)
    db = database()
    key = (OpportunityActivity.opportunity_id == opportunity.id) & (OpportunityActivity.month == month)
    bump = {column: getattr(OpportunityActivity, column) + 1}
    for _attempt in range(2):
        with db.session() as s:
            if s.execute(update(OpportunityActivity).where(key).values(**bump)).rowcount:
                s.commit()
                return
            s.add(
                OpportunityActivity(
                    opportunity_id=opportunity.id,
                    partner_id=opportunity.partner,
                    org_slug=slugify(opportunity.organization.name or ""),
                    month=month,
                    views=1 if column == "views" else 0,
                    clicks=1 if column == "clicks" else 0,
                )
            )
            try:
                s.commit()
                return
            except IntegrityError:  # another request created the month's row first: update it
                s.rollback()


def record_click(opportunity: Opportunity) -> None:
    """Count one outbound click before the redirect, waiting at most ``CLICK_WAIT_MS`` for a
    locked database; a click that cannot be written now is kept and written with a later one."""
    key = (opportunity.id, opportunity.partner, slugify(opportunity.organization.name or ""), current_month())
    with _unsaved_lock:
        _unsaved_clicks[key] += 1
        pending = dict(_unsaved_clicks)
        _unsaved_clicks.clear()
    try:
        with short_wait_session(database(), CLICK_WAIT_MS) as s:
            for (opp_id, partner, org_slug, month), n in pending.items():
                _add_clicks(s, opp_id, partner, org_slug, month, n)
            s.commit()
    except OperationalError:  # locked (or busy): keep the clicks for the next time
        with _unsaved_lock:
            _unsaved_clicks.update(pending)
        log.warning("database busy: %s click(s) kept in memory for later", sum(pending.values()))


def unsaved_clicks() -> int:
    """Clicks this process counted but could not write yet (the database was locked)."""
    with _unsaved_lock:
        return sum(_unsaved_clicks.values())


def _add_clicks(s: Session, opp_id: str, partner: str, org_slug: str, month: str, n: int) -> None:
    key = (OpportunityActivity.opportunity_id == opp_id) & (OpportunityActivity.month == month)
    if s.execute(
        update(OpportunityActivity).where(key).values(clicks=OpportunityActivity.clicks + n)
    ).rowcount:
        return
    try:
        with s.begin_nested():
            s.add(
                OpportunityActivity(
                    opportunity_id=opp_id,
                    partner_id=partner,
                    org_slug=org_slug,
                    month=month,
                    views=0,
                    clicks=n,
                )
            )
    except IntegrityError:  # another request created the month's row first: update it
        s.execute(update(OpportunityActivity).where(key).values(clicks=OpportunityActivity.clicks + n))


def record_view(opportunity: Opportunity) -> None:
    """Count one view of the opportunity's detail page."""
    _increment(opportunity, "views")


def organization_clicks(org_slug: str) -> int:
    """Visitors sent to the partner pages of an organization's opportunities, all time."""
    with database().session() as s:
        total = s.scalar(
            select(func.coalesce(func.sum(OpportunityActivity.clicks), 0)).where(
                OpportunityActivity.org_slug == org_slug
            )
        )
    return int(total or 0)


def activity(opportunity_id: str) -> dict[str, tuple[int, int]]:
    """``{"2026-11": (views, clicks), ...}`` for one opportunity."""
    with database().session() as s:
        rows = s.execute(
            select(OpportunityActivity.month, OpportunityActivity.views, OpportunityActivity.clicks)
            .where(OpportunityActivity.opportunity_id == opportunity_id)
            .order_by(OpportunityActivity.month)
        ).all()
    return {month: (views, clicks) for month, views, clicks in rows}
