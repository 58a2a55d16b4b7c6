"""The link checker: does each listing's detail URL (the target of ``/go/<id>``) still answer?

Polite by construction: every request goes through the guarded fetcher (``crawlers.fetch.probe``:
address policy, deadline, the project's User-Agent), each host's ``robots.txt`` is read first and
obeyed, one request at a time per host with ``link_check_delay`` seconds between two, and the
validators of the last answer are sent back (If-None-Match / If-Modified-Since), so an unchanged
page costs a 304.

A link is *dead* on a 404 or 410, a host name that does not resolve, or a redirect to a site's home
page; *alive* on a 2xx or 304; *unknown* otherwise (5xx, 403, a time-out, a refused connection,
robots.txt forbids it). A listing dead on two checks at least ``link_dead_after_hours`` apart
is hidden with the reason ``dead-link`` (``volunteer_hub.store.flags``); the first check that
finds it alive again brings it back.
"""

from __future__ import annotations

import threading
import time
import urllib.robotparser
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from crawlers.fetch import USER_AGENT, FetchError, FetchLimits, HostNotFound, Probe, fetch, probe
from volunteer_hub.core.config import Settings
from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.db import Database, LinkCheck, StoredOpportunity
from volunteer_hub.store.flags import HIDE, clear_flag, set_flag, settle
from volunteer_hub.store.states import OpportunityState

ALIVE, DEAD, UNKNOWN = "alive", "dead", "unknown"
DEAD_LINK = "dead-link"  # the reason code of a listing hidden by the link checker
DEAD_STATUSES = (404, 410)
ROBOTS_BYTES = 512 * 1024
CHECKED_STATES = (OpportunityState.LIVE, OpportunityState.SUPPRESSED)


@dataclass
class LinkResult:
    """One listing's check, as ``volunteer-hub links check --json`` prints it."""

    id: str
    partner: str
    url: str
    status: str  # alive / dead / unknown
    http_status: int | None
    checked_at: datetime
    detail: str | None = None
    hidden: bool = False  # hidden for a dead link after this check

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "partner": self.partner,
            "url": self.url,
            "status": self.status,
            "http_status": self.http_status,
            "checked_at": self.checked_at.isoformat(),
            "detail": self.detail,
            "hidden": self.hidden,
        }


@dataclass(frozen=True)
class Target:
    id: str
    partner: str
    url: str
    etag: str | None
    last_modified: str | None


def is_home_page(url: str) -> bool:
    """A site's home page: no path beyond "/" (or an index file), no query."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/").lower()
    return not parts.query and path in ("", "/index.html", "/index.php", "/fr", "/en", "/home", "/accueil")


def classify(url: str, answer: Probe | FetchError) -> tuple[str, int | None, str | None]:
    """(status, HTTP status, why) of a probe's outcome."""
    if isinstance(answer, HostNotFound):
        return DEAD, None, str(answer)
    if isinstance(answer, FetchError):
        return UNKNOWN, None, str(answer)
    if answer.status in DEAD_STATUSES:
        return DEAD, answer.status, f"the page answers HTTP {answer.status}"
    if answer.redirects and is_home_page(answer.url) and not is_home_page(url):
        return DEAD, answer.status, f"it redirects to the home page {answer.url}"
    if 200 <= answer.status < 300 or answer.status == 304:
        return ALIVE, answer.status, None
    return UNKNOWN, answer.status, f"the page answers HTTP {answer.status}"


