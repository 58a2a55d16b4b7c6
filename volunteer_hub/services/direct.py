"""Direct posting: organizations without a feed post their opportunities through a portal form.

A posting is stored as the form's values (``direct_posting.data``) and turned into an
``Opportunity`` by the same normalizer as every feed (``RawOpportunity`` ->
``crawlers.normalize.normalize``). Its status is ``pending`` (the partner's first postings wait
for an operator), ``published`` (written to ``stored_opportunity`` through ``PartnerSync.store``
and pushed to the index), ``closed`` (the listing is marked gone and removed from the index) or
``rejected``. Published postings expire like any listing (``index expire``); a daily job
e-mails the organization ``REMINDER_DAYS`` before that (``send_expiry_reminders``).

The ``direct_posting`` table is part of the baseline migration (``volunteer_hub/store/migrations``);
a partner posts directly when its ``format`` is ``"direct"`` (no feed to crawl).
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from indexer.base import SearchBackend
from indexer.sync import push_pending
from volunteer_hub.core.mail import send_mail
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.db import Database, Partner, StoredOpportunity, utcnow
from volunteer_hub.store.direct_models import DirectPosting
from volunteer_hub.store.partner_sync import PartnerSync, SyncCounts
from volunteer_hub.store.states import OpportunityState, PostingStatus

log = logging.getLogger(__name__)

DIRECT_FORMAT = "direct"
VALIDITY_DAYS = 90  # a posting without an end date expires after this, renewable
REMINDER_DAYS = 7
FIELDS = (
    "title",
    "description",
    "organization",
    "causes",
    "places",
    "remote",
    "start",
    "end",
    "ongoing",
    "url",
    "skills",
    "min_age",
    "expires",
)
_POSTAL = re.compile(r"\b(\d{5})\b")


def is_direct(partner: Partner | None) -> bool:
    return partner is not None and partner.format == DIRECT_FORMAT


def new_posting_id() -> str:
    return f"d{secrets.token_hex(8)}"


# -- form values -> Opportunity ----------------------------------------------------------------
def parse_places(text: str) -> list[RawLocation]:
    """One place a line: "Rennes 35000", "35000 Rennes", "Rennes (35000)", or a city alone."""
    places = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _POSTAL.search(line)
        postal = match.group(1) if match else None
        city = _POSTAL.sub(" ", line).replace("(", " ").replace(")", " ").strip(" ,;-")
        places.append(RawLocation(city=" ".join(city.split()) or None, postal_code=postal))
    return places


def default_expires(today: date | None = None) -> str:
    return ((today or datetime.now(UTC).date()) + timedelta(days=VALIDITY_DAYS)).isoformat()


def to_raw(posting_id: str, data: dict[str, Any]) -> RawOpportunity:
    """The form's values as a raw record, like any format parser produces."""
    ongoing = bool(data.get("ongoing"))
    return RawOpportunity(
        source_id=posting_id,
        title=data.get("title") or None,
        description=data.get("description") or None,
        url=data.get("url") or None,
        organization_name=data.get("organization") or None,
        categories=list(data.get("causes") or []),
        locations=parse_places(data.get("places") or ""),
        remote=bool(data.get("remote")),
        start=data.get("start") or None,
        end=None if ongoing else (data.get("end") or None),
        open_ended=ongoing or None,
        expires=data.get("expires") or None,
        skills=[s.strip() for s in re.split(r"[,;\n]", data.get("skills") or "") if s.strip()],
        min_age=data.get("min_age") or None,
    )


