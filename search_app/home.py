"""The home page's extras: cause tiles, partner organizations, and a few fresh missions near the
visitor's region.

The region is worked out without tracking and without any outside service, in this order:
the region of the visitor's last search with a place (a first-party cookie, ``region``, set by
the search page and forgotten with one button), else the region picked on the home page (the
same cookie), else the country the site language implies (French: France, as the French regions),
else everywhere. When the chosen scope has no listing, the next one is shown and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, redirect, request, url_for
from flask_babel import gettext

from indexer.base import SearchQuery, SearchResult
from search_app import links
from search_app.i18n import current_language
from search_app.params import ParsedSearch
from search_app.services import backend
from search_app.site import bp
from volunteer_hub.core.gazetteer import default_gazetteer
from volunteer_hub.core.places import names_a_place
from volunteer_hub.core.regions import REGIONS, find_region, region_label
from volunteer_hub.core.taxonomy import CAUSES
from volunteer_hub.core.textfold import collation_key, slugify

COOKIE = "region"
COOKIE_MAX_AGE = 180 * 24 * 3600
FRESH_COUNT = 6  # "a few" fresh missions
FRENCH_REGIONS = tuple(REGIONS)  # the country France, as the union of its regions


@dataclass(frozen=True)
class Scope:
    """Where the home page's fresh missions come from."""

    kind: str  # "region", "country" or "everywhere"
    regions: tuple[str, ...] = ()
    source: str = ""  # for a region: "cookie" (last search or picked)

    def heading(self, lang: str) -> str:
        if self.kind == "region":
            return gettext("New missions near %(region)s", region=region_label(self.regions[0], lang))
        if self.kind == "country":
            return gettext("New missions in France")
        return gettext("New missions")

    def name(self, lang: str) -> str:
        return region_label(self.regions[0], lang) if self.kind == "region" else gettext("France")


def remembered_region() -> str | None:
    """The region slug kept in the visitor's cookie, when it names a known region."""
    raw = (request.cookies.get(COOKIE) or "").strip()[:80]
    return raw if raw in REGIONS else None


def search_region(parsed: ParsedSearch) -> str | None:
    """The region a search with a place points at: a region typed in "where", the one region
    filter, or the French region of the place typed (offline gazetteer; none for "lat,lon")."""
    if parsed.where_region:
        return parsed.where_region
    if parsed.place is not None and len(parsed.place.regions) == 1 and parsed.place.regions[0] in REGIONS:
        return parsed.place.regions[0]  # a département: its region
    if len(parsed.query.regions) == 1 and parsed.query.regions[0] in REGIONS:
        return parsed.query.regions[0]
    if parsed.query.near is None:
        return None
    typed = (request.args.get("near") or request.args.get("where") or "").strip()
    if not typed or not names_a_place(typed) or "," in typed:
        return None
    compact = typed.replace(" ", "")
    gazetteer = default_gazetteer()
    place = gazetteer.geocode(postal_code=compact) if compact.isdigit() else gazetteer.geocode(city=typed)
    return place.region_slug if place and place.region_slug in REGIONS else None


def remember_region(response: Response, slug: str | None) -> Response:
    """Keep the region of a search in the first-party cookie (nothing else is kept)."""
    if slug and slug in REGIONS and request.cookies.get(COOKIE) != slug:
        _keep(response, slug)
    return response


def _keep(response: Response, slug: str) -> None:
    response.set_cookie(
        COOKIE, slug, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=request.is_secure
    )


@bp.post("/home/region")
def choose_region() -> Response:
    """The home page's region picker: keep the region chosen, or forget it (``region`` empty)."""
    slug = (request.form.get("region") or "").strip()
    region = find_region(slug) if slug and len(slug) <= 80 else None
    response = redirect(url_for("public.search") + "#fresh-heading", code=303)
    if region and region.slug in REGIONS:
        _keep(response, region.slug)
    else:
        response.delete_cookie(COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    return response


def _scopes(lang: str) -> list[Scope]:
    scopes = []
    region = remembered_region()
    if region:
        scopes.append(Scope("region", (region,), "cookie"))
    if lang == "fr":
        scopes.append(Scope("country", FRENCH_REGIONS))
    scopes.append(Scope("everywhere"))
    return scopes


def _newest(scope: Scope, lang: str) -> SearchResult:
    query = SearchQuery(
        regions=list(scope.regions), sort="newest", per_page=FRESH_COUNT, lang=lang, facets=False
    )
    return backend().search(query)


def fresh_missions() -> dict[str, Any]:
    """The home page's few newest missions in the visitor's scope, falling back honestly."""
    lang = current_language()
    scopes = _scopes(lang)
    asked = scopes[0]
    for scope in scopes:
        found = _newest(scope, lang)
        if found.hits or scope.kind == "everywhere":
            break
    pairs = [("region", r) for r in scope.regions if scope.kind == "region"] + [("sort", "newest")]
    empty_note = None
    if scope != asked:
        empty_note = gettext("No new mission in %(place)s yet.", place=asked.name(lang))
    return {
        "heading": scope.heading(lang),
        "hits": found.hits,
        "total": found.total,
        "all_url": links.search_url(pairs),
        "note": empty_note,
        "region": remembered_region(),
        "region_label": region_label(remembered_region() or "", lang) if remembered_region() else "",
        "region_options": sorted(
            ((slug, region_label(slug, lang)) for slug in REGIONS), key=lambda item: collation_key(item[1])
        ),
    }


def home_context(result: SearchResult) -> dict[str, Any]:
    """The home page's extras: cause tiles with their counts, the organizations publishing now,
    and the fresh missions near the visitor."""
    causes = [
        {"code": f.value, "label": f.label, "count": f.count, "url": links.search_url([("cause", f.value)])}
        for f in result.facets.get("cause", [])
        if f.value in CAUSES
    ]
    recent = backend().search(SearchQuery(sort="newest", per_page=50, lang=current_language(), facets=False))
    organizations: dict[str, dict[str, Any]] = {}
    for hit in recent.hits:
        name = hit.opportunity.organization.name
        slug = slugify(name) if name else ""
        if slug:
            organizations.setdefault(slug, {"slug": slug, "name": name, "count": 0})["count"] += 1
    ranked = sorted(organizations.values(), key=lambda org: (-org["count"], org["name"].casefold()))
    return {"causes": causes[:12], "organizations": ranked[:12], "fresh": fresh_missions()}
