"""The operator console (``/admin``): partners' health, runs, actions, alerts.

``register(app)`` adds the blueprint (``create_app`` sets up the app-wide secret key and session
cookie: ``search_app.sessions``).
Every ``/admin`` page but the login form requires an operator session; every form carries a
CSRF token (``search_app.admin.security``).
"""

from __future__ import annotations

from flask import Blueprint, Flask

# The console's stylesheet, served outside /admin (it is public and carries no data).
assets = Blueprint("admin_assets", __name__, static_folder="static", static_url_path="/ops-static")


def register(app: Flask) -> None:
    """Mount the console at /admin."""
    from search_app.admin import (
        health,  # noqa: F401 - adds /admin/health to ``bp``
        labels,
    )
    from search_app.admin.views import bp  # the pages load with the app, not with this package

    app.register_blueprint(bp)
    app.register_blueprint(assets)
    labels.register(app)  # codes as words in the operator's language
