"""JSON API, version 1: search and fetch opportunities, facet counts. Read-only, open to any origin.

Every route is described by the OpenAPI document at ``/api/v1/openapi.json``
(``search_app.openapi``); a 400 always names the offending query parameter.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from search_app import ratelimit
from search_app.display import is_live
from search_app.errors import bad_parameter, wants_json
from search_app.filters import FACET_IGNORED, REPEATABLE, parse_search
from search_app.i18n import current_language
from search_app.openapi import build_document
from search_app.params import Args, ParameterError, ParsedSearch, parse_language, reject_repeated
from search_app.pictures import picture_cache
from search_app.related import stored_opportunity
from search_app.serialize import error_payload, facets_payload, opportunity_payload, search_payload
from search_app.services import backend

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# What a cross-origin caller may do: read. Preflight answers are cached by browsers for a day.
CORS_METHODS = "GET, HEAD, OPTIONS"
CORS_HEADERS = "Accept, Accept-Language, Content-Language, Content-Type, If-None-Match, If-Modified-Since"
CORS_MAX_AGE = 86400


def _query(args: Args) -> ParsedSearch:
    """The search API ``args`` describe; ``ParameterError`` names any bad parameter.

    Stricter than the site: ``lang`` must be "fr" or "en" (absent: the cookie, then
    Accept-Language), and a single-valued parameter may not be given twice.
    """
    reject_repeated(args, REPEATABLE)
    parse_language(args)
    return parse_search(args, lang=current_language())


@bp.get("/opportunities")
def search() -> Response | tuple[Response, int]:
    """Search live opportunities with every filter of the site; facets included."""
    try:
        parsed = _query(request.args)
    except ParameterError as err:
        return bad_parameter(err)
    result = backend().search(parsed.query)
    # Absolute links: the request's root, which search_app.canonical sets to the public URL when one is set.
    return jsonify(
        search_payload(result, parsed.query, request.url_root, place=parsed.place, pictures=picture_cache())
    )


@bp.get("/opportunities/<opportunity_id>")
def opportunity(opportunity_id: str) -> Response | tuple[Response, int]:
    """One live opportunity; 404 when unknown, expired or removed; another partner's copy of a
    listed opportunity redirects (301) to the listed one."""
    opp = backend().get(opportunity_id)
    if opp is None:
        stored = stored_opportunity(opportunity_id)
        if stored is not None and stored.listed_as is not None:
            return redirect(url_for("api.opportunity", opportunity_id=stored.listed_as), code=301)
    if opp is None or not is_live(opp):
        return jsonify(error_payload(f"No opportunity with id {opportunity_id!r}")), 404
    return jsonify(opportunity_payload(opp, request.url_root, picture_cache()))


@bp.get("/facets")
def facets() -> Response | tuple[Response, int]:
    """Cause and region counts for any combination of filters (no results, no paging)."""
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in FACET_IGNORED])
    try:
        parsed = _query(args)
    except ParameterError as err:
        return bad_parameter(err)
    query = parsed.query
    query.per_page = 1  # the counts are all we need; one hit keeps both backends on the common path
    return jsonify(facets_payload(backend().search(query), query, place=parsed.place))


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 document describing this API (and /api/volopps)."""
    return jsonify(build_document(request.script_root or "/"))


@bp.before_app_request
def limit_rate() -> Response | None:
    """Per-client token bucket on everything under ``/api/`` (``search_app.ratelimit``)."""
    if wants_json():
        return ratelimit.check()
    return None


@bp.after_app_request
def allow_any_origin(response: Response) -> Response:
    """CORS: any origin may read the API; OPTIONS preflights get the allowed methods and headers."""
    # Registered app-wide so that API 404s for unknown paths get the header too.
    if not wants_json():
        return response
    ratelimit.add_headers(response)
    if request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = ratelimit.EXPOSED_HEADERS
        response.vary.update(("Accept-Language", "Cookie"))  # facet labels follow the language
    elif request.method == "OPTIONS" and response.status_code < 400:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = str(CORS_MAX_AGE)
    return response
