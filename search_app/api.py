"""JSON API, version 1: search and fetch opportunities. Read-only, open to any origin."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from search_app.display import is_live
from search_app.errors import wants_json
from search_app.i18n import current_language
from search_app.params import ParameterError, parse_search
from search_app.serialize import error_payload, opportunity_payload, search_payload
from search_app.services import backend

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/opportunities")
def search() -> Response | tuple[Response, int]:
    try:
        query = parse_search(request.args, lang=current_language()).query
    except ParameterError as err:
        return jsonify(error_payload(err.message, parameter=err.parameter)), 400
    result = backend().search(query)
    return jsonify(search_payload(result, query, base_url=request.script_root))


@bp.get("/opportunities/<opportunity_id>")
def opportunity(opportunity_id: str) -> Response | tuple[Response, int]:
    opp = backend().get(opportunity_id)
    if opp is None or not is_live(opp):
        return jsonify(error_payload(f"No opportunity with id {opportunity_id!r}")), 404
    return jsonify(opportunity_payload(opp))


@bp.after_app_request
def allow_any_origin(response: Response) -> Response:
    # Registered app-wide so that API 404s for unknown paths get the header too.
    if wants_json() and request.method in ("GET", "HEAD"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.vary.update(("Accept-Language", "Cookie"))  # facet labels follow the language
    return response
