"""JSON bodies of the API, built without Flask so the CLI prints exactly the same thing.

``volunteer-hub search --json`` calls ``search_payload(backend.search(query), query)``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from indexer.base import Hit, SearchQuery, SearchResult
from indexer.practical import FACET_VALUES
from search_app.pictures import picture_links
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.places import SearchPlace
from volunteer_hub.store.pictures import PictureCache

FACETS = ("cause", "region", *FACET_VALUES)  # then the practical facets (issue 13)


def detail_path(opportunity_id: str, base_url: str = "") -> str:
    """Our page for an opportunity: ``/o/<id>``, under ``base_url``: the site's root URL
    ("https://example.org/"), so that an API answer's links work wherever they are read."""
    return f"{base_url.rstrip('/')}/o/{quote(opportunity_id, safe='')}"


def opportunity_payload(
    opportunity: Opportunity, base_url: str = "", pictures: PictureCache | None = None
) -> dict[str, Any]:
    """One opportunity as the API returns it on its own: the record's ``to_dict()``, plus
    ``picture`` (our kept copy, see ``picture_links``) when ``pictures`` is given."""
    item = opportunity.to_dict()
    if pictures is not None:
        item["picture"] = picture_links(pictures, opportunity, base_url)
    return item


def hit_payload(
    hit: Hit, query: SearchQuery, base_url: str = "", pictures: PictureCache | None = None
) -> dict[str, Any]:
    item = opportunity_payload(hit.opportunity, base_url, pictures)
    item["detail_url"] = detail_path(hit.opportunity.id, base_url)
    if query.near is not None:
        item["distance_km"] = None if hit.distance_km is None else round(hit.distance_km, 2)
    return item


def place_payload(place: SearchPlace | None, query: SearchQuery) -> dict[str, Any] | None:
    """How the place typed in ``near`` was understood (None without one): its kind ("region",
    "department", "city", "postal_code", "point"), name, the region slugs it filters on, and the
    point and radius searched around."""
    if place is None:
        return None
    return {
        "query": place.query,
        "known": True,
        "kind": place.kind,
        "name": place.name,
        "label": place.label,
        "country": place.country,
        "regions": list(place.regions),
        "lat": None if query.near is None else round(query.near[0], 6),
        "lon": None if query.near is None else round(query.near[1], 6),
        "radius_km": query.radius_km if query.near is not None else None,
    }


def search_payload(
    result: SearchResult,
    query: SearchQuery,
    base_url: str = "",
    place: SearchPlace | None = None,
    pictures: PictureCache | None = None,
) -> dict[str, Any]:
    """The body of ``GET /api/v1/opportunities`` for ``query`` and its ``result``; ``place``: how
    ``near`` was understood."""
    return {
        "total": result.total,
        "page": query.page,
        "per_page": query.per_page,
        "place": place_payload(place, query),
        "items": [hit_payload(hit, query, base_url, pictures) for hit in result.hits],
        "facets": _facets(result),
    }


def _facets(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    # By hand, not dataclasses.asdict (recursive, deep-copying): ~200 values per answer, it was
    # a tenth of an API request's CPU. Same keys in the same order as FacetValue's fields.
    return {
        name: [{"value": v.value, "label": v.label, "count": v.count} for v in result.facets.get(name, [])]
        for name in FACETS
    }


def facets_payload(
    result: SearchResult, query: SearchQuery, place: SearchPlace | None = None
) -> dict[str, Any]:
    """The body of ``GET /api/v1/facets``: the total and every facet's counts, labels in ``query.lang``."""
    return {
        "total": result.total,
        "lang": query.lang,
        "place": place_payload(place, query),
        "facets": _facets(result),
    }


def error_payload(
    message: str, parameter: str | None = None, suggestion: str | None = None
) -> dict[str, Any]:
    """``{"error": {...}}``: ``parameter`` names the offending query parameter on a 400;
    ``suggestion``, a value that would work (a close spelling of an unknown place)."""
    error: dict[str, Any] = {"message": message}
    if parameter is not None:
        error = {"parameter": parameter, **error}
    if suggestion is not None:
        error["suggestion"] = suggestion
    return {"error": error}
