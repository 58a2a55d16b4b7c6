"""The app-wide secret key and session cookie (the console's and partners' sign-ins, CSRF tokens,
signed report forms all depend on them), set up by ``create_app``."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from volunteer_hub.core.config import Settings

SESSION_LIFETIME = timedelta(hours=12)


def secret_key(settings: Settings) -> str:
    """``VOLUNTEER_HUB_SECRET_KEY``, else a random key kept in ``$VOLUNTEER_HUB_HOME/secret_key`` (0600)."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.home / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def configure(app: Flask, settings: Settings) -> None:
    """The secret key (unless the caller's config gave one) and secure session cookies (not in
    testing or debug, nor with ``VOLUNTEER_HUB_COOKIE_SECURE=0``)."""
    if not app.secret_key:
        app.secret_key = secret_key(settings)
    app.config.update(
        SESSION_COOKIE_SECURE=not (app.testing or app.debug or not settings.cookie_secure),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="vh_session",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
