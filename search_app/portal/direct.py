"""Portal pages for direct posting (``/partners/postings``): create, edit, renew and close.

Only a signed-in partner whose record has ``format == "direct"`` sees these pages, and only
its own postings (the partner id comes from the session; another partner's posting is a 404).
Every submission is checked by ``volunteer_hub.services.direct.build`` (the crawler's normalizer); its
problems are shown next to the fields in the partner's language.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from crawlers.formats.base import ParseProblem
from crawlers.limits import TOO_LARGE
from search_app.admin.security import check_csrf
from search_app.i18n import current_language
from search_app.portal.account import _db, current_partner
from search_app.portal.blueprint import bp
from search_app.services import services
from volunteer_hub.core.taxonomy import CAUSES, cause_label
from volunteer_hub.services import direct
from volunteer_hub.store.db import Partner, StoredOpportunity
from volunteer_hub.store.states import PostingStatus

# normalizer field -> form field
_FIELD_OF = {"title": "title", "url": "url", "id": "url", "start": "start", "end": "end", "expires": "end"}


def _form_field(problem: ParseProblem) -> str:
    name = (problem.field or "").lower()
    if name in _FIELD_OF:
        return _FIELD_OF[name]
    if name.startswith(("location", "place", "city", "postal", "country", "lat", "lon")):
        return "places"
    return name if name in direct.FIELDS else "form"


def _own_wording() -> dict[str, str]:
    """Our plain-language message per form field, instead of the normalizer's (request's language)."""
    return {
        "title": gettext("Give your opportunity a title."),
        "url": gettext(
            "Give the full address of the page where volunteers sign up or contact you, starting with https://"
        ),
        "min_age": gettext("Give the minimum age in years (a number)."),
        "end": gettext("The end date must be a date (YYYY-MM-DD) and not before the start."),
        "start": gettext("The start date must be a date (YYYY-MM-DD)."),
        "places": gettext(
            "Give a city and a postal code, or tick “can be done remotely”; otherwise volunteers only "
            "find it by keyword."
        ),
    }


def field_messages(problems: list[ParseProblem]) -> dict[str, list[dict[str, str]]]:
    """Problems in plain language, keyed by form field (our own wording when we have one)."""
    out: dict[str, list[dict[str, str]]] = {}
    wording = _own_wording()
    for problem in problems:
        name = _form_field(problem)
        if problem.message.startswith(TOO_LARGE):  # crawlers.limits: a cap every listing has
            text = gettext("This is too long for one listing: please shorten it.")
        else:
            text = wording.get(name) or problem.message
        entries = out.setdefault(name, [])
        if all(e["text"] != text for e in entries):
            entries.append({"text": text, "severity": problem.severity})
    return out


def _flash_warnings(problems: list[ParseProblem]) -> None:
    """Warnings do not stop publication; the partner still reads them (e.g. no place given)."""
    for entries in field_messages([p for p in problems if p.severity == "warning"]).values():
        for entry in entries:
            flash(f"{gettext('warning')}: {entry['text']}")


def _index_pending() -> str:
    return gettext("Saved; the search will show it in a few minutes.")


def _direct_partner() -> Partner:
    partner = current_partner()
    if partner is None:
        abort(redirect(url_for("portal.login")))
    if not direct.is_direct(partner):
        abort(404)
    return partner  # type: ignore[return-value]


def _own(partner: Partner, posting_id: str) -> direct.DirectPosting:
    with _db().session() as s:
        posting = s.get(direct.DirectPosting, posting_id)
    if posting is None or posting.partner_id != partner.id:
        abort(404)  # another partner's posting does not exist for this one
    return posting


def _form_values(partner: Partner) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: (request.form.get(k) or "").strip()
        for k in (
            "title",
            "description",
            "organization",
            "places",
            "start",
            "end",
            "url",
            "skills",
            "min_age",
        )
    }
    values["causes"] = [c for c in request.form.getlist("causes") if c in direct_causes()][:3]
    values["remote"] = bool(request.form.get("remote"))
    values["ongoing"] = bool(request.form.get("ongoing"))
    if len(values["title"]) > 300:
        values["title"] = values["title"][:300]
    values["organization"] = values["organization"] or partner.name
    return values


def direct_causes() -> list[str]:
    return [c for c in CAUSES if c != "autre"]


def _render(partner: Partner, form: dict[str, Any], errors: dict[str, Any], posting: Any, status: int = 200):  # noqa: ANN202
    lang = current_language()
    causes = [(c, cause_label(c, lang)) for c in direct_causes()]
    page = render_template(
        "portal/posting_form.html",
        partner=partner,
        form=form,
        errors=errors,
        posting=posting,
        causes=causes,
    )
    return page, status


@bp.get("/postings")
def postings() -> str:
    partner = _direct_partner()
    items = direct.postings(_db(), partner.id)
    expiry: dict[str, tuple[Any, str]] = {}
    ids = [p.opportunity_id for p in items if p.opportunity_id]
    if ids:
        with _db().session() as s:
            for row in s.scalars(select(StoredOpportunity).where(StoredOpportunity.id.in_(ids))):
                expiry[row.id] = (row.expiry, row.state)
    return render_template("portal/postings.html", partner=partner, items=items, expiry=expiry)


@bp.route("/postings/new", methods=["GET", "POST"])
def posting_new() -> Any:
    partner = _direct_partner()
    if request.method == "GET":
        form = {"organization": partner.name, "causes": [], "expires": direct.default_expires()}
        return _render(partner, form, {}, None)
    check_csrf()
    form = _form_values(partner)
    form["expires"] = direct.default_expires()
    posting = direct.DirectPosting(
        id=direct.new_posting_id(), partner_id=partner.id, status=PostingStatus.PENDING
    )
    opp, problems = direct.build(partner, posting.id, form)
    if opp is None:
        return _render(partner, form, field_messages(problems), None, 422)
    db = _db()
    pending = direct.needs_approval(db, partner.id)
    direct.save(db, posting, form)
    _flash_warnings(problems)
    if pending:
        flash(
            gettext(
                "Thank you! Your first opportunity waits for approval by our team; the next ones are "
                "published at once."
            )
        )
    else:
        counts = direct.publish(db, services().backend, partner, posting)
        flash(_index_pending() if counts.index_failures else gettext("Your opportunity is published."))
    return redirect(url_for("portal.postings"))


@bp.route("/postings/<posting_id>/edit", methods=["GET", "POST"])
def posting_edit(posting_id: str) -> Any:
    partner = _direct_partner()
    posting = _own(partner, posting_id)
    if posting.status in (PostingStatus.CLOSED, PostingStatus.REJECTED):
        abort(409)
    if request.method == "GET":
        return _render(partner, dict(posting.data), {}, posting)
    check_csrf()
    form = _form_values(partner)
    form["expires"] = posting.data.get("expires") or direct.default_expires()
    opp, problems = direct.build(partner, posting.id, form)
    if opp is None:
        return _render(partner, form, field_messages(problems), posting, 422)
    db = _db()
    direct.save(db, posting, form, reset_reminder=True)
    _flash_warnings(problems)
    if posting.status == PostingStatus.PUBLISHED:
        counts = direct.publish(db, services().backend, partner, posting)
        flash(_index_pending() if counts.index_failures else gettext("Your changes are saved."))
    else:
        flash(gettext("Your changes are saved."))
    return redirect(url_for("portal.postings"))


@bp.post("/postings/<posting_id>/renew")
def posting_renew(posting_id: str) -> Response:
    partner = _direct_partner()
    check_csrf()
    posting = _own(partner, posting_id)
    if posting.status not in (PostingStatus.PENDING, PostingStatus.PUBLISHED):
        abort(409)
    db = _db()
    direct.save(db, posting, direct.renewed(posting.data), reset_reminder=True)
    if posting.status == PostingStatus.PUBLISHED:
        direct.publish(db, services().backend, partner, posting)
    flash(gettext("Your opportunity is renewed."))
    return redirect(url_for("portal.postings"))


@bp.post("/postings/<posting_id>/close")
def posting_close(posting_id: str) -> Response:
    partner = _direct_partner()
    check_csrf()
    posting = _own(partner, posting_id)
    if posting.status != PostingStatus.CLOSED:
        direct.close(_db(), services().backend, posting)
    flash(gettext("Your opportunity is closed."))
    return redirect(url_for("portal.postings"))
