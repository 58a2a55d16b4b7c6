"""Partner health: the rules that say whether a partner's feed is ok, failing, stale...

``partner_health`` classifies a partner (the console, the partner's portal, the alerts);
``Health.conditions`` are the alert kinds currently true, which ``volunteer_hub.services.alerts``
turns into incidents and notices. Nothing here notifies anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select

from volunteer_hub.core.cron import cron_longest_gap, schedule_text
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.ops_models import aware
from volunteer_hub.store.states import FAILED_STATUSES, GOOD_STATUSES, PartnerStatus, RunStatus


class HealthState(StrEnum):
    """Every state ``partner_health`` gives a partner."""

    FAILING = "failing"
    SHRINK_GUARDED = "shrink-guarded"
    STALE = "stale"
    PENDING = "pending"
    PAUSED = "paused"
    NEW = "new"
    OK = "ok"
    DIRECT = "direct"
    REJECTED = "rejected"


class AlertKind(StrEnum):
    """The conditions that open an alert incident."""

    FAILING = "failing"
    SHRINK_GUARDED = "shrink-guarded"
    STALE = "stale"


@dataclass
class Health:
    """One partner's state as the console shows it."""

    state: HealthState
    reasons: list[str] = field(default_factory=list)
    consecutive_failures: int = 0
    last_run: CrawlRun | None = None
    last_good_at: datetime | None = None
    conditions: set[AlertKind] = field(default_factory=set)  # alert kinds currently true
    schedule_error: str | None = None  # the stored cron is invalid: the interval is used instead


def _recent_runs(db: Database, partner_id: str, limit: int = 50) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(
                select(CrawlRun)
                .where(CrawlRun.partner_id == partner_id, CrawlRun.status != RunStatus.RUNNING)
                .order_by(CrawlRun.id.desc())
                .limit(limit)
            )
        )


def _last_good_at(db: Database, partner_id: str) -> datetime | None:
    with db.session() as s:
        run = s.scalars(
            select(CrawlRun)
            .where(CrawlRun.partner_id == partner_id, CrawlRun.status.in_(GOOD_STATUSES))
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).first()
    return aware(run.finished_at or run.started_at) if run else None


def partner_health(db: Database, partner: Partner, cfg: OpsConfig, now: datetime | None = None) -> Health:
    """Classify ``partner``: pending, rejected, paused, failing, shrink-guarded, stale, new or ok."""
    now = now or datetime.now(UTC)
    runs = _recent_runs(db, partner.id)
    failures = 0
    for run in runs:
        if run.status not in FAILED_STATUSES:
            break
        failures += 1
    last = runs[0] if runs else None
    last_good = _last_good_at(db, partner.id)
    expected, schedule, schedule_error = _expected_gap(partner, cfg)
    health = Health(
        HealthState.OK,
        consecutive_failures=failures,
        last_run=last,
        last_good_at=last_good,
        schedule_error=schedule_error,
    )

    conditions: set[AlertKind] = set()
    if failures >= max(1, cfg.alert_failures):
        conditions.add(AlertKind.FAILING)
    if last is not None and last.status == RunStatus.SHRINK_GUARDED:
        conditions.add(AlertKind.SHRINK_GUARDED)
    reference = last_good or aware(partner.created_at) or now
    if now - reference > 2 * expected:
        conditions.add(AlertKind.STALE)
    # Direct-posting partners (no feed) are never crawled: no crawl alerts for them.
    active = partner.status == PartnerStatus.APPROVED and not partner.paused and partner.format != "direct"
    health.conditions = conditions if active else set()

    if partner.status == PartnerStatus.PENDING:
        health.state, health.reasons = HealthState.PENDING, ["waiting for an operator's approval"]
    elif partner.status == PartnerStatus.REJECTED:
        health.state, health.reasons = HealthState.REJECTED, ["rejected by an operator"]
    elif partner.format == "direct":
        health.state, health.reasons = HealthState.DIRECT, ["posts through the portal form (no feed)"]
    elif partner.paused:
        health.state, health.reasons = HealthState.PAUSED, ["paused: not crawled on schedule"]
    elif last is not None and last.status in FAILED_STATUSES:
        health.state = HealthState.FAILING
        health.reasons = [f"{failures} failed run(s) in a row: {last.message or last.status}"]
    elif last is not None and last.status == RunStatus.SHRINK_GUARDED:
        health.state = HealthState.SHRINK_GUARDED
        health.reasons = [last.message or "the feed shrank suspiciously"]
    elif AlertKind.STALE in conditions:
        health.state = HealthState.STALE
        since = f"since {last_good:%Y-%m-%d %H:%M} UTC" if last_good else "ever"
        health.reasons = [f"no good run {since} ({schedule})"]
    elif last is None:
        health.state, health.reasons = HealthState.NEW, ["never crawled yet"]
    if schedule_error:
        health.reasons = [*health.reasons, schedule_error]
    return health


def _expected_gap(partner: Partner, cfg: OpsConfig) -> tuple[timedelta, str, str | None]:
    """The longest expected time between two scheduled runs of ``partner``, how the schedule reads
    in a reason, and why its stored cron is refused (if so).

    With a valid cron: the cron's longest gap between consecutive fire times (a weekly cron
    expects a week, not ``interval_minutes``). Without one, or with an invalid one (the
    scheduler then uses the interval too): the interval.
    """
    interval = timedelta(seconds=partner.interval_minutes * cfg.minute_seconds)
    text, error = schedule_text(partner)
    if partner.cron and error is None:
        try:
            gap = cron_longest_gap(partner.cron)
        except ValueError as exc:  # cannot happen after schedule_text, but never crash the health
            error = f"invalid cron {partner.cron!r} ignored ({exc})"
        else:
            return gap, f"{text}, up to {_duration(gap)} between runs", None
    return interval, f"interval {partner.interval_minutes} min", error


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days > 1 else ''}"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"
