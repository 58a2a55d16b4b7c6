"""Operations tables: scheduler heartbeat, search index state (``store.index_state``), operators,
rate limits (login throttling too), alert incidents, partner sign-in links.

The process crawling a run is recorded on the run itself (``volunteer_hub.store.runs``); the
``crawl_process`` table of earlier versions is no longer written.

They share ``volunteer_hub.store.db.Base``, so ``Database(...)`` creates them with the rest of the
schema (``volunteer_hub/store/db.py`` imports this module).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from volunteer_hub.core.timeutil import aware as aware  # re-exported: SQLite drops tzinfo
from volunteer_hub.store.tables import Base, utcnow


class SchedulerHeartbeat(Base):
    """One row per scheduler process name (normally just ``scheduler``), refreshed every few seconds."""

    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    jobs: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds between beats: the console and /healthz call the scheduler dead after 3 missed beats.
    interval_seconds: Mapped[int] = mapped_column(Integer, default=30)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Operator(Base):
    """A console user. Created from the CLI only (``volunteer-hub operators add EMAIL``)."""

    __tablename__ = "operator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # No longer read: logins are throttled per address (``store.login_throttle``) (an account is never
    # locked). Kept because existing databases have ``failed_logins`` NOT NULL.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Copied into the session at login and compared on every console request: logout and a
    # password reset bump it, which ends every session of the operator. Server default: added in
    # place to existing databases.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RateBucket(Base):
    """One client's token bucket of one rate limit (``volunteer_hub.store.rate_limit``: the site's
    limits and the console's login throttling): in the database so that every web worker process
    spends the same tokens. ``key`` is ``<limit name>:<client>``; ``updated`` is seconds since the
    epoch. (The ``login_throttle`` table of earlier versions is no longer written.)"""

    __tablename__ = "rate_bucket"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[float] = mapped_column(Float)


class AlertIncident(Base):
    """An open (or resolved) alert about one partner: failing / shrink-guarded / stale."""

    __tablename__ = "alert_incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # "<partner>:<kind>" while open, NULL once resolved: at most one open incident per partner and kind.
    open_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    # When the webhook accepted the alert / the recovery notice (None: not yet delivered).
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recovery_notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Channels that accepted each notice, e.g. ["alert:webhook", "alert:email", "recovery:webhook"].
    delivered: Mapped[list[str]] = mapped_column(JSON, default=list)


class PartnerAccess(Base):
    """A single-use login link for a partner's portal (only the token's SHA-256 is stored)."""

    __tablename__ = "partner_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IndexState(Base):
    """The live generation of one search backend and its document count when last written."""

    __tablename__ = "index_state"

    backend_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    generation: Mapped[str | None] = mapped_column(String(300), nullable=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
