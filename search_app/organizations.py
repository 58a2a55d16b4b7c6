"""Organization pages ``/org/<slug>``: open opportunities and public transparency figures,
and the organization's printable poster. ``slug`` is ``slugify(organization name)``, the
search index's ``org_slug``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import abort, render_template, url_for
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError

from indexer.base import FacetValue, Hit, SearchQuery
from search_app.clicks import organization_clicks
from search_app.i18n import current_language
from search_app.qr import qr_svg
from search_app.services import backend
from search_app.site import bp
from volunteer_hub.core.textfold import slugify

log = logging.getLogger(__name__)

MAX_LISTED = 100


@dataclass
class OrganizationView:
    slug: str
    name: str
    total: int
    hits: list[Hit]
    causes: list[FacetValue] = field(default_factory=list)
    regions: list[FacetValue] = field(default_factory=list)
    clicks: int | None = None  # None when the database is unavailable


def load_organization(slug: str) -> OrganizationView:
    """The organization's live opportunities (404 when it has none)."""
    if slug != slugify(slug) or not slug:
        abort(404)
    query = SearchQuery(
        filters={"organization": slug}, sort="soonest", per_page=MAX_LISTED, lang=current_language()
    )
    result = backend().search(query)
    if not result.total:
        abort(404)
    names = [h.opportunity.organization.name for h in result.hits if h.opportunity.organization.name]
    name = names[0] if names else slug
    return OrganizationView(
        slug=slug,
        name=name,
        total=result.total,
        hits=result.hits,
        causes=result.facets.get("cause", []),
        regions=result.facets.get("region", []),
    )


@bp.get("/org/<slug>")
def organization(slug: str) -> str:
    org = load_organization(slug)
    try:
        org.clicks = organization_clicks(slug)
    except SQLAlchemyError:
        log.warning("click figures unavailable for %s", slug, exc_info=True)
    return render_template(
        "organization.html",
        organization=org,
        canonical=url_for("public.organization", slug=slug, _external=True),
        search_url=url_for("public.search", organization=slug),
    )


@bp.get("/org/<slug>/poster")
def organization_poster(slug: str) -> str:
    org = load_organization(slug)
    url = url_for("public.organization", slug=slug, _external=True)
    return render_template(
        "poster.html",
        opp=None,
        organization=org,
        url=url,
        qr=qr_svg(url, gettext("QR code linking to %(url)s", url=url)),
    )


@bp.app_template_global()
def org_slug(name: str | None) -> str:
    """The ``/org/<slug>`` slug of an organization name."""
    return slugify(name or "")
