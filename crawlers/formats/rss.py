"""RSS 2.0 and Atom, through feedparser (which also handles georss, dc:creator and dates).

The place usually sits in the text of generic feeds: a ``georss:point`` gives coordinates,
and a "Lieu : Rennes (35000)" / "Location: Leeds" line or a bare postal code gives the city.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawlers.formats.base import FeedError, ParseProblem, RawLocation, RawOpportunity

NAME = "rss"

_PLACE_LINE = re.compile(
    r"(?:lieu|adresse|où|location|where|place)\s*:\s*(?P<place>[^\n<]{2,80})", re.I
)
_CITY_POSTCODE = re.compile(r"^(?P<city>[^()\d]+?)\s*\(?(?P<pc>\d{5})\)?\s*$")
_POSTCODE_CITY = re.compile(r"^(?P<pc>\d{5})\s+(?P<city>.+)$")


def sniff(head: bytes) -> bool:
    lowered = head.lower()
    return b"<rss" in lowered or b"<feed" in lowered or b"<rdf:rdf" in lowered


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if feed.bozo and not feed.entries:
        raise FeedError(f"not a readable RSS/Atom feed: {feed.get('bozo_exception')}")
    if feed.bozo:
        yield ParseProblem(
            f"the feed is not well-formed XML ({feed.get('bozo_exception')}); items were recovered",
            severity="warning",
        )
    for entry in feed.entries:
        yield _entry(entry)


def _entry(entry: Any) -> RawOpportunity:
    content = entry.get("content") or []
    description = content[0].get("value") if content else entry.get("summary") or entry.get("description")
    raw = RawOpportunity(
        source_id=entry.get("id") or entry.get("guid") or entry.get("link"),
        title=entry.get("title"),
        description=description,
        url=entry.get("link"),
        organization_name=entry.get("author") or entry.get("dc_creator"),
        categories=[t.get("term") for t in entry.get("tags") or [] if t.get("term")],
        posted=_struct(entry.get("published_parsed")) or entry.get("published"),
        updated=_struct(entry.get("updated_parsed")) or entry.get("updated"),
        language=entry.get("language"),
    )
    location = RawLocation()
    point = entry.get("where") or {}
    coords = point.get("coordinates") if isinstance(point, dict) else None
    if coords and len(coords) >= 2:
        # GeoJSON order from feedparser's georss support: (lon, lat)
        location.lon, location.lat = coords[0], coords[1]
    elif entry.get("georss_point"):
        parts = str(entry["georss_point"]).split()
        if len(parts) == 2:
            location.lat, location.lon = parts
    place = _PLACE_LINE.search(description or "")
    if place:
        _fill_place(location, place.group("place").strip())
    if any(v is not None for v in vars(location).values()):
        raw.locations.append(location)
    return raw


def _fill_place(location: RawLocation, place: str) -> None:
    place = place.strip().rstrip(".")
    if m := _CITY_POSTCODE.match(place):
        location.city, location.postal_code = m.group("city").strip(" ,-"), m.group("pc")
    elif m := _POSTCODE_CITY.match(place):
        location.city, location.postal_code = m.group("city").strip(), m.group("pc")
    else:
        location.city = place.split(",")[0].strip()


def _struct(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime(*value[:6], tzinfo=UTC)
