"""All for Good compatibility: ``GET /api/volopps`` with its parameters and JSON or RSS answers.

Tools written for the All for Good (AFG) API keep working against us. The request side is read
as leniently as AFG read it (``search_app.volopps_params``: clamped numbers, ignored unknown
values, last repeated value wins, an unknown place gives an empty list, never a 400); the answer
has AFG's field names, order and types (``search_app.volopps_format``). docs/search.md lists what
is supported and what is ignored.

Differences that cannot be helped: ``detailUrl`` is our tracked redirect to the partner's page
(``/go/<id>``), ``region`` is the region as the partner wrote it, and the contact and audience
fields are always empty (partners do not give them to us).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import Blueprint, Response, jsonify, request

from indexer.base import Hit, SearchBackend
from search_app.i18n import current_language
from search_app.params import DATE_ZONE
from search_app.services import backend
from search_app.volopps_format import RSS_TYPE, volopps_payload, volopps_rss
from search_app.volopps_params import VolOppsRequest, parse_volopps

bp = Blueprint("volopps", __name__, url_prefix="/api")


def fetch(search_backend: SearchBackend, wanted: VolOppsRequest) -> list[Hit]:
    """The ``num`` hits from the 0-based ``offset``: one page of ``num``, or two when misaligned."""
    if wanted.nothing:
        return []
    num, offset = wanted.num, wanted.offset
    page = offset // num + 1
    skip = offset - (page - 1) * num
    first = search_backend.search(replace(wanted.query, page=page, per_page=num))
    hits = first.hits[skip:]
    if skip and len(hits) < num and first.total > offset + len(hits):
        second = search_backend.search(replace(wanted.query, page=page + 1, per_page=num))
        hits += second.hits[: num - len(hits)]
    return hits


@bp.get("/volopps")
def volopps() -> Response:
    """Search in the All for Good way; JSON (default) or RSS (``output=rss``). Never a 400."""
    wanted = parse_volopps(request.args, lang=current_language())
    hits = fetch(backend(), wanted)
    root_url = request.url_root.rstrip("/")
    payload = volopps_payload(hits, wanted.query, href=request.url, root_url=root_url, now=_now())
    if wanted.output == "rss":
        return Response(volopps_rss(payload, site_url=f"{root_url}/"), mimetype=RSS_TYPE)
    return jsonify(payload)


def _now() -> datetime:
    return datetime.now(DATE_ZONE).replace(microsecond=0)
