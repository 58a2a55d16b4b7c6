"""Scheduler and alert settings (documented in docs/operations.md), loaded by core/config.py."""

from __future__ import annotations

from dataclasses import dataclass

from volunteer_hub.core.config import ops_values


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
    """Read through ``volunteer_hub.core.config``, the one reader of ``VOLUNTEER_HUB_*``."""
    return OpsConfig(**ops_values(env))
