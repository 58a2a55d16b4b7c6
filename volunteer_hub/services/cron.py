"""Partners' crawl schedules: crontab expressions (``CRON_TIMEZONE``) and the jitter rule.

Read by the scheduler (its triggers), the health rules (a cron partner's expected gap between
runs), the console and the CLI (refusing an invalid expression where it is entered).
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from volunteer_hub.store.db import Partner

CRON_TIMEZONE = "Europe/Paris"
# A fixed reference, so a cron's jitter (10% of its shortest gap) is the same at every reconcile.
_CRON_REFERENCE = datetime(2026, 1, 5, tzinfo=UTC)


def jitter_seconds(interval_seconds: int) -> int:
    """Random delay added to a partner's runs: 10% of its interval, at most 10 minutes."""
    return int(min(interval_seconds * 0.1, 600))


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
    if trigger.get_next_fire_time(None, _CRON_REFERENCE) is None:
        return "this cron expression never fires"
    return None


def cron_trigger(expr: str) -> CronTrigger:
    """The partner's crontab expression in ``CRON_TIMEZONE``, with the interval jitter rule applied
    to its shortest gap between two runs (10%, at most 10 minutes). Raises ValueError if invalid."""
    error = cron_error(expr)
    if error:
        raise ValueError(error)
    trigger = CronTrigger.from_crontab(expr, timezone=CRON_TIMEZONE)
    times = [trigger.get_next_fire_time(None, _CRON_REFERENCE)]
    for _ in range(8):
        nxt = trigger.get_next_fire_time(times[-1], times[-1] + timedelta(seconds=1))
        if nxt is None:
            break
        times.append(nxt)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    trigger.jitter = (jitter_seconds(int(min(gaps))) if gaps else 0) or None
    return trigger


@functools.lru_cache(maxsize=256)
def _cron_longest_gap(expr: str) -> timedelta:
    trigger = CronTrigger.from_crontab(expr, timezone=CRON_TIMEZONE)
    end = _CRON_REFERENCE + timedelta(days=8)
    times: list[datetime] = []
    nxt = trigger.get_next_fire_time(None, _CRON_REFERENCE)
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
    return _cron_longest_gap(" ".join(expr.split()))


def schedule_text(partner: Partner) -> tuple[str, str | None]:
    """How the scheduler crawls ``partner`` ("cron 0 6 * * mon" or "every 360 min") and, when its
    stored cron is invalid (so its interval is used instead), why that cron is refused."""
    interval = f"every {partner.interval_minutes} min"
    if not partner.cron:
        return interval, None
    error = cron_error(partner.cron)
    if error:
        return interval, f"invalid cron {partner.cron!r} ignored ({error}); crawled {interval} instead"
    return f"cron {partner.cron}", None
