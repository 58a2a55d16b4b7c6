"""Console access control: operator sessions and CSRF tokens (no extra dependency).

The session (Flask's signed cookie: httponly, SameSite=Lax, secure outside tests) holds the
operator id, the operator's session version at login (``volunteer_hub.store.auth``: logout and a
password reset bump it, so the session ends even though the cookie is still validly signed), the
login time and a random CSRF token. Every POST under /admin must echo the
token in a ``csrf_token`` field; anything else is refused with 400.
"""

from __future__ import annotations

import hmac
import secrets
import time
from urllib.parse import urlsplit

from flask import abort, g, jsonify, make_response, redirect, request, session, url_for
from werkzeug.wrappers import Response

from search_app.admin.context import database
from search_app.sessions import SESSION_LIFETIME
from volunteer_hub.store.auth import get_operator

API_PREFIX = "/admin/api/"  # the console's JSON endpoints (same session as the pages)

CSRF_FIELD = "csrf_token"
PUBLIC_ENDPOINTS = {"admin.login"}


def csrf_token() -> str:
    """This session's CSRF token (created on first use); templates call it for every form."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    expected = session.get("csrf")
    given = request.form.get(CSRF_FIELD, "")
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        abort(400, description="The form expired or did not come from this site (CSRF check failed).")


def log_in(operator_id: int, email: str, session_version: int) -> None:
    """Start a fresh session (new CSRF token: no session fixation)."""
    session.clear()
    session.permanent = True
    session["operator_id"] = operator_id
    session["operator_version"] = session_version
    session["operator_email"] = email
    session["login_at"] = int(time.time())
    session["csrf"] = secrets.token_urlsafe(32)


def log_out() -> None:
    session.clear()


def safe_next(target: str | None) -> str | None:
    """Only local console paths are followed after login (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/admin") or target.startswith("//"):
        return None
    if not target.isprintable() or "\\" in target:  # CR/LF cannot go in a Location header (was a 500)
        return None
    return target


def guard() -> Response | None:
    """``before_request`` of the console: login required (but for the login form), CSRF on POST."""
    g.operator = None
    operator_id = session.get("operator_id")
    login_at = session.get("login_at") or 0
    if operator_id and time.time() - login_at < SESSION_LIFETIME.total_seconds():
        operator = get_operator(database(), int(operator_id))
        if operator is not None and session.get("operator_version") == (operator.session_version or 0):
            g.operator = operator
    if g.operator is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if operator_id:
            session.clear()
        if request.path.startswith(API_PREFIX):  # a script: a status, not a login page
            return make_response(jsonify(error="sign in to the console first (operators only)"), 403)
        if request.method == "GET":
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        abort(403)
    if request.method == "POST":
        check_csrf()
    return None


def no_store(response: Response) -> Response:
    """Console pages are private: never cached."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response
