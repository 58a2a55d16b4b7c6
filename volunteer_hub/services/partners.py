"""Partners: register, approve, reject, pause, resume, schedule, remove, and list them with their status.

The one place for each rule about a partner (its id, its format, its country, its schedule,
what removal takes away), used alike by the CLI (``volunteer-hub partners``), the operator
console, the partner portal's sign-up and the demo. A refused request raises ``PartnerError``
(or a subclass) whose message says why; each caller turns it into its own output (stderr and
exit 1, a flash message, a form error).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from volunteer_hub.core.cron import CRON_TIMEZONE, cron_error, normalise_cron, schedule_text
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import AlertIncident
from volunteer_hub.store.states import OpportunityState, PartnerStatus, RunStatus

if TYPE_CHECKING:
    from crawlers.discover import Discovery
    from indexer.base import SearchBackend
    from volunteer_hub.core.config import Settings

# The format registry (every parser), the indexer and direct posting are imported where they are
# needed: listing, moderating and scheduling partners stay quick to start from the command line.

AUTO_FORMAT = "auto"
PARTNER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
COUNTRY = re.compile(r"[A-Za-z]{2}")
MIN_INTERVAL, MAX_INTERVAL = 5, 60 * 24 * 30  # minutes between scheduled crawls


class PartnerError(ValueError):
    """A request about a partner that is refused; the message says why."""


class PartnerNotFound(PartnerError):
    def __init__(self, partner_id: str) -> None:
        super().__init__(f"no partner {partner_id!r}")
        self.partner_id = partner_id


class FormatNotDetected(PartnerError):
    """The partner's URL could not be read, or holds nothing crawlable; the message says why."""


class CronError(PartnerError):
    def __init__(self, expr: str, reason: str) -> None:
        super().__init__(f"invalid cron expression {expr!r}: {reason}")
        self.expr, self.reason = expr, reason


class CrawlRunning(PartnerError):
    """Removal waits for the partner's running crawl (it would write the listings back)."""


class IndexNotCleared(PartnerError):
    """Some listings could not be taken out of the search index; the partner stays, paused."""

    def __init__(self, partner_id: str, left: int) -> None:
        super().__init__(
            f"{partner_id}: its listings could not all be removed from the search index "
            f"({left} left); the partner is paused. Try again."
        )
        self.partner_id, self.left = partner_id, left


# -- rules -----------------------------------------------------------------------------------------
def partner_id_error(partner_id: str) -> str | None:
    if PARTNER_ID.fullmatch(partner_id):
        return None
    return "partner id must be lowercase letters, digits and dashes (max 63)"


def format_error(fmt: str) -> str | None:
    from crawlers.formats import FORMATS

    if fmt in (AUTO_FORMAT, *FORMATS):
        return None
    return f"unknown format {fmt!r} ({AUTO_FORMAT}, {', '.join(FORMATS)})"


def interval_error(minutes: int) -> str | None:
    if MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        return None
    return f"The interval must be a whole number of minutes between {MIN_INTERVAL} and {MAX_INTERVAL}."


def checked_cron(expr: str) -> str:
    """``expr`` in its stored form (single spaces), or CronError."""
    cron = normalise_cron(expr)
    error = cron_error(cron)
    if error:
        raise CronError(cron, error)
    return cron


def _checked_schedule(interval: int | None, cron: str | None) -> tuple[int | None, str | None]:
    if interval is not None and cron is not None:
        raise PartnerError("give an interval or a cron expression, not both")
    if interval is not None and (error := interval_error(interval)):
        raise PartnerError(error)
    return interval, checked_cron(cron) if cron is not None else None


