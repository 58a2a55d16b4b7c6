"""Portal pages for direct posting (``/partners/postings``): create, edit, renew and close.

Only a signed-in partner whose record has ``format == "direct"`` sees these pages, and only
its own postings (the partner id comes from the session; another partner's posting is a 404).
Every submission is checked by ``volunteer_hub.direct.build`` (the crawler's normalizer); its
problems are shown next to the fields in the partner's language.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from crawlers.formats.base import ParseProblem
from search_app.admin.security import check_csrf
from search_app.i18n import current_language
from search_app.portal import TEXT, bp, t
from search_app.portal.account import _db, current_partner
from search_app.services import services
from volunteer_hub import direct
from volunteer_hub.db import Partner, StoredOpportunity
from volunteer_hub.taxonomy import CAUSES, cause_label

TEXT.update(
    {
        "postings_title": {"en": "Your opportunities", "fr": "Vos missions"},
        "postings_link": {"en": "Post and manage your opportunities", "fr": "Publier et gérer vos missions"},
        "postings_none": {"en": "You have not posted anything yet.", "fr": "Vous n’avez encore rien publié."},
        "posting_new": {"en": "Post a new opportunity", "fr": "Publier une nouvelle mission"},
        "posting_edit": {"en": "Edit the opportunity", "fr": "Modifier la mission"},
        "posting_save": {"en": "Save", "fr": "Enregistrer"},
        "posting_renew": {"en": "Renew for 90 days", "fr": "Prolonger de 90 jours"},
        "posting_close": {"en": "Close (take it down)", "fr": "Clôturer (retirer l’annonce)"},
        "posting_view": {"en": "See it on the site", "fr": "Voir sur le site"},
        "posting_expires": {"en": "Expires on", "fr": "Expire le"},
        "state_pending": {"en": "waiting for approval", "fr": "en attente de validation"},
        "state_published": {"en": "published", "fr": "publiée"},
        "state_closed": {"en": "closed", "fr": "clôturée"},
        "state_rejected": {"en": "not accepted", "fr": "refusée"},
        "msg_pending": {
            "en": "Thank you! Your first opportunity waits for approval by our team; the next ones are "
            "published at once.",
            "fr": "Merci ! Votre première mission attend la validation de notre équipe ; "
            "les suivantes seront "
            "publiées immédiatement.",
        },
        "msg_published": {"en": "Your opportunity is published.", "fr": "Votre mission est publiée."},
        "msg_saved": {"en": "Your changes are saved.", "fr": "Vos modifications sont enregistrées."},
        "msg_renewed": {"en": "Your opportunity is renewed.", "fr": "Votre mission est prolongée."},
        "msg_closed": {"en": "Your opportunity is closed.", "fr": "Votre mission est clôturée."},
        "msg_index": {
            "en": "Saved; the search will show it in a few minutes.",
            "fr": "Enregistré ; la recherche l’affichera dans quelques minutes.",
        },
        "form_errors": {
            "en": "Please correct the fields marked below.",
            "fr": "Corrigez les champs signalés ci-dessous.",
        },
        "pf_title": {"en": "Title", "fr": "Titre"},
        "pf_description": {"en": "Description", "fr": "Description"},
        "pf_organization": {"en": "Organization", "fr": "Organisation"},
        "pf_causes": {"en": "Causes (several allowed)", "fr": "Causes (plusieurs possibles)"},
        "pf_places": {
            "en": "Places: one a line, city and postal code (e.g. Rennes 35000)",
            "fr": "Lieux : un par ligne, ville et code postal (ex. Rennes 35000)",
        },
        "pf_remote": {"en": "Can be done remotely", "fr": "Possible à distance"},
        "pf_start": {"en": "Start date", "fr": "Date de début"},
        "pf_end": {"en": "End date", "fr": "Date de fin"},
        "pf_ongoing": {"en": "Ongoing (no end date)", "fr": "Sans date de fin"},
        "pf_url": {
            "en": "Link to sign up or contact you (https://…)",
            "fr": "Lien pour s’inscrire ou vous contacter (https://…)",
        },
        "pf_skills": {"en": "Skills (separated by commas)", "fr": "Compétences (séparées par des virgules)"},
        "pf_min_age": {"en": "Minimum age", "fr": "Âge minimum"},
        "pe_title": {"en": "Give your opportunity a title.", "fr": "Donnez un titre à votre mission."},
        "pe_url": {
            "en": "Give the full address of the page where volunteers sign up or contact you, starting "
            "with https://",
            "fr": "Indiquez l’adresse complète de la page où les bénévoles s’inscrivent ou vous contactent, "
            "commençant par https://",
        },
        "pe_min_age": {
            "en": "Give the minimum age in years (a number).",
            "fr": "Indiquez l’âge minimum en années.",
        },
        "pe_end": {
            "en": "The end date must be a date (YYYY-MM-DD) and not before the start.",
            "fr": "La date de fin doit être une date (AAAA-MM-JJ) et ne pas précéder le début.",
        },
        "pe_start": {
            "en": "The start date must be a date (YYYY-MM-DD).",
            "fr": "La date de début doit être une date.",
        },
        "pe_places": {
            "en": "Give a city and a postal code, or tick “can be done remotely”; otherwise volunteers only "
            "find it by keyword.",
            "fr": "Indiquez une ville et un code postal, ou cochez « possible à distance » ; sinon les "
            "bénévoles ne la trouveront que par mot-clé.",
        },
    }
)

# normalizer field -> form field
_FIELD_OF = {"title": "title", "url": "url", "id": "url", "start": "start", "end": "end", "expires": "end"}


def _form_field(problem: ParseProblem) -> str:
    name = (problem.field or "").lower()
    if name in _FIELD_OF:
        return _FIELD_OF[name]
    if name.startswith(("location", "place", "city", "postal", "country", "lat", "lon")):
        return "places"
    return name if name in direct.FIELDS else "form"


def field_messages(problems: list[ParseProblem]) -> dict[str, list[dict[str, str]]]:
    """Problems in plain language, keyed by form field (our own wording when we have one)."""
    out: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        name = _form_field(problem)
        key = f"pe_{name}"
        text = t(key) if key in TEXT else problem.message
        entries = out.setdefault(name, [])
        if all(e["text"] != text for e in entries):
            entries.append({"text": text, "severity": problem.severity})
    return out


def _flash_warnings(problems: list[ParseProblem]) -> None:
    """Warnings do not stop publication; the partner still reads them (e.g. no place given)."""
    for entries in field_messages([p for p in problems if p.severity == "warning"]).values():
        for entry in entries:
            flash(f"{t('warning')}: {entry['text']}")


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
        t=t,
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
    return render_template("portal/postings.html", t=t, partner=partner, items=items, expiry=expiry)


@bp.route("/postings/new", methods=["GET", "POST"])
def posting_new() -> Any:
    partner = _direct_partner()
    if request.method == "GET":
        form = {"organization": partner.name, "causes": [], "expires": direct.default_expires()}
        return _render(partner, form, {}, None)
    check_csrf()
    form = _form_values(partner)
    form["expires"] = direct.default_expires()
    posting = direct.DirectPosting(id=direct.new_posting_id(), partner_id=partner.id, status="pending")
    opp, problems = direct.build(partner, posting.id, form)
    if opp is None:
        return _render(partner, form, field_messages(problems), None, 422)
    db = _db()
    pending = direct.needs_approval(db, partner.id)
    direct.save(db, posting, form)
    _flash_warnings(problems)
    if pending:
        flash(t("msg_pending"))
    else:
        counts = direct.publish(db, services().backend, partner, posting)
        flash(t("msg_index") if counts.index_failures else t("msg_published"))
    return redirect(url_for("portal.postings"))


@bp.route("/postings/<posting_id>/edit", methods=["GET", "POST"])
def posting_edit(posting_id: str) -> Any:
    partner = _direct_partner()
    posting = _own(partner, posting_id)
    if posting.status in ("closed", "rejected"):
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
    if posting.status == "published":
        counts = direct.publish(db, services().backend, partner, posting)
        flash(t("msg_index") if counts.index_failures else t("msg_saved"))
    else:
        flash(t("msg_saved"))
    return redirect(url_for("portal.postings"))


@bp.post("/postings/<posting_id>/renew")
def posting_renew(posting_id: str) -> Response:
    partner = _direct_partner()
    check_csrf()
    posting = _own(partner, posting_id)
    if posting.status not in ("pending", "published"):
        abort(409)
    db = _db()
    direct.save(db, posting, direct.renewed(posting.data), reset_reminder=True)
    if posting.status == "published":
        direct.publish(db, services().backend, partner, posting)
    flash(t("msg_renewed"))
    return redirect(url_for("portal.postings"))


@bp.post("/postings/<posting_id>/close")
def posting_close(posting_id: str) -> Response:
    partner = _direct_partner()
    check_csrf()
    posting = _own(partner, posting_id)
    if posting.status != "closed":
        direct.close(_db(), services().backend, posting)
    flash(t("msg_closed"))
    return redirect(url_for("portal.postings"))
