"""Partner portal: ``/partners/signup``.

An organization gives its name, a contact e-mail and its feed URL, or its website's. The format
is detected once (``volunteer_hub.services.partners.detect``: a feed by its structure, a website
by the schema.org opportunities on its pages, found through its sitemaps and links) through the
one guarded fetcher (``crawlers.fetch``: address policy on the URL and every redirect, pinned
connection, size cap; at most ``SIGNUP_DEADLINE`` seconds and ``SIGNUP_MAX_PAGES`` pages in
all), checked with the crawler's own validator, shown item by item, and pinned on the partner.
A readable feed is registered as a *pending* partner, crawled only once an operator
approves it in the console.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import gettext

from crawlers.discover import LINKS, START, Discovery, validate_site
from crawlers.validate import ValidationUnreadable
from search_app import ratelimit
from search_app.admin.security import check_csrf
from search_app.portal.blueprint import LIMITS, bp, rate_limited_message
from search_app.services import services
from volunteer_hub.services import partners

SIGNUP_DEADLINE = 20  # seconds: the fetches run inside the visitor's request (less if downloads get less)
SIGNUP_MAX_PAGES = 12  # a website's pages read at sign-up (the crawl reads them all)
MAX_SIGNUPS_PER_WINDOW, WINDOW_SECONDS = 5, 600
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def items_report(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Errors and warnings grouped item by item, in feed order (feed-level problems first)."""
    grouped: OrderedDict[str, dict[str, Any]] = OrderedDict()
    problems = [(p, "error") for p in result["errors"]] + [(p, "warning") for p in result["warnings"]]
    problems.sort(key=lambda pair: pair[0].get("line") or 0)
    for problem, severity in problems:
        key = problem.get("item") or ""
        entry = grouped.setdefault(
            key, {"item": key, "line": problem.get("line"), "problems": [], "error": False}
        )
        entry["problems"].append({**problem, "severity": severity})
        entry["error"] = entry["error"] or severity == "error"
    return list(grouped.values())


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> tuple[str, int] | str:
    form = {"name": "", "email": "", "url": ""}
    if request.method == "GET":
        return render_template("portal/signup.html", form=form, errors={}, result=None)
    check_csrf()
    form = {k: (request.form.get(k) or "").strip() for k in form}
    errors: dict[str, str] = {}
    if request.form.get("website"):  # honeypot: people never see this field
        return render_template(
            "portal/signup.html", form=form, errors={}, result=None, done="registered"
        ), 200
    if not 2 <= len(form["name"]) <= 200:
        errors["name"] = gettext("Please give your organization's name.")
    if not EMAIL_RE.match(form["email"]) or len(form["email"]) > 200:
        errors["email"] = gettext("Please give a valid e-mail address.")
    nofeed = bool(request.form.get("nofeed"))  # no feed: the organization posts with a form
    form["nofeed"] = "1" if nofeed else ""
    if not nofeed and (not form["url"].startswith(("http://", "https://")) or len(form["url"]) > 2000):
        errors["url"] = gettext("Please give the full address of your feed, starting with https://")
    if errors:
        return render_template("portal/signup.html", form=form, errors=errors, result=None), 400
    if not current_app.extensions[LIMITS].allow(request.remote_addr or "?"):
        return render_template(
            "portal/signup.html", form=form, errors={"form": rate_limited_message()}, result=None
        ), 429
    if nofeed:
        return _register_direct(form)
    settings = services().settings
    try:  # a feed, or a website whose pages carry schema.org data: detected once, pinned at sign-up
        found = partners.detect(form["url"], settings, deadline=SIGNUP_DEADLINE, max_pages=SIGNUP_MAX_PAGES)
        result = validate_site(found, max_bytes=settings.max_feed_bytes)
    except (partners.FormatNotDetected, ValidationUnreadable) as exc:
        errors["url"] = gettext(
            "We could not read your feed: %(reason)s. Please check the address and try again.",
            reason=str(exc),
        )
        return render_template("portal/signup.html", form=form, errors=errors, result=None), 422
    done = None
    if result["valid"]:
        signed_up = partners.sign_up(
            services()._database(),  # noqa: SLF001 - the shared, lazily opened database
            name=form["name"],
            contact_email=form["email"],
            url=form["url"],
            detected_format=found.format,
        )
        done = "registered" if signed_up.created else "already"
    status = 200 if result["valid"] else 422
    site = _site_summary(found) if found.is_site else None
    page = render_template(
        "portal/signup.html",
        form=form,
        errors={},
        result=result,
        items=items_report(result),
        done=done,
        site=site,
    )
    return page, status


def _site_summary(found: Discovery) -> str:
    """What was found on a website, in the visitor's language."""
    via = [
        gettext("links between its pages") if origin == LINKS else
        gettext("the page itself") if origin == START else origin
        for origin in found.via
    ]  # fmt: skip
    if found.complete:
        return gettext(
            "Your website: %(count)s opportunities found on its pages (schema.org), via %(via)s.",
            count=found.opportunities,
            via=", ".join(via),
        )
    return gettext(
        "Your website: at least %(count)s opportunities found on the first %(pages)s pages (schema.org), "
        "via %(via)s; we read every page when we crawl it.",
        count=found.opportunities,
        pages=found.pages,
        via=", ".join(via),
    )


def _register_direct(form: dict[str, str]) -> tuple[str, int]:
    """A pending partner without a feed (``format="direct"``): it signs in and posts with a form;
    an operator's approval of its first posting approves the organization too."""
    partners.sign_up(
        services()._database(),  # noqa: SLF001 - the shared, lazily opened database
        name=form["name"],
        contact_email=form["email"],
    )
    page = render_template("portal/signup.html", form=form, errors={}, result=None, done="registered_direct")
    return page, 200


def register(app: Flask) -> None:
    import search_app.portal.account  # noqa: F401 - adds /partners/login and /partners/me to ``bp``
    import search_app.portal.direct  # noqa: F401 - adds /partners/postings (direct posting)
    import search_app.portal.guide  # noqa: F401 - adds /partners/formats
    import search_app.portal.landing  # noqa: F401 - adds /partners, the organizations' landing page

    # Sign-ups and sign-in links fetch or send on demand: five per address, then one every two minutes.
    app.extensions[LIMITS] = ratelimit.named(app, "portal", MAX_SIGNUPS_PER_WINDOW, WINDOW_SECONDS)
    app.register_blueprint(bp)
