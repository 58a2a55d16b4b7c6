"""RSS 2.0 and Atom, through feedparser (which also handles georss, dc:creator and dates).

The place usually sits in the text of generic feeds: a ``georss:point`` gives coordinates,
and a "Lieu : Rennes (35000)" / "Location: Leeds" line or a bare postal code gives the city.
"""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawlers.formats.base import FeedError, ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head
from crawlers.formats.textdates import parse_date_range

NAME = "rss"

_PLACE_LINE = re.compile(
    r"(?<![\w-])(?:lieux?|adresses?|où|locations?|where|places?)\s*:\s*(?P<place>[^\n<]{2,200})", re.I
)
_ITEM_START = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>]")
_DATE_LINE = re.compile(r"(?<![\w-])(?:dates?|when|quand)\s*:\s*(?P<when>[^\n<]{4,160})", re.I)
_PLACE_SEPARATORS = re.compile(r"\s*(?:;|\s/\s|\s\+\s|\bet\b|\band\b|(?<=\))\s*,)\s*")
_REMOTE_PLACE = re.compile(r"^(?:à distance|a distance|en ligne|remote|online|virtual|télébénévolat)\b", re.I)
_CITY_POSTCODE = re.compile(r"^(?P<city>[^()\d]+?)\s*\(?(?P<pc>\d{5})\)?\s*$")
_POSTCODE_CITY = re.compile(r"^(?P<pc>\d{5})\s+(?P<city>.+)$")


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and found.root.lower() in ("rss", "feed", "rdf")


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if feed.bozo and not feed.entries:
        raise FeedError(f"not a readable RSS/Atom feed: {feed.get('bozo_exception')}")
    broken = feed.get("bozo_exception")
    if feed.bozo and not isinstance(broken, xml.sax.SAXParseException):  # e.g. a mislabelled encoding
        yield ParseProblem(f"the feed was read with a workaround ({broken})", severity="warning")
    starts = _ITEM_START.finditer(data)
    position, line = 0, 1
    for entry in feed.entries:
        raw = _entry(entry)
        start = next(starts, None)  # feedparser keeps document order: the n-th item is the n-th tag
        if start is not None:
            line += data.count(b"\n", position, start.start())
            position = start.start()
            raw.line = line
        yield raw
    if isinstance(broken, xml.sax.SAXParseException):
        # Not well-formed (a truncated download, a cut-off file): the items after the break are
        # lost, so the run must fail rather than retire them.
        raise FeedError(f"the XML is malformed at line {broken.getLineNumber()}: {broken.getMessage()}")


def _entry(entry: Any) -> RawOpportunity:
    content = entry.get("content") or []
    description = content[0].get("value") if content else entry.get("summary") or entry.get("description")
    raw = RawOpportunity(
        source_id=entry.get("id") or entry.get("guid") or entry.get("link"),
        title=entry.get("title"),
        description=description,
        url=_detail_url(entry),
        organization_name=entry.get("author") or entry.get("dc_creator"),
        categories=[t.get("term") for t in entry.get("tags") or [] if t.get("term")],
        posted=_struct(entry.get("published_parsed")) or entry.get("published"),
        updated=_struct(entry.get("updated_parsed")) or entry.get("updated"),
        language=entry.get("language"),
    )
    _dates(raw, entry, description or "")
    if not raw.organization_name and entry.get("ev_organizer"):
        raw.organization_name = entry.get("ev_organizer")
    point = _point(entry)
    places = [
        part
        for m in _PLACE_LINE.finditer(description or "")
        for part in _PLACE_SEPARATORS.split(m.group("place").strip())
        if part and part.strip()
    ]
    for place in places:
        if _REMOTE_PLACE.match(place.strip()):
            raw.remote = True
            continue
        location = RawLocation()
        _fill_place(location, place.strip())
        raw.locations.append(location)
    if point:
        if raw.locations:  # the feed's one point belongs to the first place named
            raw.locations[0].lat, raw.locations[0].lon = point
        else:
            raw.locations.append(RawLocation(lat=point[0], lon=point[1]))
    return raw


