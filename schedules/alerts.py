"""Partner health and alerts: failing N times in a row, shrink guard, staleness.

``partner_health`` classifies a partner for the console. ``evaluate_partner`` opens an
``AlertIncident`` when a condition starts (and calls the webhook once), and resolves it with a
recovery notice when the condition ends. A webhook delivery that fails is retried at the next
evaluation (the scheduler evaluates every partner at each reconcile), never sent twice.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schedules.config import OpsConfig
from volunteer_hub.core.mail import send_mail
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.ops_models import AlertIncident, aware

log = logging.getLogger(__name__)

FAILED_STATUSES = ("failed", "partial")
GOOD_STATUSES = ("succeeded", "not-modified")
ALERT_KINDS = ("failing", "shrink-guarded", "stale")
WEBHOOK_TIMEOUT = 5


@dataclass
class Health:
    """One partner's state as the console shows it."""

    state: str  # ok / failing / stale / shrink-guarded / paused / pending / rejected / new
    reasons: list[str] = field(default_factory=list)
    consecutive_failures: int = 0
    last_run: CrawlRun | None = None
    last_good_at: datetime | None = None
    conditions: set[str] = field(default_factory=set)  # alert kinds currently true
    schedule_error: str | None = None  # the stored cron is invalid: the interval is used instead


def _recent_runs(db: Database, partner_id: str, limit: int = 50) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(
                select(CrawlRun)
                .where(CrawlRun.partner_id == partner_id, CrawlRun.status != "running")
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
        "ok",
        consecutive_failures=failures,
        last_run=last,
        last_good_at=last_good,
        schedule_error=schedule_error,
    )

    conditions: set[str] = set()
    if failures >= max(1, cfg.alert_failures):
        conditions.add("failing")
    if last is not None and last.status == "shrink-guarded":
        conditions.add("shrink-guarded")
    reference = last_good or aware(partner.created_at) or now
    if now - reference > 2 * expected:
        conditions.add("stale")
    # Direct-posting partners (no feed) are never crawled: no crawl alerts for them.
    active = partner.status == "approved" and not partner.paused and partner.format != "direct"
    health.conditions = conditions if active else set()

    if partner.status == "pending":
        health.state, health.reasons = "pending", ["waiting for an operator's approval"]
    elif partner.status == "rejected":
        health.state, health.reasons = "rejected", ["rejected by an operator"]
    elif partner.format == "direct":
        health.state, health.reasons = "direct", ["posts through the portal form (no feed)"]
    elif partner.paused:
        health.state, health.reasons = "paused", ["paused: not crawled on schedule"]
    elif last is not None and last.status in FAILED_STATUSES:
        health.state = "failing"
        health.reasons = [f"{failures} failed run(s) in a row: {last.message or last.status}"]
    elif last is not None and last.status == "shrink-guarded":
        health.state, health.reasons = "shrink-guarded", [last.message or "the feed shrank suspiciously"]
    elif "stale" in conditions:
        health.state = "stale"
        since = f"since {last_good:%Y-%m-%d %H:%M} UTC" if last_good else "ever"
        health.reasons = [f"no good run {since} ({schedule})"]
    elif last is None:
        health.state, health.reasons = "new", ["never crawled yet"]
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
    from volunteer_hub.core.cron import cron_longest_gap, schedule_text

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


def _open_incidents(db: Database, partner_id: str) -> dict[str, AlertIncident]:
    with db.session() as s:
        rows = s.scalars(
            select(AlertIncident).where(
                AlertIncident.partner_id == partner_id, AlertIncident.resolved_at.is_(None)
            )
        ).all()
    return {row.kind: row for row in rows}


def open_incidents(db: Database) -> list[AlertIncident]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AlertIncident)
                .where(AlertIncident.resolved_at.is_(None))
                .order_by(AlertIncident.opened_at)
            )
        )


def _message(kind: str, partner: Partner, health: Health, cfg: OpsConfig) -> str:
    if kind == "failing":
        reason = health.last_run.message if health.last_run else ""
        return (
            f"{health.consecutive_failures} failed crawls in a row (threshold {cfg.alert_failures}): {reason}"
        )
    if kind == "shrink-guarded":
        return (health.last_run.message if health.last_run else None) or "the last crawl was shrink-guarded"
    return "; ".join(health.reasons) or "no good crawl for two intervals"


def evaluate_partner(db: Database, partner_id: str, cfg: OpsConfig) -> list[str]:
    """Open/resolve this partner's incidents and deliver pending notices; returns what was sent."""
    with db.session() as s:
        partner = s.get(Partner, partner_id)
    current = _open_incidents(db, partner_id)
    if partner is None:
        conditions: set[str] = set()
        health = Health("removed")
    else:
        health = partner_health(db, partner, cfg)
        conditions = health.conditions
    now = datetime.now(UTC)
    for kind in conditions - current.keys():
        try:
            with db.session() as s, s.begin():
                s.add(
                    AlertIncident(
                        partner_id=partner_id,
                        kind=kind,
                        open_key=f"{partner_id}:{kind}",
                        opened_at=now,
                        message=_message(kind, partner, health, cfg),  # type: ignore[arg-type]
                    )
                )
        except IntegrityError:
            pass  # opened meanwhile by another process (console and scheduler evaluate concurrently)
    with db.session() as s, s.begin():
        for kind in current.keys() - conditions:
            row = s.get(AlertIncident, current[kind].id)
            if row is not None:
                row.resolved_at = now
                row.open_key = None
    return deliver_pending(db, cfg, partner_id)


