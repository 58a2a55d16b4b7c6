"""The scheduler's liveness, from its heartbeat row (read by the console and /healthz)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text

from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import SchedulerHeartbeat, aware

HEARTBEAT_NAME = "scheduler"
MISSED_BEATS = 3


@dataclass
class SchedulerStatus:
    ok: bool
    detail: str
    beat_at: datetime | None = None
    age_seconds: float | None = None
    host: str | None = None
    pid: int | None = None
    jobs: int | None = None
    stopped_at: datetime | None = None
    limit_seconds: int | None = None


def scheduler_status(db: Database, now: datetime | None = None) -> SchedulerStatus:
    """Alive when the last beat is younger than three beat intervals (minimum 90 s)."""
    now = now or datetime.now(UTC)
    with db.session() as s:
        row = s.get(SchedulerHeartbeat, HEARTBEAT_NAME)
    if row is None:
        return SchedulerStatus(False, "the scheduler has never run (start `volunteer-hub scheduler`)")
    beat_at = aware(row.beat_at)
    age = (now - beat_at).total_seconds()  # type: ignore[operator]
    limit = max(90, MISSED_BEATS * (row.interval_seconds or 30))
    common = {
        "beat_at": beat_at,
        "age_seconds": age,
        "host": row.host,
        "pid": row.pid,
        "jobs": row.jobs,
        "limit_seconds": limit,
    }
    if row.stopped_at and aware(row.stopped_at) >= beat_at:  # type: ignore[operator]
        return SchedulerStatus(
            False,
            f"the scheduler was stopped at {row.stopped_at:%Y-%m-%d %H:%M:%S} UTC",
            stopped_at=aware(row.stopped_at),
            **common,
        )
    if age > limit:
        return SchedulerStatus(False, f"no scheduler heartbeat for {age:.0f} s (limit {limit} s)", **common)
    return SchedulerStatus(True, f"alive on {row.host} (pid {row.pid}), last beat {age:.0f} s ago", **common)


def next_run_times(db: Database) -> dict[str, datetime]:
    """Partner id -> next scheduled crawl, read from the APScheduler job store table."""
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id, next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'")
            ).all()
    except Exception:  # noqa: BLE001 - no table before the scheduler's first start
        return {}
    return {
        job_id.removeprefix("crawl:"): datetime.fromtimestamp(ts, UTC)
        for job_id, ts in rows
        if ts is not None
    }
