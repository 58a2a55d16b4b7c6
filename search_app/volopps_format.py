"""All for Good's answer shapes: the JSON envelope and items, and RSS 2.0 with ``fp:`` elements.

Field names, order and value types follow AFG's ``frontend/apiwriter.py`` (JsonApiWriter and
RssApiWriter) as its Solr back end filled them: ``virtual`` and ``openEnded`` booleans,
``version``, ``quality_score``, ``interest_count`` and ``impressions`` numbers, dates as
``"YYYY-MM-DD HH:MM:SS"`` in the event's own time. Fields we have no data for (contacts,
audience) are ``""``, as AFG sent them for listings without them. The OpenAPI schemas of both
shapes are declared here, next to the code that writes them.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from indexer.base import Hit, SearchQuery
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.html import to_text
from volunteer_hub.core.opportunity import Location, Opportunity
from volunteer_hub.core.taxonomy import cause_label

VERSION = 1.0  # AFG's JSON "version", a number
QUALITY_SCORE = 0.1  # AFG's own constant ("TODO: implement quality score"); we have none either
FP_NAMESPACE = "http://www.allforgood.org/"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
GEORSS_NAMESPACE = "http://www.georss.org/georss"
GML_NAMESPACE = "http://www.opengis.net/gml"
RSS_TYPE = "application/rss+xml"
AFG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"  # str(datetime) in AFG: "2010-05-08 09:00:00"
AFG_TIME_FORMAT = "%H:%M:%S"
# Characters XML 1.0 cannot carry at all (partner text is untrusted).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_STRING: dict[str, Any] = {"type": "string"}
_BOOLEAN: dict[str, Any] = {"type": "boolean"}
_AFG_DATE = {"type": "string", "description": "The event's own local time, 'YYYY-MM-DD HH:MM:SS', or ''."}
_AFG_TIME = {"type": "string", "description": "The event's own local time of day, 'HH:MM:SS', or ''."}
_UNKNOWN = {"type": "string", "const": "", "description": "We have no such data: always ''."}

# Every item field in AFG's JsonApiWriter order (then ours: commitmentHoursPerWeek, language),
# with its OpenAPI schema. AFG's backfill_* fields (its own radius widening) are not sent.
ITEM_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": _STRING,
    "title": _STRING,
    "description": {"type": "string", "description": "Plain-text summary."},
    "pubDate": {"type": "string", "description": "RFC 822 date the partner posted it, or ''."},
    "groupid": {"type": "string", "description": "Stable id of the merged copies (ours: the id)."},
    "provider": {"type": "string", "description": "The partner feed's id (vol_provider filters on it)."},
    "startDate": _AFG_DATE,
    "endDate": _AFG_DATE,
    "base_url": {"type": "string", "description": "Stable id, as AFG's Solr back end gave it."},
    "xml_url": {"type": "string", "description": "Our page for the opportunity (/o/<id>)."},
    "url_short": {"type": "string", "description": "Host name of the partner's page."},
    "latlong": {"type": "string", "description": "'lat,lon' or ''."},
    "location_name": {"type": "string", "description": "The place as one line ('City, Region 12345')."},
    "interest_count": {"type": "integer", "const": 0},
    "impressions": {"type": "integer", "const": 0},
    "quality_score": {"type": "number", "const": QUALITY_SCORE},
    "categories": {"type": "array", "items": _STRING, "description": "English cause names."},
    "skills": _STRING,
    "virtual": {**_BOOLEAN, "description": "Can be done remotely."},
    "addr1": {"type": "string", "description": "Full address of the place shown (may change, as in AFG)."},
    "addrname1": {"type": "string", "description": "Name of the place shown, or ''."},
    "sponsoringOrganizationName": _STRING,
    "openEnded": {**_BOOLEAN, "description": "No end date (ongoing), or no dates at all."},
    "startTime": _AFG_TIME,
    "endTime": _AFG_TIME,
    "contactNoneNeeded": _UNKNOWN,
    "contactEmail": _UNKNOWN,
    "contactPhone": _UNKNOWN,
    "contactName": _UNKNOWN,
    "detailUrl": {"type": "string", "description": "Tracked redirect to the partner's page (/go/<id>)."},
    "audienceAll": _UNKNOWN,
    "audienceAge": _UNKNOWN,
    "minAge": {
        "anyOf": [{"type": "integer", "minimum": 0}, {"const": ""}],
        "description": "Minimum age, or '' when unknown.",
    },
    "audienceSexRestricted": _UNKNOWN,
    "street1": _STRING,
    "street2": _UNKNOWN,
    "city": _STRING,
    "region": _STRING,
    "postalCode": _STRING,
    "country": {"type": "string", "description": "ISO 3166-1 alpha-2 code, or ''."},
    "commitmentHoursPerWeek": {"type": "string", "description": "Hours a week, or ''."},
    "language": {"type": "string", "description": "Language the listing is written in."},
}
ITEM_FIELDS = tuple(ITEM_SCHEMAS)

ITEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An opportunity in All for Good's item shape and types; '' for unknown values.",
    "additionalProperties": False,
    "required": list(ITEM_FIELDS),
    "properties": ITEM_SCHEMAS,
}
ENVELOPE_FIELDS = ("lastBuildDate", "version", "language", "href", "description", "items")


def response_schema(item_ref: dict[str, Any], max_items: int) -> dict[str, Any]:
    """The JSON envelope's OpenAPI schema (``item_ref`` points at ``ITEM_SCHEMA``)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(ENVELOPE_FIELDS),
        "properties": {
            "lastBuildDate": {"type": "string", "description": "RFC 822 date."},
            "version": {"type": "number", "const": VERSION},
            "language": _STRING,
            "href": {"type": "string", "description": "The URL that was asked."},
            "description": _STRING,
            "items": {"type": "array", "items": item_ref, "maxItems": max_items},
        },
    }