def evaluate_all(db: Database, cfg: OpsConfig) -> None:
    partner_ids = {p.id for p in db.partners()}
    partner_ids |= {i.partner_id for i in open_incidents(db)}
    for partner_id in sorted(partner_ids):
        try:
            evaluate_partner(db, partner_id, cfg)
        except Exception:  # noqa: BLE001 - one partner's problem must not stop the others
            log.exception("alert evaluation failed for %s", partner_id)


def deliver_pending(db: Database, cfg: OpsConfig, partner_id: str | None = None) -> list[str]:
    """Send each alert and recovery notice not yet delivered, on every configured channel.

    Channels (webhook, e-mail) are tracked separately in ``AlertIncident.delivered``, so a
    channel that failed is retried without repeating the others. Without any channel the
    notice is only logged.
    """
    sent: list[str] = []
    with db.session() as s:
        stmt = select(AlertIncident).where(
            (AlertIncident.notified_at.is_(None))
            | (AlertIncident.resolved_at.is_not(None) & AlertIncident.recovery_notified_at.is_(None))
        )
        if partner_id:
            stmt = stmt.where(AlertIncident.partner_id == partner_id)
        pending = list(s.scalars(stmt.order_by(AlertIncident.id)))
    for incident in pending:
        for event, column in (("alert", "notified_at"), ("recovery", "recovery_notified_at")):
            if getattr(incident, column) is not None:
                continue
            if event == "recovery" and incident.resolved_at is None:
                break
            delivered = set(incident.delivered or [])
            for channel in channels(cfg):
                key = f"{event}:{channel}"
                if key not in delivered and SENDERS[channel](cfg, event, incident):
                    delivered.add(key)
            done = all(f"{event}:{c}" in delivered for c in channels(cfg))
            _record(db, incident.id, sorted(delivered), column if done else None)
            incident.delivered = sorted(delivered)
            if not done:
                break  # the recovery notice waits for the alert itself
            sent.append(f"{event}:{incident.partner_id}:{incident.kind}")
    return sent


def channels(cfg: OpsConfig) -> list[str]:
    found = []
    if cfg.alert_webhook:
        found.append("webhook")
    if cfg.smtp_host and cfg.alert_email_to:
        found.append("email")
    return found or ["log"]


def _record(db: Database, incident_id: int, delivered: list[str], column: str | None) -> None:
    with db.session() as s, s.begin():
        row = s.get(AlertIncident, incident_id)
        if row is not None:
            row.delivered = delivered
            if column:
                setattr(row, column, datetime.now(UTC))


def notice_text(event: str, incident: AlertIncident) -> str:
    if event == "alert":
        return f"[volunteer-hub] ALERT {incident.partner_id}: {incident.kind} - {incident.message}"
    return f"[volunteer-hub] RECOVERED {incident.partner_id}: {incident.kind} is over"


def console_link(cfg: OpsConfig, incident: AlertIncident) -> str | None:
    return f"{cfg.public_url}/admin/partners/{incident.partner_id}" if cfg.public_url else None


def _send_log(cfg: OpsConfig, event: str, incident: AlertIncident) -> bool:
    log.warning("%s", notice_text(event, incident))
    return True


def _send_webhook(cfg: OpsConfig, event: str, incident: AlertIncident) -> bool:
    """POST one notice as JSON; True when the receiver answered 2xx."""
    text = notice_text(event, incident)
    log.warning("%s", text)
    link = console_link(cfg, incident)
    body = {
        "event": event,
        "partner": incident.partner_id,
        "kind": incident.kind,
        "message": incident.message,
        "opened_at": aware(incident.opened_at).isoformat(),  # type: ignore[union-attr]
        "resolved_at": aware(incident.resolved_at).isoformat() if incident.resolved_at else None,
        "console_url": link,
        "text": text + (f" {link}" if link else ""),
    }
    request = urllib.request.Request(
        cfg.alert_webhook or "",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "volunteer-hub-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - operator's URL
            return 200 <= response.status < 300
    except OSError as exc:
        log.error("alert webhook %s failed: %s (will retry)", cfg.alert_webhook, exc)
        return False


def _send_email(cfg: OpsConfig, event: str, incident: AlertIncident) -> bool:
    """One e-mail through the configured SMTP server (STARTTLS and login when configured)."""
    message = EmailMessage()
    message["Subject"] = notice_text(event, incident)
    message["From"] = cfg.alert_email_from
    message["To"] = ", ".join(cfg.alert_email_to)
    link = console_link(cfg, incident)
    lines = [
        notice_text(event, incident),
        "",
        f"Partner: {incident.partner_id}",
        f"Kind: {incident.kind}",
        f"Message: {incident.message}",
        f"Opened: {aware(incident.opened_at):%Y-%m-%d %H:%M} UTC",
    ]
    if incident.resolved_at:
        lines.append(f"Resolved: {aware(incident.resolved_at):%Y-%m-%d %H:%M} UTC")
    if link:
        lines += ["", f"Console: {link}"]
    message.set_content("\n".join(lines) + "\n")
    try:
        send_mail(cfg, message, timeout=WEBHOOK_TIMEOUT * 2)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("alert e-mail via %s failed: %s (will retry)", cfg.smtp_host, exc)
        return False


SENDERS = {"log": _send_log, "webhook": _send_webhook, "email": _send_email}
