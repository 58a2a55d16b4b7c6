"""The alert digests: each confirmed alert that is due gets the listings of its search first seen
since its last digest, in the subscriber's language (``volunteer-hub alerts send``, run daily by
the scheduler).

"New" is ``Opportunity.first_seen`` (when this site first stored the listing) after the alert's
``since``; the search itself is the site's (``search_app.filters``), newest first, scanned up to
``SCAN_LIMIT`` results. An alert with nothing new gets no mail; ``since`` moves on either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask, render_template, url_for
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select

from search_app.alert_mail import (
    compose,
    deliver,
    parse_alert_search,
    search_links,
    unavailable_reason,
    unsubscribe_url,
)
from search_app.display import aware, date_range, place_labels
from search_app.params import ParameterError
from search_app.search_title import search_title
from search_app.services import backend, services
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.ops_config import load_ops_config
from volunteer_hub.store.alerts_models import FREQUENCIES, SearchAlert

log = logging.getLogger(__name__)

# An alert is due when its last digest is at least this old (a little under the period, so a
# scheduler run a few minutes early does not skip a day).
DUE_AFTER = {"daily": timedelta(hours=20), "weekly": timedelta(days=6, hours=20)}
PAGE_SIZE = 100
SCAN_LIMIT = 500  # results of a search read per digest
MAX_ITEMS = 20  # listings shown in one mail; the rest through the search link


class AlertsUnavailable(RuntimeError):
    """No public URL or no SMTP server: links or mail cannot be made."""


@dataclass
class DigestReport:
    due: int = 0
    sent: int = 0
    failed: int = 0


def new_listings(query: str, lang: str, since: datetime, now: datetime) -> list[Opportunity]:
    """The listings of the alert's search first seen after ``since`` (and not after ``now``)."""
    parsed = parse_alert_search(query, lang)
    search = parsed.query
    search.sort, search.per_page, search.now = "newest", PAGE_SIZE, now
    found: list[Opportunity] = []
    for page in range(1, SCAN_LIMIT // PAGE_SIZE + 1):
        search.page = page
        result = backend().search(search)
        for hit in result.hits:
            seen = aware(hit.opportunity.first_seen) if hit.opportunity.first_seen else None
            if seen is not None and since < seen <= now:
                found.append(hit.opportunity)
        if len(result.hits) < PAGE_SIZE:
            break
    return found


def _item(opp: Opportunity) -> dict[str, str]:
    where = " · ".join(
        p for p in ((gettext("Remote") if opp.remote else ""), ", ".join(place_labels(opp)[:2])) if p
    )
    return {
        "title": opp.title,
        "organization": opp.organization.name or "",
        "where": where,
        "when": date_range(opp) or "",
        "url": url_for("public.detail", opportunity_id=opp.id, _external=True),
    }


def send_digests(app: Flask, frequency: str | None = None, now: datetime | None = None) -> DigestReport:
    """Send every due digest (of ``frequency``, or both).

    Raises ``AlertsUnavailable`` without a public URL or an SMTP server."""
    now = now or datetime.now(UTC)
    frequencies = (frequency,) if frequency else FREQUENCIES
    report = DigestReport()
    public_url = app.extensions["volunteer_hub"].settings.public_url
    with app.test_request_context("/", base_url=public_url or "http://localhost/"):
        reason = unavailable_reason()
        if reason is not None:
            raise AlertsUnavailable(reason)
        cfg = load_ops_config()
        db = services()._database()  # noqa: SLF001
        with db.session() as s:
            alerts = list(
                s.scalars(
                    select(SearchAlert)
                    .where(SearchAlert.confirmed_at.is_not(None), SearchAlert.frequency.in_(frequencies))
                    .order_by(SearchAlert.id)
                )
            )
            s.expunge_all()
        for alert in alerts:
            since = aware(alert.since or alert.confirmed_at)
            if since is None or now - since < DUE_AFTER[alert.frequency]:
                continue
            report.due += 1
            outcome = _digest(cfg, alert, since, now)
            if outcome is False:
                report.failed += 1
                continue  # ``since`` stays: the next run sends these listings again
            report.sent += outcome is True
            with db.session() as s, s.begin():
                row = s.get(SearchAlert, alert.id)
                if row is not None:
                    row.since = now
                    if outcome:
                        row.last_sent_at = now
    log.info("alert digests: %s due, %s sent, %s failed", report.due, report.sent, report.failed)
    return report


def _digest(cfg, alert: SearchAlert, since: datetime, now: datetime) -> bool | None:  # noqa: ANN001
    """Send one digest: True when sent, None when nothing was new, False when it failed."""
    with force_locale(alert.lang):
        try:
            listings = new_listings(alert.query, alert.lang, since, now)
            title = search_title(parse_alert_search(alert.query, alert.lang), alert.lang)
        except ParameterError as err:  # the site no longer reads this search (a place removed...)
            log.warning("alert %s: search no longer valid (%s); skipped", alert.id, err)
            return None
        if not listings:
            return None
        body = render_template(
            "alerts/digest_mail.txt",
            title=title,
            items=[_item(opp) for opp in listings[:MAX_ITEMS]],
            more=max(0, len(listings) - MAX_ITEMS),
            links=search_links(alert.query, alert.lang),
            unsubscribe_url=unsubscribe_url(alert),
        )
        subject = ngettext(
            "%(num)s new mission: %(title)s", "%(num)s new missions: %(title)s", len(listings), title=title
        )
    return deliver(cfg, compose(cfg, alert, subject, body, unsubscribe=True))
