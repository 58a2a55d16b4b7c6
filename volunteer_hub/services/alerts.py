"""Alert incidents: failing N times in a row, shrink guard, staleness.

``evaluate_partner`` opens an ``AlertIncident`` when a condition of the partner's health
(``volunteer_hub.services.health``) starts, and resolves it when the condition ends; each alert
and recovery notice is delivered once per channel (``volunteer_hub.services.notify``). A
delivery that fails is retried at the next evaluation (the scheduler evaluates every partner
at each reconcile), never sent twice.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.health import AlertKind, Health, partner_health
from volunteer_hub.services.notify import channels, send
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.ops_models import AlertIncident

log = logging.getLogger(__name__)


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


def _message(kind: AlertKind, health: Health, cfg: OpsConfig) -> str:
    if kind == AlertKind.FAILING:
        reason = health.last_run.message if health.last_run else ""
        return (
            f"{health.consecutive_failures} failed crawls in a row (threshold {cfg.alert_failures}): {reason}"
        )
    if kind == AlertKind.SHRINK_GUARDED:
        return (health.last_run.message if health.last_run else None) or "the last crawl was shrink-guarded"
    return "; ".join(health.reasons) or "no good crawl for two intervals"


def evaluate_partner(db: Database, partner_id: str, cfg: OpsConfig) -> list[str]:
    """Open/resolve this partner's incidents and deliver pending notices; returns what was sent."""
    with db.session() as s:
        partner = s.get(Partner, partner_id)
    current = _open_incidents(db, partner_id)
    # A removed partner has no condition left: its open incidents are resolved.
    health = partner_health(db, partner, cfg) if partner is not None else None
    conditions: set[str] = set(health.conditions) if health is not None else set()
    now = datetime.now(UTC)
    for kind in conditions - current.keys():
        try:
            with db.session() as s, s.begin():
                s.add(
                    AlertIncident(
                        partner_id=partner_id,
                        kind=str(kind),
                        open_key=f"{partner_id}:{kind}",
                        opened_at=now,
                        message=_message(AlertKind(kind), health, cfg),  # type: ignore[arg-type]
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
                if key not in delivered and send(channel, cfg, event, incident):
                    delivered.add(key)
            done = all(f"{event}:{c}" in delivered for c in channels(cfg))
            _record(db, incident.id, sorted(delivered), column if done else None)
            incident.delivered = sorted(delivered)
            if not done:
                break  # the recovery notice waits for the alert itself
            sent.append(f"{event}:{incident.partner_id}:{incident.kind}")
    return sent


def _record(db: Database, incident_id: int, delivered: list[str], column: str | None) -> None:
    with db.session() as s, s.begin():
        row = s.get(AlertIncident, incident_id)
        if row is not None:
            row.delivered = delivered
            if column:
                setattr(row, column, datetime.now(UTC))
