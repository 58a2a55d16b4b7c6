"""The public site's blueprint, in its own module: ``public`` (search and opportunity pages),
``discover`` (sitemap, feeds, widget) and ``organizations`` (``/org/<slug>``) add their routes
to it, and ``search_app.create_app`` imports all three before registering it."""

from __future__ import annotations

from flask import Blueprint

from search_app.i18n import remember_language

bp = Blueprint("public", __name__)
bp.after_request(remember_language)
