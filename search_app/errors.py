"""Error pages and JSON errors: 404, 405, 413 (request body too large), 503 (search backend down), 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)

from indexer.base import SearchBackendError
from search_app.params import ParameterError
from search_app.serialize import error_payload

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def bad_parameter(err: ParameterError) -> tuple[Response, int]:
    """The API's 400 for an invalid query parameter: ``{"error": {"parameter", "message"}}`` (and
    ``suggestion`` when a close value exists: "Lyon" for "Lyonn")."""
    return jsonify(error_payload(err.message, parameter=err.parameter, suggestion=err.suggestion)), 400


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _respond(status: int, api_message: str, title: str, message: str) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify(error_payload(api_message)), status
    return render_template("error.html", status=status, title=title, message=message), status


def not_found(_error: NotFound) -> tuple[Response | str, int]:
    return _respond(
        404,
        "Not found",
        gettext("Page not found"),
        gettext("This page does not exist, or the opportunity is no longer available."),
    )


def method_not_allowed(error: MethodNotAllowed) -> Response:
    response = error.get_response()
    if wants_json():
        allow = response.headers.get("Allow")
        response = jsonify(error_payload("Method not allowed"))
        response.status_code = 405
        if allow:
            response.headers["Allow"] = allow
    return response


def too_large(_error: RequestEntityTooLarge) -> tuple[Response | str, int]:
    """A body over ``MAX_CONTENT_LENGTH`` (``create_app``): refused before it is read."""
    megabytes = f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 1_000_000:g}"
    return _respond(
        413,
        f"Request too large (at most {megabytes} MB)",
        gettext("This is too much to send"),
        gettext(
            "What you sent is larger than %(size)s MB, the most this site accepts. "
            "Please shorten your text and try again.",
            size=megabytes,
        ),
    )


def backend_unavailable(error: SearchBackendError) -> tuple[Response | str, int, dict[str, str]]:
    log.error("search backend error on %s: %s", request.path, error)
    body, status = _respond(
        503,
        "Search is temporarily unavailable, please retry in a moment",
        gettext("Search is taking a break"),
        gettext("We can't search opportunities right now. Please try again in a few moments."),
    )
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def internal_error(_error: InternalServerError) -> tuple[Response | str, int]:
    return _respond(
        500,
        "Internal server error",
        gettext("Something went wrong"),
        gettext("An unexpected error happened on our side. Please try again later."),
    )


def http_error(error: HTTPException) -> Response | tuple[Response, int]:
    """Other HTTP errors keep werkzeug's page, except under the API where they are JSON."""
    if wants_json() and error.code:
        return jsonify(error_payload(error.name)), error.code
    return error.get_response()


def register(app: Flask) -> None:
    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(MethodNotAllowed, method_not_allowed)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.register_error_handler(SearchBackendError, backend_unavailable)
    app.register_error_handler(InternalServerError, internal_error)
    app.register_error_handler(HTTPException, http_error)
