"""The scheduler's triggers for partners with a crontab schedule, and the jitter rule.

The cron rules themselves (validation, normal form, longest gap, schedule text, time zone)
are ``volunteer_hub.core.cron``; this module adds what only the scheduler needs.
"""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from volunteer_hub.core.cron import CRON_REFERENCE, CRON_TIMEZONE, cron_error


def jitter_seconds(interval_seconds: int) -> int:
    """Random delay added to a partner's runs: 10% of its interval, at most 10 minutes."""
    return int(min(interval_seconds * 0.1, 600))


def cron_trigger(expr: str) -> CronTrigger:
    """The partner's crontab expression in ``CRON_TIMEZONE``, with the interval jitter rule applied
    to its shortest gap between two runs (10%, at most 10 minutes). Raises ValueError if invalid."""
    error = cron_error(expr)
    if error:
        raise ValueError(error)
    trigger = CronTrigger.from_crontab(expr, timezone=CRON_TIMEZONE)
    times = [trigger.get_next_fire_time(None, CRON_REFERENCE)]
    for _ in range(8):
        nxt = trigger.get_next_fire_time(times[-1], times[-1] + timedelta(seconds=1))
        if nxt is None:
            break
        times.append(nxt)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]
    trigger.jitter = (jitter_seconds(int(min(gaps))) if gaps else 0) or None
    return trigger
