"""The core tables: partners, crawl runs and the stored opportunities (the source of truth).

The search index is derived from ``stored_opportunity`` and can be rebuilt from it at any
time; a search backend outage therefore never loses crawl results. Other tables live beside
this module (``ops_models``, ``public_models``, ``direct_models``) on the same ``Base``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.states import GOOD_STATUSES, OpportunityState, PartnerStatus, RunStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Partner(Base):
    __tablename__ = "partner"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32), default="auto")
    status: Mapped[str] = mapped_column(String(16), default=PartnerStatus.APPROVED)  # a PartnerStatus
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=360)
    # Crontab expression (Europe/Paris time) used by the scheduler instead of the interval when set.
    cron: Mapped[str | None] = mapped_column(String(120), nullable=True)
    website: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Country assumed for places without one (e.g. "FR" for a French partner's RSS feed).
    default_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # category (folded) -> cause code overrides for this partner's feed
    cause_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Conditional GET state, so an unchanged feed costs one 304.
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    # This partner's own "not updated for N months" staleness rule (None: the global setting).
    stale_after_months: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CrawlRun(Base):
    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual / schedule
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.RUNNING, index=True)  # a RunStatus
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    format: Mapped[str | None] = mapped_column(String(32), nullable=True)
    seen: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    indexed: Mapped[int] = mapped_column(Integer, default=0)
    # Items already over when read (stored as expired, never shown); None on runs before it was counted.
    expired_on_arrival: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # At the run's end, the partner's shown-or-suppressed listings a staleness rule holds for, and
    # those whose link was dead at its last check (volunteer_hub.store.flags); None on older runs.
    stale: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dead_links: Mapped[int | None] = mapped_column(Integer, nullable=True)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    # reason -> count, and a list of {"item", "field", "message"} (bounded)
    rejected_by_reason: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it failed / was guarded
    log_file: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The lease of a running run (``volunteer_hub.store.runs``): the process crawling it, and until
    # when it is presumed alive; the crawling process renews the lease while it works.
    host: Mapped[str | None] = mapped_column(String(255), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def duration_seconds(self) -> float | None:
        if not self.finished_at:
            return None
        return (aware(self.finished_at) - aware(self.started_at)).total_seconds()

    @property
    def ok(self) -> bool:
        return self.status in GOOD_STATUSES


class StoredOpportunity(Base):
    __tablename__ = "stored_opportunity"
    # Covers the grouping pass run before every push (live rows by blocking key, partners).
    __table_args__ = (Index("ix_stored_opportunity_grouping", "state", "group_key", "partner_id"),)

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # Opportunity.to_dict()
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # an OpportunityState (live / gone / hidden / expired; volunteer_hub.store.states)
    state: Mapped[str] = mapped_column(String(12), default=OpportunityState.LIVE, index=True)
    gone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The content hash last written to the search index; differs from content_hash when a
    # write is pending (e.g. the backend was down), so the next sync retries it.
    indexed_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    expiry: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    # Cross-partner copies (volunteer_hub.core.identity): the blocking key ("" when the record is too
    # vague to match, NULL when not computed yet), the canonical record this one is a copy of
    # (copies are kept but not indexed), and on a canonical record a digest of its copies, so
    # a change among them re-indexes it (volunteer_hub.store.grouping).
    group_key: Mapped[str | None] = mapped_column(String(20), nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(96), nullable=True, index=True)
    sources_hash: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # Automatic rules that hold for this record (volunteer_hub.store.flags): reason code ->
    # {"action": "hide" | "flag", "detail": ..., "since": ISO date}. A hiding one makes it "suppressed".
    flags: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # An operator's decision on those rules: "shown" (no rule hides it) or None.
    flag_override: Mapped[str | None] = mapped_column(String(16), nullable=True)


class LinkCheck(Base):
    """The last check of a listing's detail URL (the target of ``/go/<id>``), one row per listing."""

    __tablename__ = "link_check"

    opportunity_id: Mapped[str] = mapped_column(
        ForeignKey("stored_opportunity.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))  # alive / dead / unknown
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # why dead or unknown
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The first check of the current run of "dead" answers (None unless dead): hidden a day later.
    dead_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_alive_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Validators of the last answer, sent back as a conditional request (If-None-Match, If-Modified-Since).
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