def _detail_url(entry: Any) -> str | None:
    """The item's page: its ``alternate`` link, never an Atom ``rel=self`` (the API's own record)."""
    links = entry.get("links") or []
    if not links:
        return entry.get("link")
    return next((link.get("href") for link in links if link.get("rel", "alternate") == "alternate"), None)


def _point(entry: Any) -> tuple[Any, Any] | None:
    where = entry.get("where") or {}
    coords = where.get("coordinates") if isinstance(where, dict) else None
    if coords and len(coords) >= 2:
        return coords[1], coords[0]  # GeoJSON order from feedparser's georss support: (lon, lat)
    if entry.get("georss_point"):
        parts = str(entry["georss_point"]).split()
        if len(parts) == 2:
            return parts[0], parts[1]
    if entry.get("geo_lat") and entry.get("geo_long"):
        return entry["geo_lat"], entry["geo_long"]
    return None


def _dates(raw: RawOpportunity, entry: Any, description: str) -> None:
    """Event dates: ``ev:startdate``/``ev:enddate`` first, else a "Dates : ..." / "When: ..." line."""
    raw.start = entry.get("ev_startdate") or None
    raw.end = entry.get("ev_enddate") or None
    line = _DATE_LINE.search(description)
    found = parse_date_range(line.group("when")) if line else None
    if found is not None:
        raw.start = _more_precise(raw.start, found.start)
        raw.end = _more_precise(raw.end, found.end)
        if found.open_ended:
            raw.open_ended = True
    if raw.open_ended is None and (raw.start or raw.end):
        raw.open_ended = raw.end is None


def _more_precise(declared: Any, from_text: datetime | None) -> Any:
    """The declared date, unless it is a bare day that the text gives with its hours."""
    if from_text is None:
        return declared
    if declared is None:
        return from_text
    if (
        isinstance(declared, str)
        and declared.strip() == from_text.date().isoformat()
        and (from_text.hour or from_text.minute)
    ):
        return from_text
    return declared


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


FORMAT = FeedFormat(
    name=NAME,
    label="RSS 2.0 / Atom",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={
        "en": "RSS 2.0, RSS 1.0 or Atom; dates and places may be written in the text "
        "(“Lieu : Rennes (35000)”, “Date : samedi 13 février 2027”).",
        "fr": "RSS 2.0, RSS 1.0 ou Atom ; dates et lieux peuvent être écrits dans le texte "
        "(« Lieu : Rennes (35000) », « Date : samedi 13 février 2027 »).",
    },
    items="`<item>` (RSS) or `<entry>` (Atom) elements",
    detected_by="root `<rss>`, `<feed>` or `<rdf:RDF>`",
    details="""\
`guid`/`id`, `title`, `link`, `description`/`content`, `author`/`dc:creator` (organization),
`category`, `pubDate`/`published`/`updated`, `georss:point` (or `geo:lat`/`geo:long`). Event
dates from `ev:startdate`/`ev:enddate`, else from a line of the text: `Dates : du 1er avril 2027
au 30 juin 2027`, `Date : samedi 13 février 2027, de 10 h à 18 h`, `When: Saturday 20 February
2027, 09:00–16:00`, `à partir du 2 novembre 2026, mission sans date de fin`. Places from
`Lieu :`/`Lieux :`/`Location:`/`Where:` lines (one per line, or separated by `;`), such as
`Rennes (35000)` or `35000 Rennes`; `à distance`/`remote` marks the item remote.""",
    example="""\
<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"><channel><title>Agir</title>
 <item><title>Collecte</title><link>https://agir.example/m/1</link><guid>m-1</guid>
  <description><![CDATA[<p>Lieu : Rennes (35000)</p>
   <p>Date : samedi 13 février 2027, de 10 h à 18 h</p>]]></description>
  <ev:startdate>2027-02-13</ev:startdate></item>
</channel></rss>""",
    mapping={
        "title": "title",
        "url": "link",
        "id": "guid / id",
        "description": "description / content",
        "organization": "author / dc:creator",
        "place": "georss:point, “Lieu :” line",
        "remote": "“à distance” / “remote”",
        "dates": "ev:startdate, ev:enddate, “Date :” line",
        "categories": "category",
    },
    fallback=True,  # any RSS/Atom: the specific RSS and Atom dialects are tried first
)
