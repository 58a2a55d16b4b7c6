"""USA Service (usaservice.org) event RSS: ``<item>``s with a ``db:event`` extension.

The published feed is broken: bare ``<item>`` elements with no ``<rss>`` root and no
declaration of the ``db:`` prefix. We wrap it in a root that declares the prefix (only after
the same entity check as every XML feed) and say so in a warning. Its geodata is
inconsistent (a venue in Seoul with country US, an Illinois zip code and Washington DC
coordinates): the normalizer checks coordinates against the stated city and flags them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import check_no_entities, find, iter_elements, text

# Local times without a zone: read in the zone of the event's place (the normalizer finds it);
# these are the conventions of a US-wide feed for an event that names no place.
US_COUNTRY, US_TIMEZONE = "US", "America/New_York"
NAME = "usaservice"
DB_NAMESPACE = "urn:x-volunteer-hub:usaservice-db"
_DECLARATION = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*", re.S)


def sniff(head: bytes) -> bool:
    # Bare <item>s (or an RSS root) whose items carry the db:event extension element.
    found = xml_head(head)
    return found is not None and found.root in ("item", "rss", "channel") and "db:event" in found.elements


def wrap(data: bytes) -> tuple[bytes, bool]:
    """Give rootless ``<item>`` sequences a root declaring ``db:``; (data, was it wrapped)."""
    check_no_entities(data)
    body = _DECLARATION.sub(b"", data, count=1)
    if body.startswith((b"<rss", b"<channel", b"<rdf")) and b"xmlns:db" in body[:4096]:
        return data, False
    declaration = b'<?xml version="1.0" encoding="utf-8"?>'
    match = _DECLARATION.match(data)
    if match and match.group(1):
        declaration = match.group(1)
    if body.startswith(b"<rss"):  # a root, but no db: declaration: add it on the root
        root = b'<rss xmlns:db="' + DB_NAMESPACE.encode() + b'"'
        return declaration + root + body[len(b"<rss") :], True
    opening = b'<rss version="2.0" xmlns:db="' + DB_NAMESPACE.encode() + b'"><channel>'
    return declaration + opening + body + b"</channel></rss>", True


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    wrapped, changed = wrap(data)
    if changed:
        yield ParseProblem(
            "the feed has no <rss> root element or does not declare the db: namespace; "
            "it was read as if it had",
            line=1,
            severity="warning",
        )
    for elem in iter_elements(wrapped, {"item"}):
        yield _item(elem)


def _item(elem: etree._Element) -> RawOpportunity:
    event = find(elem, "event")
    raw = RawOpportunity(
        source_id=text(elem, "guid") or text(elem, "link"),
        title=text(elem, "title") or text(event, "title"),
        description=text(elem, "description") or text(event, "abstract"),
        url=text(elem, "link") or text(event, "rsvp"),
        categories=[c for c in (text(event, "eventType"), text(event, "categories")) if c],
        line=elem.sourceline,
        open_ended=False,
        default_country=US_COUNTRY,
        default_timezone=US_TIMEZONE,
    )
    when = text(event, "scheduledTime", "dateTime")
    raw.start = when or text(elem, "pubDate")
    minutes = text(event, "scheduledTime", "length")
    if when and minutes and minutes.isdigit():
        try:
            start = datetime.fromisoformat(when)
            raw.end = start + timedelta(minutes=int(minutes))
            raw.start = start
        except ValueError:
            pass
    address = find(event, "address")
    location = RawLocation(
        name=text(event, "venue_name"),
        street=text(address, "street"),
        city=text(address, "city"),
        region=text(address, "state"),
        postal_code=text(address, "zipcode"),
        country=text(address, "country"),
        lat=text(event, "latitude"),
        lon=text(event, "longitude"),
    )
    if any(vars(location).values()):
        raw.locations.append(location)
    return raw


FORMAT = FeedFormat(
    name=NAME,
    label="usaservice.org event RSS",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={"en": "usaservice.org event RSS.", "fr": "RSS d’événements usaservice.org."},
    items="`<item>` elements with `<db:event>`",
    detected_by="`<item>`s (or an RSS root) with `<db:event>`",
    details="""\
RSS items with `db:event{db:eventType, db:venue_name, db:address{db:street, db:city,
db:state, db:zipcode, db:country}, db:scheduledTime{db:dateTime, db:length (minutes)},
db:latitude, db:longitude}`. The real feed has no root element and no namespace declaration:
it is wrapped (after the entity check) and a warning says so. Its geodata is checked like every
format's (below).""",
    example="""\
<item><title>Park clean-up</title><link>https://usa.example/e/1</link><guid>https://usa.example/e/1</guid>
 <db:event><db:address><db:city>Chicago</db:city><db:state>IL</db:state><db:country>US</db:country></db:address>
 <db:scheduledTime><db:dateTime>2027-05-09 09:00:00</db:dateTime><db:length>120</db:length></db:scheduledTime>
 </db:event></item>""",
)
