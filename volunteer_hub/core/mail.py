"""Sending e-mail through the configured SMTP server (alerts, sign-in links, reminders)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Protocol


class SmtpSettings(Protocol):
    smtp_host: str | None
    smtp_port: int
    smtp_starttls: bool
    smtp_user: str | None
    smtp_password: str | None


def send_mail(cfg: SmtpSettings, message: EmailMessage, timeout: float = 20) -> None:
    """Deliver ``message``; raises ``OSError`` or ``smtplib.SMTPException`` so callers decide on retries."""
    with smtplib.SMTP(cfg.smtp_host or "", cfg.smtp_port, timeout=timeout) as smtp:
        if cfg.smtp_starttls:
            smtp.starttls()
        if cfg.smtp_user:
            smtp.login(cfg.smtp_user, cfg.smtp_password or "")
        smtp.send_message(message)
