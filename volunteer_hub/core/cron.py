"""Crontab expressions of partner schedules: validation, normal form, longest gap, schedule text.

Pure parsing (APScheduler's ``CronTrigger``, no scheduler, no database): the partners service
validates and normalises what operators type, the scheduler builds its triggers from the same
rules, and the health checks read the longest gap between two runs.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.triggers.cron import CronTrigger

CRON_TIMEZONE = "Europe/Paris"
# A fixed reference, so anything computed from fire times (jitter, gaps) is the same every time.
CRON_REFERENCE = datetime(2026, 1, 5, tzinfo=UTC)


class Scheduled(Protocol):
    """What a schedule is made of (``Partner`` has both)."""

    interval_minutes: int
    cron: str | None


def normalise_cron(expr: str) -> str:
    """The stored form of a crontab expression: fields separated by single spaces."""
    return " ".join(expr.split())


def cron_error(expr: str) -> str | None:
    """Why a crontab expression (minute hour day month day-of-week) is refused, or None if valid.

    Numeric days of the week are refused: APScheduler 3 counts them from Monday = 0, unlike
    crontab (Sunday = 0), so ``1`` would silently mean Tuesday; use names (``mon-fri``).
    """
    fields = expr.split()
    if len(fields) != 5:
        return f"a cron expression has 5 fields (minute hour day month day-of-week), got {len(fields)}"
    if any(ch.isdigit() for ch in fields[4]):
        return "write the day of the week with names (mon, tue, ..., sun; e.g. mon-fri), not numbers"
    try:
        trigger = CronTrigger.from_crontab(expr, timezone=CRON_TIMEZONE)
    except ValueError as exc:
        return str(exc)
    if trigger.get_next_fire_time(None, CRON_REFERENCE) is None:
        return "this cron expression never fires"
    return None


@functools.lru_cache(maxsize=256)
def _longest_gap(expr: str) -> timedelta:
    trigger = CronTrigger.from_crontab(expr, timezone=CRON_TIMEZONE)
    end = CRON_REFERENCE + timedelta(days=8)
    times: list[datetime] = []
    nxt = trigger.get_next_fire_time(None, CRON_REFERENCE)
    while nxt is not None:
        times.append(nxt)
        if nxt >= end and len(times) >= 3:
            break
        nxt = trigger.get_next_fire_time(nxt, nxt + timedelta(seconds=1))
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    return max(gaps) if gaps else timedelta(days=3650)  # cannot happen: cron_error refuses those


def cron_longest_gap(expr: str) -> timedelta:
    """The longest time between two consecutive runs of a crontab expression (``CRON_TIMEZONE``),
    over at least a week (and three runs) from a fixed reference: a weekly cron gives 7 days,
    ``0 9 * * mon-fri`` the 3 days from Friday to Monday. Raises ValueError if invalid."""
    error = cron_error(expr)
    if error:
        raise ValueError(error)
    return _longest_gap(normalise_cron(expr))


def schedule_text(scheduled: Scheduled) -> tuple[str, str | None]:
    """How the scheduler crawls a partner ("cron 0 6 * * mon" or "every 360 min") and, when its
    stored cron is invalid (so its interval is used instead), why that cron is refused."""
    interval = f"every {scheduled.interval_minutes} min"
    if not scheduled.cron:
        return interval, None
    error = cron_error(scheduled.cron)
    if error:
        return interval, f"invalid cron {scheduled.cron!r} ignored ({error}); crawled {interval} instead"
    return f"cron {scheduled.cron}", None
