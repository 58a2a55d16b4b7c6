"""Scheduler and alert settings, read from the environment (documented in docs/operations.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class OpsConfig:
    """How the scheduler runs crawls, and when partners raise alerts.

    ``minute_seconds`` is the length of one ``interval_minutes`` unit; it is 60 except in the
    tests, which run the real scheduler with intervals of seconds.
    """

    crawl_timeout_seconds: int = 1800
    workers: int = 4
    reconcile_seconds: int = 30
    misfire_grace_seconds: int = 900
    retention_days: int = 90
    keep_runs_per_partner: int = 20
    alert_failures: int = 3
    alert_webhook: str | None = None
    public_url: str | None = None
    minute_seconds: int = 60
    first_crawl_delay_seconds: int = 20
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    alert_email_from: str = "volunteer-hub@localhost"
    alert_email_to: tuple[str, ...] = ()
    scrapyd_url: str | None = None

    @property
    def heartbeat_seconds(self) -> int:
        return max(1, min(self.reconcile_seconds, 30))


def load_ops_config(env: dict[str, str] | None = None) -> OpsConfig:
    env = dict(os.environ if env is None else env)
    return OpsConfig(
        crawl_timeout_seconds=_int(env, "VOLUNTEER_HUB_CRAWL_TIMEOUT", 1800),
        workers=_int(env, "VOLUNTEER_HUB_SCHEDULER_WORKERS", 4),
        reconcile_seconds=_int(env, "VOLUNTEER_HUB_RECONCILE_SECONDS", 30),
        misfire_grace_seconds=_int(env, "VOLUNTEER_HUB_MISFIRE_GRACE", 900),
        retention_days=_int(env, "VOLUNTEER_HUB_RUN_RETENTION_DAYS", 90),
        keep_runs_per_partner=_int(env, "VOLUNTEER_HUB_KEEP_RUNS", 20),
        alert_failures=_int(env, "VOLUNTEER_HUB_ALERT_FAILURES", 3),
        alert_webhook=(env.get("VOLUNTEER_HUB_ALERT_WEBHOOK") or "").strip() or None,
        public_url=(env.get("VOLUNTEER_HUB_PUBLIC_URL") or "").strip().rstrip("/") or None,
        smtp_host=(env.get("VOLUNTEER_HUB_SMTP_HOST") or "").strip() or None,
        smtp_port=_int(env, "VOLUNTEER_HUB_SMTP_PORT", 25),
        smtp_starttls=(env.get("VOLUNTEER_HUB_SMTP_STARTTLS") or "").strip().lower()
        in ("1", "true", "yes", "on"),
        smtp_user=(env.get("VOLUNTEER_HUB_SMTP_USER") or "").strip() or None,
        smtp_password=env.get("VOLUNTEER_HUB_SMTP_PASSWORD") or None,
        alert_email_from=(env.get("VOLUNTEER_HUB_ALERT_EMAIL_FROM") or "volunteer-hub@localhost").strip(),
        scrapyd_url=(env.get("VOLUNTEER_HUB_SCRAPYD_URL") or "").strip().rstrip("/") or None,
        alert_email_to=tuple(
            a.strip() for a in (env.get("VOLUNTEER_HUB_ALERT_EMAIL_TO") or "").split(",") if a.strip()
        ),
    )