def _http_url(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.hostname else None


def targets(db: Database, partner_ids: Sequence[str] | None = None) -> list[Target]:
    """Every shown (or suppressed) listing's detail URL, with its last validators."""
    with db.session() as s:
        stmt = select(StoredOpportunity.id, StoredOpportunity.partner_id, StoredOpportunity.data).where(
            StoredOpportunity.state.in_(CHECKED_STATES)
        )
        if partner_ids:
            stmt = stmt.where(StoredOpportunity.partner_id.in_(list(partner_ids)))
        rows = s.execute(stmt.order_by(StoredOpportunity.id)).all()
        previous = {c.opportunity_id: c for c in s.scalars(select(LinkCheck))}
    found = []
    for opp_id, partner, data in rows:
        url = _http_url((data or {}).get("url"))
        if url is None:
            continue
        last = previous.get(opp_id)
        same = last is not None and last.url == url
        found.append(
            Target(opp_id, partner, url, last.etag if same else None, last.last_modified if same else None)
        )
    return found


class _HostPolicy:
    """robots.txt and the delay of one host; used by one thread at a time."""

    def __init__(self, origin: str, settings: Settings, limits: FetchLimits) -> None:
        self.origin = origin
        self.settings = settings
        self.limits = limits
        self._robots: urllib.robotparser.RobotFileParser | None = None
        self._last = 0.0

    def wait(self) -> None:
        left = self._last + self.settings.link_check_delay - time.monotonic()
        if left > 0:
            time.sleep(left)
        self._last = time.monotonic()

    def allowed(self, url: str) -> bool:
        if self._robots is None:
            self._robots = urllib.robotparser.RobotFileParser()
            self.wait()
            try:
                body = fetch(
                    f"{self.origin}/robots.txt",
                    allow_private=self.settings.allow_private_urls,
                    limits=FetchLimits(self.limits.deadline, ROBOTS_BYTES),
                )
            except FetchError:
                body = b""  # no robots.txt (or none readable): everything is allowed
            self._robots.parse(body.decode("utf-8", "replace").splitlines())
        return self._robots.can_fetch(USER_AGENT, url)


def _check_host(
    items: list[Target], policy: _HostPolicy, clock: Callable[[], datetime]
) -> list[tuple[Target, str, int | None, str | None, Probe | None, datetime]]:
    out = []
    for target in items:
        if not policy.allowed(target.url):
            out.append((target, UNKNOWN, None, "robots.txt does not allow it", None, clock()))
            continue
        headers = {}
        if target.etag:
            headers["If-None-Match"] = target.etag
        if target.last_modified:
            headers["If-Modified-Since"] = target.last_modified
        policy.wait()
        answer: Probe | FetchError
        try:
            answer = probe(
                target.url,
                allow_private=policy.settings.allow_private_urls,
                limits=policy.limits,
                headers=headers,
            )
        except FetchError as exc:
            answer = exc
        status, http_status, detail = classify(target.url, answer)
        out.append(
            (target, status, http_status, detail, answer if isinstance(answer, Probe) else None, clock())
        )
    return out


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_links(
    db: Database,
    settings: Settings,
    partner_ids: Sequence[str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[LinkResult]:
    """Check the listings of ``partner_ids`` (all when None) now, record the outcome, hide the
    listings dead for long enough and bring back those that answer again. Push the changed
    listings to the index with ``indexer.sync.push_pending`` afterwards (the caller's job)."""
    clock = clock or (lambda: datetime.now(UTC))
    limits = FetchLimits(deadline=min(settings.link_check_timeout, settings.download_timeout), max_bytes=0)
    by_host: dict[str, list[Target]] = defaultdict(list)
    for target in targets(db, partner_ids):
        by_host[_origin(target.url)].append(target)
    lock = threading.Lock()
    checked: list[tuple[Target, str, int | None, str | None, Probe | None, datetime]] = []

    def run(origin: str) -> None:
        done = _check_host(by_host[origin], _HostPolicy(origin, settings, limits), clock)
        with lock:
            checked.extend(done)

    with ThreadPoolExecutor(max_workers=max(1, settings.link_check_hosts)) as pool:
        for future in [pool.submit(run, origin) for origin in sorted(by_host)]:
            future.result()
    dead_after = timedelta(hours=settings.link_dead_after_hours)
    results = [record(db, item, dead_after) for item in sorted(checked, key=lambda c: c[0].id)]
    return results


def record(
    db: Database,
    item: tuple[Target, str, int | None, str | None, Probe | None, datetime],
    dead_after: timedelta,
) -> LinkResult:
    """Store one check and apply it to its listing (hide, bring back, last verified)."""
    target, status, http_status, detail, answer, now = item
    hidden = False
    with db.session() as s, s.begin():
        row = s.get(StoredOpportunity, target.id)
        check = s.get(LinkCheck, target.id)
        if row is None:
            return LinkResult(target.id, target.partner, target.url, status, http_status, now, detail)
        if check is None or check.url != target.url:
            if check is not None:
                s.delete(check)
                s.flush()
            check = LinkCheck(opportunity_id=target.id, partner_id=target.partner, url=target.url)
            s.add(check)
        check.status, check.http_status, check.detail, check.checked_at = status, http_status, detail, now
        if answer is not None and status == ALIVE:
            if answer.status != 304:  # a 304 carries no new validators worth replacing the old ones with
                check.etag, check.last_modified = answer.etag, answer.last_modified
        if status == DEAD:
            check.dead_since = check.dead_since or now
            if now - aware(check.dead_since) >= dead_after:
                set_flag(row, DEAD_LINK, HIDE, detail or "", now)
        elif status == ALIVE:
            check.dead_since = None
            check.last_alive_at = now
            clear_flag(row, DEAD_LINK)
            _mark_verified(row, now)
        # unknown: no evidence either way; the listing stays as it is
        settle(row)  # the next push removes a hidden listing from the index, or writes it back
        hidden = row.state == OpportunityState.SUPPRESSED and DEAD_LINK in (row.flags or {})
    return LinkResult(target.id, target.partner, target.url, status, http_status, now, detail, hidden)


def _mark_verified(row: StoredOpportunity, now: datetime) -> None:
    """Write ``last_verified`` into the record; re-index it when the day changed (the API item,
    the detail page and the quality signal read it from the indexed record)."""
    data = dict(row.data or {})
    previous = data.get("last_verified")
    data["last_verified"] = now.isoformat()
    row.data = data
    if not previous or previous[:10] != now.isoformat()[:10]:
        row.indexed_hash = None


def dead_link_rates(db: Database) -> dict[str, dict[str, int]]:
    """Per partner: listings checked, dead, unknown and hidden for a dead link (console, metrics)."""
    rates: dict[str, dict[str, int]] = defaultdict(lambda: {"checked": 0, "dead": 0, "unknown": 0})
    with db.session() as s:
        stmt = (
            select(LinkCheck.partner_id, LinkCheck.status)
            .join(StoredOpportunity, StoredOpportunity.id == LinkCheck.opportunity_id)
            .where(StoredOpportunity.state.in_(CHECKED_STATES))
        )
        for partner, status in s.execute(stmt):
            rates[partner]["checked"] += 1
            if status in (DEAD, UNKNOWN):
                rates[partner][status] += 1
    return dict(rates)


def broken_links(db: Database, partner_id: str) -> list[dict[str, Any]]:
    """A partner's listings whose link was found dead at the last check (the portal's list)."""
    with db.session() as s:
        stmt = (
            select(LinkCheck, StoredOpportunity.data, StoredOpportunity.state)
            .join(StoredOpportunity, StoredOpportunity.id == LinkCheck.opportunity_id)
            .where(
                LinkCheck.partner_id == partner_id,
                LinkCheck.status == DEAD,
                StoredOpportunity.state.in_(CHECKED_STATES),
            )
            .order_by(LinkCheck.dead_since, LinkCheck.opportunity_id)
        )
        return [
            {
                "id": check.opportunity_id,
                "title": (data or {}).get("title") or "",
                "url": check.url,
                "http_status": check.http_status,
                "detail": check.detail,
                "dead_since": check.dead_since,
                "checked_at": check.checked_at,
                "hidden": state == OpportunityState.SUPPRESSED,
            }
            for check, data, state in s.execute(stmt)
        ]