def build(
    partner: Partner, posting_id: str, data: dict[str, Any], now: datetime | None = None
) -> tuple[Opportunity | None, list[ParseProblem]]:
    """Normalize the form's values with the crawler's rules; extra checks a form needs on top."""
    problems: list[ParseProblem] = []
    min_age = (data.get("min_age") or "").strip()
    if min_age and (not min_age.isdigit() or not 0 < int(min_age) < 100):
        problems.append(ParseProblem("the minimum age must be a whole number of years", field="min_age"))
    start, end = data.get("start") or "", data.get("end") or ""
    if start and end and not data.get("ongoing") and end < start:
        problems.append(ParseProblem("the end date is before the start date", field="end"))
    today = (now or datetime.now(UTC)).date().isoformat()
    if end and not data.get("ongoing") and end < today:
        problems.append(ParseProblem("the end date is in the past", field="end"))
    ctx = NormalizeContext(
        partner=partner.id,
        default_country=partner.default_country or "FR",
        cause_overrides=dict(partner.cause_overrides or {}),
        now=now or datetime.now(UTC),
    )
    opp, found = normalize(to_raw(posting_id, data), ctx)
    problems += found
    if any(p.severity == "error" for p in problems):
        return None, problems
    return opp, problems


# -- publishing ----------------------------------------------------------------------------------
def publish(db: Database, backend: SearchBackend, partner: Partner, posting: DirectPosting) -> SyncCounts:
    """Store the posting's opportunity (source of truth) and push it to the search index."""
    opp, problems = build(partner, posting.id, posting.data)
    if opp is None:
        raise ValueError("; ".join(p.message for p in problems if p.severity == "error"))
    PartnerSync(db, partner.id).store([opp])
    with db.session() as s, s.begin():
        row = s.get(DirectPosting, posting.id)
        assert row is not None
        row.status, row.opportunity_id, row.updated_at = PostingStatus.PUBLISHED, opp.id, utcnow()
    posting.status, posting.opportunity_id = PostingStatus.PUBLISHED, opp.id
    return push_pending(db, backend, partner.id)


def close(db: Database, backend: SearchBackend, posting: DirectPosting) -> SyncCounts:
    """Take the listing down: the stored row becomes gone, and the removal is pushed."""
    now = utcnow()
    with db.session() as s, s.begin():
        row = s.get(DirectPosting, posting.id)
        assert row is not None
        row.status, row.updated_at = PostingStatus.CLOSED, now
        if row.opportunity_id:
            s.execute(
                update(StoredOpportunity)
                .where(
                    StoredOpportunity.id == row.opportunity_id,
                    StoredOpportunity.state != OpportunityState.GONE,
                )
                .values(state=OpportunityState.GONE, gone_at=now)
            )
    posting.status = PostingStatus.CLOSED
    return push_pending(db, backend, posting.partner_id)