def item_payload(hit: Hit, query: SearchQuery, root_url: str) -> dict[str, Any]:
    """One opportunity as an AFG item (every field of ``ITEM_FIELDS``, in order)."""
    opp = hit.opportunity
    place = _place(opp, query.near)
    quoted = quote(opp.id, safe="")
    open_ended = opp.open_ended or (opp.start is None and opp.end is None)
    end = None if opp.open_ended else opp.end
    item: dict[str, Any] = {
        "id": opp.id,
        "title": opp.title,
        "description": opp.summary or to_text(opp.description),
        "pubDate": format_datetime(opp.posted) if opp.posted else "",
        "groupid": opp.id,
        "provider": opp.partner,
        "startDate": _local(opp.start, AFG_DATE_FORMAT),
        "endDate": _local(end, AFG_DATE_FORMAT),
        "base_url": opp.id,
        "xml_url": f"{root_url}/o/{quoted}",
        "url_short": urlsplit(opp.url).netloc,
        "latlong": f"{place.lat},{place.lon}" if place.has_point else "",
        "location_name": _one_line(place, street=False),
        "interest_count": 0,
        "impressions": 0,
        "quality_score": QUALITY_SCORE,
        "categories": [cause_label(code, "en") for code in opp.causes],
        "skills": ", ".join(opp.skills),
        "virtual": opp.remote,
        "addr1": _one_line(place, street=True),
        "addrname1": place.name or "",
        "sponsoringOrganizationName": opp.organization.name,
        "openEnded": open_ended,
        "startTime": _local(opp.start, AFG_TIME_FORMAT),
        "endTime": _local(end, AFG_TIME_FORMAT),
        "detailUrl": f"{root_url}/go/{quoted}",
        "minAge": "" if opp.min_age is None else opp.min_age,
        "street1": place.street or "",
        "city": place.city or "",
        "region": place.region or "",
        "postalCode": place.postal_code or "",
        "country": place.country or "",
        "commitmentHoursPerWeek": _number(opp.commitment_hours_per_week),
        "language": opp.language,
    }
    return {name: item.get(name, "") for name in ITEM_FIELDS}


def volopps_payload(
    hits: list[Hit], query: SearchQuery, *, href: str, root_url: str, now: datetime
) -> dict[str, Any]:
    """AFG's JSON envelope around the items."""
    return {
        "lastBuildDate": format_datetime(now),
        "version": VERSION,
        "language": query.lang,
        "href": href,
        "description": "Volunteer opportunities (All for Good compatible API)",
        "items": [item_payload(hit, query, root_url) for hit in hits],
    }


def volopps_rss(payload: dict[str, Any], *, site_url: str) -> bytes:
    """RSS 2.0 as AFG's RssApiWriter wrote it: an ``atom:link rel=self``, standard item elements,
    then every item field as ``fp:<name>`` (booleans "True"/"False", categories comma-joined)."""
    fp = f"{{{FP_NAMESPACE}}}"
    nsmap = {"georss": GEORSS_NAMESPACE, "gml": GML_NAMESPACE, "atom": ATOM_NAMESPACE, "fp": FP_NAMESPACE}
    rss = etree.Element("rss", version="2.0", nsmap=nsmap)  # type: ignore[arg-type]
    channel = etree.SubElement(rss, "channel")
    _add(channel, "title", "Volunteer opportunities")
    _add(channel, "link", site_url)
    etree.SubElement(channel, f"{{{ATOM_NAMESPACE}}}link", href=payload["href"], rel="self", type=RSS_TYPE)
    _add(channel, "description", payload["description"])
    _add(channel, "language", payload["language"])
    _add(channel, "pubDate", payload["lastBuildDate"])
    _add(channel, "lastBuildDate", payload["lastBuildDate"])
    for item in payload["items"]:
        element = etree.SubElement(channel, "item")
        _add(element, "title", item["title"])
        _add(element, "link", item["detailUrl"])
        _add(element, "description", item["description"])
        if item["pubDate"]:
            _add(element, "pubDate", item["pubDate"])
        guid = _add(element, "guid", item["xml_url"])
        guid.set("isPermaLink", "true")
        for label in item["categories"]:
            _add(element, "category", label)
        for name in ITEM_FIELDS:
            _add(element, fp + name, _rss_text(item[name]))
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8")


# -- helpers ------------------------------------------------------------------------------------
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


def _one_line(place: Location, *, street: bool) -> str:
    """'Street, City, Region 12345' (AFG's location string); ``street`` adds the street and name."""
    tail = " ".join(part for part in (place.region, place.postal_code) if part)
    parts = [place.street if street else None, place.city, tail or None]
    line = ", ".join(part for part in parts if part)
    return line or ("" if street else place.name or "")


def _local(value: datetime | None, fmt: str) -> str:
    """A date-time in the event's own zone, as stored with the record (never converted)."""
    return "" if value is None else value.strftime(fmt)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _rss_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)  # AFG: str(True) -> "True"
    if isinstance(value, list):
        return ",".join(value)  # AFG's categories_api_str
    return str(value)


def _add(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text or "")
    return element
