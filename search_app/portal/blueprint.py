"""The portal's blueprint (``/partners``) and what its pages share; the pages add their routes to it.

UI strings are English msgids translated in search_app/translations/fr (flask-babel), in the
language the public site picked for the request (search_app.i18n.select_language).
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext

from search_app.admin.security import no_store
from search_app.i18n import remember_language

bp = Blueprint("portal", __name__, url_prefix="/partners")
bp.after_request(remember_language)  # ?lang= sticks, as on the public pages
bp.after_request(no_store)  # partner pages hold accounts, postings and sign-in state: never cached

# ``app.extensions`` key of the sign-up and login rate limiter.
LIMITS = "volunteer_hub_signup_limits"


def rate_limited_message() -> str:
    return gettext("Too many sign-ups from your network; please try again in a few minutes.")
