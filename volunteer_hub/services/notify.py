"""Alert notices: where they go (webhook, e-mail, log) and what they say.

Each sender returns whether the channel accepted the notice, so ``volunteer_hub.services.alerts``
retries a failed channel without repeating the others.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage

from volunteer_hub.core.mail import send_mail
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.store.ops_models import AlertIncident, aware

log = logging.getLogger(__name__)

WEBHOOK_TIMEOUT = 5


def channels(cfg: OpsConfig) -> list[str]:
    """The configured channels (webhook, e-mail); the log when there is none."""
    found = []
    if cfg.alert_webhook:
        found.append("webhook")
    if cfg.smtp_host and cfg.alert_email_to:
        found.append("email")
    return found or ["log"]


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


def send(channel: str, cfg: OpsConfig, event: str, incident: AlertIncident) -> bool:
    """Deliver one notice (``event``: alert or recovery) on ``channel``; True when it was accepted."""
    return SENDERS[channel](cfg, event, incident)