def renewed(data: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """The values extended by ``VALIDITY_DAYS`` from the later of today and the current expiry."""
    today = today or datetime.now(UTC).date()
    current = max(
        filter(None, (data.get("expires"), None if data.get("ongoing") else data.get("end"))), default=""
    )
    base = max(today, date.fromisoformat(current[:10])) if current else today
    new = (base + timedelta(days=VALIDITY_DAYS)).isoformat()
    out = {**data, "expires": new}
    if out.get("end") and not out.get("ongoing"):
        out["end"] = new
    return out


def save(db: Database, posting: DirectPosting, data: dict[str, Any], reset_reminder: bool = False) -> None:
    with db.session() as s, s.begin():
        row = s.get(DirectPosting, posting.id)
        if row is None:
            posting.data = data
            s.add(posting)
            return
        row.data, row.updated_at = data, utcnow()
        if reset_reminder:
            row.expires_reminded_at = row.reminder_status = None
    posting.data = data


def needs_approval(db: Database, partner_id: str) -> bool:
    """A partner's postings wait for an operator until one of them has been approved."""
    with db.session() as s:
        approved = s.scalars(
            select(DirectPosting.id).where(
                DirectPosting.partner_id == partner_id,
                DirectPosting.status.in_((PostingStatus.PUBLISHED, PostingStatus.CLOSED)),
            )
        ).first()
    return approved is None


def postings(db: Database, partner_id: str) -> list[DirectPosting]:
    with db.session() as s:
        return list(
            s.scalars(
                select(DirectPosting)
                .where(DirectPosting.partner_id == partner_id)
                .order_by(DirectPosting.created_at.desc())
            )
        )


def pending_postings(db: Database) -> list[DirectPosting]:
    with db.session() as s:
        return list(
            s.scalars(
                select(DirectPosting)
                .where(DirectPosting.status == PostingStatus.PENDING)
                .order_by(DirectPosting.created_at)
            )
        )


# -- expiry reminders ----------------------------------------------------------------------------
@dataclass
class Reminder:
    posting: DirectPosting
    partner: Partner
    title: str
    expiry: datetime


def due_reminders(db: Database, now: datetime | None = None) -> list[Reminder]:
    """Published, live postings expiring within ``REMINDER_DAYS``, not reminded since their last renewal."""
    now = now or datetime.now(UTC)
    horizon = now + timedelta(days=REMINDER_DAYS)
    with db.session() as s:
        rows = s.execute(
            select(DirectPosting, StoredOpportunity, Partner)
            .join(StoredOpportunity, StoredOpportunity.id == DirectPosting.opportunity_id)
            .join(Partner, Partner.id == DirectPosting.partner_id)
            .where(
                DirectPosting.status == PostingStatus.PUBLISHED,
                DirectPosting.expires_reminded_at.is_(None),
                StoredOpportunity.state == OpportunityState.LIVE,
                StoredOpportunity.expiry.is_not(None),
                StoredOpportunity.expiry > now,
                StoredOpportunity.expiry <= horizon,
            )
        ).all()
    return [
        Reminder(posting, partner, (stored.data or {}).get("title") or posting.id, aware(stored.expiry))
        for posting, stored, partner in rows
    ]


def send_expiry_reminders(db: Database, cfg: Any, now: datetime | None = None, portal_url: str = "") -> int:
    """E-mail each due reminder (the alerts' SMTP settings); without SMTP, log it and record it as logged.

    A failed e-mail is retried the next day (nothing is recorded). Returns reminders handled.
    """
    handled = 0
    if not portal_url and getattr(cfg, "public_url", None):
        portal_url = f"{cfg.public_url}/partners/postings"
    for reminder in due_reminders(db, now):
        status = "logged"
        if cfg.smtp_host and reminder.partner.contact_email:
            if not _send_reminder(cfg, reminder, portal_url):
                continue
            status = "sent"
        else:
            log.warning(
                "expiry reminder for %s (%s, expires %s) not e-mailed: no SMTP or no contact address",
                reminder.posting.id,
                reminder.partner.id,
                f"{reminder.expiry:%Y-%m-%d}",
            )
        with db.session() as s, s.begin():
            row = s.get(DirectPosting, reminder.posting.id)
            if row is not None:
                row.expires_reminded_at, row.reminder_status = now or datetime.now(UTC), status
        handled += 1
    return handled


def _send_reminder(cfg: Any, reminder: Reminder, portal_url: str) -> bool:
    message = EmailMessage()
    message["Subject"] = f"Volunteer Hub: « {reminder.title} » expire bientôt / expires soon"
    message["From"] = cfg.alert_email_from
    message["To"] = reminder.partner.contact_email
    day = f"{reminder.expiry:%Y-%m-%d}"
    message.set_content(
        f"Bonjour / Hello {reminder.partner.name},\n\n"
        f"Votre annonce « {reminder.title} » expire le {day}. Renouvelez-la depuis votre espace partenaire.\n"
        f"Your listing “{reminder.title}” expires on {day}. Renew it from your partner space.\n"
        + (f"\n{portal_url}\n" if portal_url else "")
    )
    try:
        send_mail(cfg, message, timeout=20)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("expiry reminder e-mail for %s failed: %s (will retry)", reminder.posting.id, exc)
        return False
