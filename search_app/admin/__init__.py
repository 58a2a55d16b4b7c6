"""The operator console (``/admin``): partners' health, runs, actions, alerts.

``register(app)`` configures the session cookie and secret key, and adds the blueprint.
Every ``/admin`` page but the login form requires an operator session; every form carries a
CSRF token (``search_app.admin.security``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Blueprint, Flask

from search_app.admin.security import SESSION_LIFETIME
from search_app.services import EXTENSION

# The console's stylesheet, served outside /admin (it is public and carries no data).
assets = Blueprint("admin_assets", __name__, static_folder="static", static_url_path="/ops-static")


def _secret_key(home: Path) -> str:
    """``VOLUNTEER_HUB_SECRET_KEY``, else a random key kept in ``$VOLUNTEER_HUB_HOME/secret_key`` (0600)."""
    configured = os.environ.get("VOLUNTEER_HUB_SECRET_KEY")
    if configured:
        return configured
    path = home / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


def register(app: Flask) -> None:
    """Configure sessions (secure cookies unless testing/debug) and mount the console at /admin."""
    from search_app.admin.views import bp  # the pages load with the app, not with this package

    if not app.secret_key:
        app.secret_key = _secret_key(app.extensions[EXTENSION].settings.home)
    insecure = os.environ.get("VOLUNTEER_HUB_COOKIE_SECURE", "").strip() == "0"
    app.config.update(
        SESSION_COOKIE_SECURE=not (app.testing or app.debug or insecure),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="vh_session",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )
    app.register_blueprint(bp)
    app.register_blueprint(assets)
