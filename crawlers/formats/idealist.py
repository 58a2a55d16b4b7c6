"""Idealist.org's feed: Atom entries with Google Base ``g:`` and ``awb:`` fields.

<feed xmlns:g="http://base.google.com/ns/1.0" xmlns:awb="http://base.google.com/cns/1.0">
<entry><title/><link href/><id/><author><name/><uri/></author><published/><updated/>
<category term/><summary/><content type="xhtml"/><g:expiration_date/>
<g:event_date_range><g:start/><g:end/></g:event_date_range><awb:city/><awb:state/>
<awb:country/><awb:postalcode/><g:location/><g:employer/><g:age_range/>...</entry></feed>

The sample feeds omit the Atom namespace, so elements are matched by local name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import children, find, iter_elements, local, text

NAME = "idealist"
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


def sniff(head: bytes) -> bool:
    # Idealist's Atom declares Google Base's custom namespace on its root; the word "idealist.org"
    # anywhere in the content says nothing (an FPXML feed's <feedID> may contain it).
    found = xml_head(head)
    return found is not None and found.root == "feed" and found.declares("base.google.com/cns")


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    for elem in iter_elements(data, {"entry"}):
        yield _entry(elem)


def _entry(elem: etree._Element) -> RawOpportunity:
    link = next(
        (c.get("href") for c in children(elem, "link") if c.get("rel", "alternate") == "alternate"), None
    )
    raw = RawOpportunity(
        source_id=text(elem, "id") or link,
        title=text(elem, "title"),
        description=_content(elem) or text(elem, "summary"),
        url=link,
        organization_name=text(elem, "employer") or text(elem, "author", "name"),
        organization_url=text(elem, "author", "uri"),
        categories=[
            c.get("term", "").strip() for c in children(elem, "category") if c.get("term", "").strip()
        ],
        posted=text(elem, "published") or text(elem, "publish_date"),
        updated=text(elem, "updated"),
        expires=text(elem, "expiration_date"),
        start=text(elem, "event_date_range", "start"),
        end=text(elem, "event_date_range", "end"),
        line=elem.sourceline,
    )
    content = find(elem, "content")
    if content is not None:
        raw.language = content.get("{http://www.w3.org/XML/1998/namespace}lang")
    raw.open_ended = raw.end is None
    location = RawLocation(
        city=text(elem, "city"),
        region=text(elem, "state"),
        postal_code=text(elem, "postalcode"),
        country=text(elem, "country"),
    )
    if not any(vars(location).values()) and text(elem, "location"):
        location.name = text(elem, "location")
    if any(vars(location).values()):
        raw.locations.append(location)
    age = text(elem, "age_range")
    if age:
        raw.categories.append(age)
    return raw


def _content(elem: etree._Element) -> str | None:
    """The entry's content as HTML: inner markup of an xhtml ``<div>``, else its text."""
    content = find(elem, "content")
    if content is None:
        return None
    if content.get("type") == "xhtml":
        div = next((c for c in content if local(c.tag) == "div"), None)
        if div is not None:
            parts = [div.text or ""]
            for child in div:
                child_html = etree.tostring(child, encoding="unicode", with_tail=True)
                parts.append(_XMLNS.sub("", child_html))
            return "".join(parts).strip() or None
    return text(elem, "content")


FORMAT = FeedFormat(
    name=NAME,
    label="Idealist Atom",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={"en": "Idealist.org Atom.", "fr": "Atom d’Idealist.org."},
    items="`<entry>` elements",
    detected_by="root `<feed>` declaring the `base.google.com/cns` namespace",
    details="""\
Atom `entry` (with or without the Atom namespace): `id, title, link, author{name, uri},
published, updated, category@term, content` (xhtml kept as HTML), `g:event_date_range{g:start,
g:end}, g:expiration_date, g:employer, g:age_range, awb:city, awb:state, awb:country,
awb:postalcode` (else `g:location` as a place name).""",
    example="""\
<feed xmlns:g="http://base.google.com/ns/1.0" xmlns:awb="http://base.google.com/cns/1.0">
 <entry><id>https://idealist.example/o/1</id><title>Teacher</title><link href="https://idealist.example/o/1"/>
  <g:event_date_range><g:start>2027-02-25T05:00:00Z</g:start></g:event_date_range>
  <awb:city>Accra</awb:city><awb:country>Ghana</awb:country></entry></feed>""",
)
