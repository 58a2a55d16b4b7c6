"""The French "API Engagement" mission feed.

<source><publisher>...</publisher><mission><clientId/><title/>...<addresses><address>...
</address></addresses></mission>...</source>

Its ``domain`` values are our cause codes; ``remote`` is no / possible / full. Older feeds
carry a flat ``city``/``postalCode`` instead of ``addresses``.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import children, find, iter_elements, text

NAME = "api-engagement"


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and found.root == "source" and not found.namespace


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    for elem in iter_elements(data, {"mission"}):
        yield _mission(elem)


def _mission(elem: etree._Element) -> RawOpportunity:
    remote = (text(elem, "remote") or "no").strip().lower()
    raw = RawOpportunity(
        source_id=text(elem, "clientId") or text(elem, "id"),
        title=text(elem, "title"),
        description=text(elem, "description"),
        url=text(elem, "applicationUrl") or text(elem, "url"),
        organization_name=text(elem, "organizationName"),
        organization_url=text(elem, "organizationUrl"),
        categories=[d for d in [text(elem, "domain")] if d],
        remote=remote in ("possible", "full"),
        start=text(elem, "startAt"),
        end=text(elem, "endAt"),
        posted=text(elem, "postedAt"),
        updated=text(elem, "updatedAt") or text(elem, "postedAt"),
        language="fr",
        line=elem.sourceline,
    )
    raw.open_ended = raw.end is None
    for addr in children(find(elem, "addresses"), "address"):
        raw.locations.append(
            RawLocation(
                street=text(addr, "street"),
                city=text(addr, "city"),
                postal_code=text(addr, "postalCode"),
                department=text(addr, "departmentCode"),
                region=text(addr, "region"),
                country=text(addr, "country") or "FR",
                lat=text(addr, "location", "lat"),
                lon=text(addr, "location", "lon"),
            )
        )
    if not raw.locations and (text(elem, "city") or text(elem, "postalCode")):
        raw.locations.append(
            RawLocation(
                city=text(elem, "city"),
                postal_code=text(elem, "postalCode"),
                department=text(elem, "departmentCode"),
                country=text(elem, "country") or "FR",
                lat=text(elem, "lat"),
                lon=text(elem, "lon"),
            )
        )
    if remote == "full":
        raw.locations = []
    return raw


FORMAT = FeedFormat(
    name=NAME,
    label="API Engagement",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={
        "en": "The French “API Engagement” mission feed; its domains are our causes.",
        "fr": "Le flux de missions « API Engagement » ; ses domaines sont nos causes.",
    },
    items="`<mission>` elements",
    detected_by="root `<source>` (no namespace)",
    details="""\
`clientId, title, description, applicationUrl, organizationName, postedAt, startAt, endAt,
domain` (our cause codes), `remote` (`no|possible|full`), `addresses/address{street, postalCode,
city, departmentCode, region, country, location{lat,lon}}`, or the flat legacy `city`/`postalCode`.""",
    example="""\
<source><publisher>Demo</publisher><mission><clientId>m-1</clientId><title>Tri</title>
 <applicationUrl>https://p.example/m-1</applicationUrl><domain>solidarite-insertion</domain><remote>no</remote>
 <addresses><address><city>Rennes</city><postalCode>35000</postalCode></address></addresses></mission></source>""",
    mapping={
        "title": "title",
        "url": "applicationUrl",
        "id": "clientId",
        "description": "description",
        "organization": "organizationName",
        "place": "addresses/address",
        "remote": "remote",
        "dates": "startAt, endAt",
        "categories": "domain",
    },
)
