"""``GET /suggest?q=``: words to complete the "what" field with (concepts and causes, fr/en), as JSON.

Used by ``static/suggest.js`` to fill the search field's ``<datalist>``; the search itself never needs it.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from search_app.i18n import current_language
from search_app.params import MAX_TEXT_LENGTH
from search_app.site import bp
from volunteer_hub.core.completion import suggestions


@bp.get("/suggest")
def suggest() -> Response:
    typed = (request.args.get("q") or "")[:MAX_TEXT_LENGTH]
    response = jsonify({"q": typed, "suggestions": suggestions(typed, current_language())})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
