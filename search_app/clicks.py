"""Audience counters: detail-page views and outbound clicks (``/go/<id>``), per opportunity and month.

Rows live in ``opportunity_activity`` (``volunteer_hub.store.public_models``). The Prometheus
counter of redirects is incremented by ``search_app.ops``' request hook on every ``/go/``
redirect, so it is not touched here. Counting must stay cheap and must never stop a page:
callers catch and log errors.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from search_app.services import services
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.textfold import slugify
from volunteer_hub.store.db import Database
from volunteer_hub.store.public_models import OpportunityActivity

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
            s.add(OpportunityActivity(
                opportunity_id=opportunity.id,
                partner_id=opportunity.partner,
                org_slug=slugify(opportunity.organization.name or ""),
                month=month,
                views=1 if column == "views" else 0,
                clicks=1 if column == "clicks" else 0,
            ))
            try:
                s.commit()
                return
            except IntegrityError:  # another request created the month's row first: update it
                s.rollback()


def record_click(opportunity: Opportunity) -> None:
    """Count one outbound click, before the redirect to the partner's page."""
    _increment(opportunity, "clicks")


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
