"""``/partners``: the organizations' landing page (what they get, how to join, sign-in, formats)."""

from __future__ import annotations

from flask import render_template

from search_app.portal.blueprint import bp


@bp.get("/", strict_slashes=False)
def landing() -> str:
    return render_template("portal/landing.html")