def free_partner_id(name: str, taken: set[str]) -> str:
    """An id made from an organization's name (ASCII, dashes), not in ``taken``."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:40].strip("-") or "partner"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# -- registering -----------------------------------------------------------------------------------
def detect(
    url: str, settings: Settings, *, deadline: float | None = None, max_pages: int | None = None
) -> Discovery:
    """The format ``url`` serves and what was found there, read once to be pinned on the partner
    (``crawlers.discover``: a feed by its structure, a website by its schema.org pages found through
    its sitemaps and links); ``FormatNotDetected`` when nothing crawlable is there.

    ``deadline`` bounds the whole look-around, every fetch included (the crawl's download limits
    apply as well).
    """
    from crawlers.discover import DEADLINE, MAX_PAGES, DiscoveryError, discover
    from crawlers.fetch import FetchLimits

    seconds = DEADLINE if deadline is None else deadline
    try:
        return discover(
            url,
            allow_private=settings.allow_private_urls,
            limits=FetchLimits.of(settings, deadline=seconds),
            max_pages=MAX_PAGES if max_pages is None else max_pages,
            deadline=seconds,
            max_feed_bytes=settings.max_feed_bytes,
        )
    except DiscoveryError as exc:
        raise FormatNotDetected(str(exc)) from exc


@dataclass(frozen=True)
class Added:
    partner: Partner
    created: bool


def add(
    db: Database,
    partner_id: str,
    *,
    url: str,
    name: str | None = None,
    format: str = AUTO_FORMAT,  # noqa: A002 - the partner's field
    country: str | None = None,
    interval: int | None = None,
    cron: str | None = None,
    website: str | None = None,
    status: PartnerStatus = PartnerStatus.APPROVED,
) -> Added:
    """Register a partner feed, or update the one with this id (``status`` applies to a new one).

    ``name``, ``country``, ``website``, ``interval`` and ``cron`` change only when given; one schedule
    at a time: a cron replaces the interval, an interval clears the cron. Nothing is written when
    anything is refused.
    """
    if error := partner_id_error(partner_id):
        raise PartnerError(error)
    if error := format_error(format):
        raise PartnerError(error)
    if country is not None and not COUNTRY.fullmatch(country):
        raise PartnerError(f"country must be a two-letter ISO code (e.g. FR), not {country!r}")
    interval, cron = _checked_schedule(interval, cron)
    with db.session() as s, s.begin():
        partner = s.get(Partner, partner_id)
        created = partner is None
        if partner is None:
            partner = Partner(id=partner_id, name=name or partner_id, url=url, status=str(status))
            s.add(partner)
        partner.url = url
        partner.format = format
        if name:
            partner.name = name
        if country:
            partner.default_country = country.upper()
        if website:
            partner.website = website
        _apply_schedule(partner, interval, cron)
    return Added(partner, created)


@dataclass(frozen=True)
class SignUp:
    partner_id: str
    created: bool  # False: a partner with this feed URL is already registered


def sign_up(
    db: Database, *, name: str, contact_email: str, url: str = "", detected_format: str | None = None
) -> SignUp:
    """A pending partner from the portal's sign-up form, with an id made from its name.

    With a feed ``url``: its format is the one the validator detected (``auto`` when it is not a
    crawlable format), and a URL already registered creates nothing. Without one, the organization
    posts through the portal's form (format ``direct``).
    """
    from crawlers.formats import FORMATS
    from volunteer_hub.services.direct import DIRECT_FORMAT

    fmt = DIRECT_FORMAT if not url else detected_format if detected_format in FORMATS else AUTO_FORMAT
    with db.session() as s, s.begin():
        if url:
            existing = s.scalars(select(Partner.id).where(Partner.url == url)).first()
            if existing is not None:
                return SignUp(existing, created=False)
        partner_id = free_partner_id(name, set(s.scalars(select(Partner.id))))
        s.add(
            Partner(
                id=partner_id,
                name=name,
                url=url,
                contact_email=contact_email,
                status=str(PartnerStatus.PENDING),
                format=fmt,
            )
        )
    return SignUp(partner_id, created=True)


# -- moderation and schedule -----------------------------------------------------------------------
def _update(
    db: Database, partner_id: str, check: Callable[[Partner], None] | None = None, **values: object
) -> Partner:
    with db.session() as s, s.begin():
        partner = s.get(Partner, partner_id)
        if partner is None:
            raise PartnerNotFound(partner_id)
        if check is not None:
            check(partner)
        for field, value in values.items():
            setattr(partner, field, value)
    return partner


def approve(db: Database, partner_id: str) -> Partner:
    """Approved partners are crawled on their schedule (the scheduler picks it up within a minute)."""
    return _update(db, partner_id, status=str(PartnerStatus.APPROVED))


def reject(db: Database, partner_id: str) -> Partner:
    """Only a pending sign-up can be rejected; an approved partner is removed instead."""

    def pending(partner: Partner) -> None:
        if partner.status != PartnerStatus.PENDING:
            raise PartnerError("Only a pending partner can be rejected; remove an approved one instead.")

    return _update(db, partner_id, pending, status=str(PartnerStatus.REJECTED))


def pause(db: Database, partner_id: str) -> Partner:
    return _update(db, partner_id, paused=True)


def resume(db: Database, partner_id: str) -> Partner:
    return _update(db, partner_id, paused=False)


def schedule(
    db: Database, partner_id: str, *, interval: int | None = None, cron: str | None = None
) -> Partner:
    """Crawl on a cron expression (``CRON_TIMEZONE``) or every ``interval`` minutes (clears the cron)."""
    if interval is None and cron is None:
        raise PartnerError("give an interval or a cron expression")
    interval, cron = _checked_schedule(interval, cron)
    with db.session() as s, s.begin():
        partner = s.get(Partner, partner_id)
        if partner is None:
            raise PartnerNotFound(partner_id)
        _apply_schedule(partner, interval, cron)
    return partner


MAX_STALE_MONTHS = 120


def set_stale_after(db: Database, partner_id: str, months: int | None) -> Partner:
    """The partner's own "not updated for N months" staleness rule (services.staleness): N months
    instead of the global ``VOLUNTEER_HUB_STALE_NOT_UPDATED_MONTHS``; 0 switches the rule off for
    this partner, None goes back to the global setting. Applied at the next ``quality stale``."""
    if months is not None and not 0 <= months <= MAX_STALE_MONTHS:
        raise PartnerError(f"months must be between 0 and {MAX_STALE_MONTHS} (0 switches the rule off)")
    return _update(db, partner_id, stale_after_months=months)


def _apply_schedule(partner: Partner, interval: int | None, cron: str | None) -> None:
    if cron is not None:
        partner.cron = cron
    if interval is not None:
        partner.interval_minutes = interval
        partner.cron = None


# -- removal ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Removed:
    partner_id: str
    listings_removed: int  # documents taken out of the search index


def remove(db: Database, backend: SearchBackend, partner_id: str) -> Removed:
    """Take the partner's listings out of ``backend``, then delete the partner, its stored listings,
    its runs and its alerts from the database.

    The partner is paused first, so the scheduler stops at once even when the index write fails
    (``IndexNotCleared``: nothing else is deleted, and running it again finishes the job).
    Refused while one of its crawls runs (``CrawlRunning``), which would store the listings again.
    """
    from indexer.sync import push_pending

    now = datetime.now(UTC)
    with db.session() as s, s.begin():
        partner = s.get(Partner, partner_id)
        if partner is None:
            raise PartnerNotFound(partner_id)
        if _running(s, partner_id):
            raise CrawlRunning(
                f"{partner_id}: a crawl is running; wait for it to finish before removing the partner."
            )
        partner.paused = True
        s.execute(
            update(StoredOpportunity)
            .where(
                StoredOpportunity.partner_id == partner_id, StoredOpportunity.state != OpportunityState.GONE
            )
            .values(state=OpportunityState.GONE, gone_at=now)
        )
    counts = push_pending(db, backend, partner_id)
    if counts.index_failures:
        raise IndexNotCleared(partner_id, len(counts.index_failures))
    with db.session() as s, s.begin():
        s.execute(delete(AlertIncident).where(AlertIncident.partner_id == partner_id))
        s.execute(delete(StoredOpportunity).where(StoredOpportunity.partner_id == partner_id))
        s.execute(delete(CrawlRun).where(CrawlRun.partner_id == partner_id))
        s.execute(delete(Partner).where(Partner.id == partner_id))
    return Removed(partner_id, counts.removed)


def _running(s: Session, partner_id: str) -> bool:
    stmt = select(CrawlRun.id).where(CrawlRun.partner_id == partner_id, CrawlRun.status == RunStatus.RUNNING)
    return s.scalars(stmt.limit(1)).first() is not None


# -- listing ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PartnerOverview:
    """A partner with what an operator checks first: schedule, live listings, last run."""

    partner: Partner
    live: int
    last_run: CrawlRun | None
    schedule: str  # what the scheduler uses: the cron when valid, else the interval
    schedule_error: str | None  # why a stored cron is ignored

    @property
    def state(self) -> str:
        return "paused" if self.partner.paused else self.partner.status

    def to_dict(self) -> dict[str, object]:
        """The row of ``volunteer-hub partners list --json``."""
        p, last = self.partner, self.last_run
        return {
            "id": p.id,
            "name": p.name,
            "format": p.format,
            "url": p.url,
            "status": p.status,
            "paused": p.paused,
            "schedule": self.schedule,
            "interval_minutes": p.interval_minutes,
            "cron": p.cron,
            "cron_timezone": CRON_TIMEZONE if p.cron else None,
            "schedule_error": self.schedule_error,
            "stale_after_months": p.stale_after_months,
            "live": self.live,
            "last_run": last.status if last else None,
            "last_run_at": last.started_at.isoformat() if last else None,
        }


def list_partners(db: Database, partner_id: str | None = None) -> list[PartnerOverview]:
    """Every partner (or one) by id, with its live listing count and last run, in one query."""
    live = (
        select(StoredOpportunity.partner_id, func.count().label("n"))
        .where(StoredOpportunity.state == OpportunityState.LIVE)
        .group_by(StoredOpportunity.partner_id)
        .subquery()
    )
    last = select(CrawlRun.partner_id, func.max(CrawlRun.id).label("run_id")).group_by(CrawlRun.partner_id)
    last = last.subquery()
    stmt = (
        select(Partner, func.coalesce(live.c.n, 0), CrawlRun)
        .outerjoin(live, live.c.partner_id == Partner.id)
        .outerjoin(last, last.c.partner_id == Partner.id)
        .outerjoin(CrawlRun, CrawlRun.id == last.c.run_id)
        .order_by(Partner.id)
    )
    if partner_id is not None:
        stmt = stmt.where(Partner.id == partner_id)
    with db.session() as s:
        rows = s.execute(stmt).all()
    return [PartnerOverview(p, int(n), run, *schedule_text(p)) for p, n, run in rows]


def overview(db: Database, partner_id: str) -> PartnerOverview:
    rows = list_partners(db, partner_id)
    if not rows:
        raise PartnerNotFound(partner_id)
    return rows[0]
