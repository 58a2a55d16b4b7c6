"""All for Good compatibility: ``GET /api/volopps`` with its parameters and JSON or RSS answers.

Tools written for the All for Good (AFG) API keep working against us: the same parameter names
(``q, vol_loc, vol_dist, num, start, output, timeperiod, category, sort``; ``key`` is accepted
and ignored), the same JSON envelope (``lastBuildDate, version, language, href, description,
items``) and the same item field names (``title, description, detailUrl, startDate, endDate,
city, region, postalCode, country, latlong, categories, sponsoringOrganizationName`` ...),
every item value a string as AFG sent them (``categories`` a list). ``output=rss`` answers RSS
2.0 with each item field also given as an ``fp:`` element (AFG's footprint namespace).

Differences that cannot be helped: ``vol_dist`` is in miles (converted to km), dates are local
times in France (``Europe/Paris``), ``region`` is a French region name, not a US state, and
``detailUrl`` is our tracked redirect to the partner's page (``/go/<id>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request
from lxml import etree

from indexer.base import Hit, SearchBackend, SearchQuery
from search_app.errors import bad_parameter
from search_app.filters import AFG_PARAMETERS, parse_afg
from search_app.i18n import current_language
from search_app.params import (
    DATE_ZONE,
    MAX_RESULT_WINDOW,
    Args,
    ParameterError,
    param_integer,
    param_value,
    reject_repeated,
)
from search_app.services import backend
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.html import to_text
from volunteer_hub.core.opportunity import Location, Opportunity
from volunteer_hub.core.taxonomy import cause_label

bp = Blueprint("volopps", __name__, url_prefix="/api")

VERSION = "1.1"
DEFAULT_NUM = 10
MAX_NUM = 100
# start + num - 1 may reach this far: a misaligned window is read from two pages of ``num``.
MAX_END = MAX_RESULT_WINDOW - MAX_NUM
# AFG's query parameters, in its documentation's order (``key`` accepted and ignored).
PARAMETERS = ("q", "vol_loc", "vol_dist", "num", "start", "output", "timeperiod", "category", "sort", "key")
OUTPUTS = ("json", "rss")
SORTS = {"relevance": "relevance", "date": "soonest", "distance": "nearest"}  # AFG name -> ours
FP_NAMESPACE = "http://www.allforgood.org/"
AFG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # AFG's "2010-05-08 09:00:00", local time
# Characters XML 1.0 cannot carry at all (partner text is untrusted).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Item fields in the order AFG listed them; every value a string except ``categories``.
ITEM_FIELDS = (
    "id",
    "title",
    "description",
    "detailUrl",
    "xml_url",
    "startDate",
    "endDate",
    "openEnded",
    "virtual",
    "location_name",
    "street1",
    "city",
    "region",
    "postalCode",
    "country",
    "latlong",
    "categories",
    "sponsoringOrganizationName",
    "skills",
    "minAge",
    "commitmentHoursPerWeek",
    "pubDate",
    "provider",
    "language",
)


@dataclass
class VolOppsRequest:
    """A parsed ``/api/volopps`` request: the search, the 0-based offset, the count, the output."""

    query: SearchQuery
    offset: int = 0
    num: int = DEFAULT_NUM
    output: str = "json"


def parse_volopps(args: Args, *, today: date | None = None, lang: str = "fr") -> VolOppsRequest:
    """AFG query parameters -> our ``SearchQuery``; ``ParameterError`` names any bad one.

    The filter parameters (q, vol_loc, vol_dist, category, timeperiod) are declared with the
    filters they feed (``search_app.filters``); paging, output and order are AFG's own.
    """
    reject_repeated(args, allowed=[afg.name for afg in AFG_PARAMETERS if afg.repeatable])
    query = SearchQuery(lang=lang)
    parse_afg(args, query, today or datetime.now(DATE_ZONE).date())

    sort = param_value(args, "sort").lower() or "relevance"
    if sort not in SORTS:
        raise ParameterError("sort", f"expected one of: {', '.join(SORTS)}")
    if sort == "distance" and query.near is None:
        raise ParameterError("sort", "'distance' needs a place (vol_loc)")
    query.sort = SORTS[sort]

    num = param_integer(args, "num", default=DEFAULT_NUM, low=1, high=MAX_NUM)
    start = param_integer(args, "start", default=1, low=1, high=MAX_END)
    if start - 1 + num > MAX_END:
        raise ParameterError("start", f"too deep: only the first {MAX_END} results can be read")
    output = param_value(args, "output").lower() or "json"
    if output not in OUTPUTS:
        raise ParameterError("output", f"expected one of: {', '.join(OUTPUTS)}")
    return VolOppsRequest(query=query, offset=start - 1, num=num, output=output)


def fetch(search_backend: SearchBackend, wanted: VolOppsRequest) -> list[Hit]:
    """The ``num`` hits from the 0-based ``offset``: one page of ``num``, or two when misaligned."""
    num, offset = wanted.num, wanted.offset
    page = offset // num + 1
    skip = offset - (page - 1) * num
    first = search_backend.search(replace(wanted.query, page=page, per_page=num))
    hits = first.hits[skip:]
    if skip and len(hits) < num and first.total > offset + len(hits):
        second = search_backend.search(replace(wanted.query, page=page + 1, per_page=num))
        hits += second.hits[: num - len(hits)]
    return hits


# -- output -------------------------------------------------------------------------------------
def item_payload(hit: Hit, query: SearchQuery, root_url: str) -> dict[str, Any]:
    """One opportunity as an AFG item: strings everywhere, ``categories`` a list of English names."""
    opp = hit.opportunity
    place = _place(opp, query.near)
    quoted = quote(opp.id, safe="")
    return {
        "id": opp.id,
        "title": opp.title,
        "description": opp.summary or to_text(opp.description),
        "detailUrl": f"{root_url}/go/{quoted}",
        "xml_url": f"{root_url}/o/{quoted}",
        "startDate": _afg_date(opp.start),
        "endDate": _afg_date(None if opp.open_ended else opp.end),
        "openEnded": "Yes" if opp.open_ended or (opp.start is None and opp.end is None) else "No",
        "virtual": "Yes" if opp.remote else "No",
        "location_name": place.name or "",
        "street1": place.street or "",
        "city": place.city or "",
        "region": place.region or "",
        "postalCode": place.postal_code or "",
        "country": place.country or "",
        "latlong": f"{place.lat},{place.lon}" if place.has_point else "",
        "categories": [cause_label(code, "en") for code in opp.causes],
        "sponsoringOrganizationName": opp.organization.name,
        "skills": ", ".join(opp.skills),
        "minAge": "" if opp.min_age is None else str(opp.min_age),
        "commitmentHoursPerWeek": _number(opp.commitment_hours_per_week),
        "pubDate": format_datetime(opp.posted) if opp.posted else "",
        "provider": opp.partner,
        "language": opp.language,
    }


def volopps_payload(hits: list[Hit], query: SearchQuery, *, href: str, root_url: str, now: datetime) -> dict:
    """The AFG JSON envelope around the items."""
    return {
        "lastBuildDate": format_datetime(now),
        "version": VERSION,
        "language": query.lang,
        "href": href,
        "description": "Volunteer opportunities (All for Good compatible API)",
        "items": [item_payload(hit, query, root_url) for hit in hits],
    }


def volopps_rss(payload: dict[str, Any]) -> bytes:
    """RSS 2.0 for an AFG payload: standard item elements, then every field as ``fp:<name>``."""
    fp = f"{{{FP_NAMESPACE}}}"
    rss = etree.Element("rss", version="2.0", nsmap={"fp": FP_NAMESPACE})
    channel = etree.SubElement(rss, "channel")
    for name, value in (
        ("title", "Volunteer opportunities"),
        ("link", payload["href"]),
        ("description", payload["description"]),
        ("language", payload["language"]),
        ("lastBuildDate", payload["lastBuildDate"]),
    ):
        _add(channel, name, value)
    for item in payload["items"]:
        element = etree.SubElement(channel, "item")
        _add(element, "title", item["title"])
        _add(element, "link", item["detailUrl"])
        _add(element, "description", item["description"])
        guid = _add(element, "guid", item["xml_url"])
        guid.set("isPermaLink", "true")
        if item["pubDate"]:
            _add(element, "pubDate", item["pubDate"])
        for label in item["categories"]:
            _add(element, "category", label)
        for name in ITEM_FIELDS:
            value = item[name]
            _add(element, fp + name, ", ".join(value) if isinstance(value, list) else value)
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8")


@bp.get("/volopps")
def volopps() -> Response | tuple[Response, int]:
    """Search in the All for Good way; JSON (default) or RSS (``output=rss``)."""
    try:
        wanted = parse_volopps(request.args, lang=current_language())
    except ParameterError as err:
        return bad_parameter(err)
    hits = fetch(backend(), wanted)
    root_url = request.url_root.rstrip("/")
    payload = volopps_payload(hits, wanted.query, href=request.url, root_url=root_url, now=_now())
    if wanted.output == "rss":
        return Response(volopps_rss(payload), mimetype="application/rss+xml")
    return jsonify(payload)


# -- helpers ------------------------------------------------------------------------------------
def _now() -> datetime:
    return datetime.now(DATE_ZONE).replace(microsecond=0)


def _place(opp: Opportunity, near: tuple[float, float] | None) -> Location:
    """The location to show: the nearest to the searched point, else the first; empty when none."""
    if not opp.locations:
        return Location()
    if near is None:
        return opp.locations[0]
    located = [loc for loc in opp.locations if loc.has_point]
    if not located:
        return opp.locations[0]
    return min(located, key=lambda loc: distance_km(near[0], near[1], loc.lat, loc.lon))  # type: ignore[arg-type]


def _afg_date(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(DATE_ZONE)
    return value.strftime(AFG_DATE_FORMAT)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def _add(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text or "")
    return element
