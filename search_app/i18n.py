"""Interface language: French (default) or English, through flask-babel gettext catalogs.

The locale comes from the ``lang`` query parameter, then the ``lang`` cookie (set when a
visitor follows the language switcher), then Accept-Language. UI strings are English
msgids translated in ``translations/fr/LC_MESSAGES/messages.po`` (compiled ``.mo``
committed next to it; see ``translations/README.md`` to update them).
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_babel import Babel, get_locale

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TIMEZONE = "Europe/Paris"


def select_language() -> str:
    """The request's language code, one of ``LANGUAGES``."""
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language flask-babel selected for this request ("fr" or "en")."""
    locale = get_locale()
    return locale.language if locale and locale.language in LANGUAGES else DEFAULT_LANGUAGE


def remember_language(response: Response) -> Response:
    """Keep an explicit ``?lang=`` choice in a cookie so the next pages use it too."""
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure
        )
    # The same URL renders differently per language: tell caches what it depends on.
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", TIMEZONE)
    Babel(app, locale_selector=select_language)
