"""Web pages carrying schema.org data (JSON-LD or microdata), read with extruct.

An opportunity is a ``JobPosting`` whose ``employmentType`` includes VOLUNTEER, an ``Event``
(or a subtype), or an object whose type names a volunteer action ("VolunteerAction",
"VolunteerOpportunity"...). Paid job postings and other objects are ignored. A page may hold
several opportunities (a ``@graph``, a list, an ``ItemList``).

``parse(data)`` reads one page (``volunteer-hub validate page.html``); the website spider
(``crawlers/spiders/schemaorg.py``) calls ``parse_page(data, url)`` for every page it visits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import extruct

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head

NAME = "schemaorg"
EVENT_TYPES = frozenset(
    (
        "Event BusinessEvent ChildrensEvent CourseInstance EducationEvent ExhibitionEvent Festival FoodEvent "
        "Hackathon LiteraryEvent MusicEvent SaleEvent SocialEvent SportsEvent TheaterEvent VisualArtsEvent"
    ).split()
)
MAX_PAGE_BYTES = 5 * 1024 * 1024
logging.getLogger("extruct").setLevel(logging.CRITICAL)


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and (found.root.lower() == "html" or found.doctype == "html")


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    return parse_page(data, None)


def parse_page(data: bytes, url: str | None) -> Iterator[RawOpportunity | ParseProblem]:
    if len(data) > MAX_PAGE_BYTES:
        yield ParseProblem(f"the page {url or ''} is larger than 5 MB; skipped", severity="warning")
        return
    try:
        found = extruct.extract(
            data, base_url=url, syntaxes=["json-ld", "microdata"], uniform=True, errors="ignore"
        )
    except Exception as exc:  # noqa: BLE001 - extruct raises whatever its parsers raise
        yield ParseProblem(
            f"could not read the structured data of {url or 'the page'}: {exc}", severity="warning"
        )
        return
    objects = [o for syntax in ("json-ld", "microdata") for o in found.get(syntax) or []]
    for index, obj in enumerate(_walk(objects)):
        kind = _opportunity_kind(obj)
        if kind:
            yield _to_raw(obj, kind, url, index)


def _walk(objects: Any) -> Iterator[dict[str, Any]]:
    """Every dict in the extracted data, following @graph, lists and ItemList elements."""
    if isinstance(objects, list):
        for obj in objects:
            yield from _walk(obj)
    elif isinstance(objects, dict):
        if "@graph" in objects:
            yield from _walk(objects["@graph"])
        if _types(objects) & {"ItemList"}:
            for element in _list(objects.get("itemListElement")):
                yield from _walk(element.get("item", element) if isinstance(element, dict) else element)
            return
        yield objects


def _types(obj: dict[str, Any]) -> set[str]:
    return {str(t).rsplit("/", 1)[-1] for t in _list(obj.get("@type"))}


def _opportunity_kind(obj: dict[str, Any]) -> str | None:
    types = _types(obj)
    if "JobPosting" in types:
        employment = " ".join(str(e) for e in _list(obj.get("employmentType"))).upper()
        return "job" if "VOLUNTEER" in employment or "BENEVOL" in employment else None
    if any("volunteer" in t.lower() for t in types):
        return "volunteer"
    if types & EVENT_TYPES:
        return "event"
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _str(value: Any) -> str | None:
    """A plain string out of a value, a list's first value, or an object's name/value/@id."""
    for item in _list(value):
        if isinstance(item, dict):
            item = item.get("value") or item.get("name") or item.get("@value") or item.get("@id")
        if item not in (None, ""):
            return str(item).strip() or None
    return None


def _to_raw(obj: dict[str, Any], kind: str, page_url: str | None, index: int) -> RawOpportunity:
    organization = obj.get("hiringOrganization") or obj.get("organizer") or obj.get("agent") or {}
    organization = _list(organization)[0] if _list(organization) else {}
    url = _str(obj.get("url")) or page_url
    raw = RawOpportunity(
        source_id=_str(obj.get("identifier")) or _str(obj.get("@id")) or _str(obj.get("url")),
        title=_str(obj.get("title")) or _str(obj.get("name")),
        description=_str(obj.get("description")),
        url=url,
        organization_name=_str(organization.get("name"))
        if isinstance(organization, dict)
        else _str(organization),
        organization_url=(
            _str(organization.get("url") or organization.get("sameAs"))
            if isinstance(organization, dict)
            else None
        ),
        posted=_str(obj.get("datePosted")) or _str(obj.get("datePublished")),
        updated=_str(obj.get("dateModified")),
        expires=_str(obj.get("validThrough")),
        start=_str(obj.get("startDate")) or _str(obj.get("jobStartDate")),
        end=_str(obj.get("endDate")),
        language=_str(obj.get("inLanguage")),
        skills=[s for s in (_str(x) for x in _list(obj.get("skills"))) if s],
        schedule=_str(obj.get("workHours")),
    )
    if raw.source_id is None and page_url:
        raw.source_id = f"{page_url}#{index}" if index else page_url
    for key in ("occupationalCategory", "industry", "keywords", "about", "category"):
        for value in _list(obj.get(key)):
            text = _str(value)
            if text:
                raw.categories.extend(t.strip() for t in text.split(",") if t.strip())
    places = _list(obj.get("jobLocation")) + _list(obj.get("location"))
    for place in places:
        if isinstance(place, dict) and _types(place) & {"VirtualLocation"}:
            raw.remote = True
            continue
        location = _location(place)
        if location is not None:
            raw.locations.append(location)
    remote_markers = " ".join(
        str(x) for x in _list(obj.get("jobLocationType")) + _list(obj.get("eventAttendanceMode"))
    )
    if "TELECOMMUTE" in remote_markers.upper() or "OnlineEventAttendanceMode" in remote_markers:
        raw.remote = True
    raw.open_ended = raw.end is None and kind != "event"
    return raw


def _location(place: Any) -> RawLocation | None:
    if isinstance(place, str):
        return RawLocation(name=place.strip()) if place.strip() else None
    if not isinstance(place, dict):
        return None
    address = place.get("address") if "address" in place else place
    geo = place.get("geo") if isinstance(place.get("geo"), dict) else {}
    if isinstance(address, str):
        location = RawLocation(name=_str(place.get("name")), street=address)
    elif isinstance(address, dict):
        location = RawLocation(
            name=_str(place.get("name")) if address is not place else None,
            street=_str(address.get("streetAddress")),
            city=_str(address.get("addressLocality")),
            postal_code=_str(address.get("postalCode")),
            region=_str(address.get("addressRegion")),
            country=_str(address.get("addressCountry")),
        )
    else:
        location = RawLocation(name=_str(place.get("name")))
    location.lat, location.lon = _str(geo.get("latitude")), _str(geo.get("longitude"))
    return location if any(vars(location).values()) else None


FORMAT = FeedFormat(
    name=NAME,
    label="schema.org web pages",
    detect=sniff,
    parse=parse,
    syntax="html",
    description={
        "en": "No feed but a website: we read schema.org JSON-LD or microdata "
        "(JobPosting of type VOLUNTEER, Event) on your pages.",
        "fr": "Pas de flux mais un site : nous lisons le JSON-LD ou les microdonnées schema.org "
        "(JobPosting de type VOLUNTEER, Event) de vos pages.",
    },
    items="schema.org `VolunteerAction`, `JobPosting` or `Event` objects (JSON-LD or microdata)",
    detected_by="root `<html>` or `<!DOCTYPE html>` (website spider)",
    details="""\
For partners with a website and no feed. A page's JSON-LD (including `@graph` and `ItemList`)
and microdata are read with extruct. An opportunity is a `JobPosting` whose `employmentType`
contains `VOLUNTEER`, an `Event` (or subtype), or a type naming a volunteer action
(`VolunteerAction`...). Paid job postings are ignored. Fields: `identifier`/`@id`/`url`,
`title`/`name`, `description`, `url`, `hiringOrganization`/`organizer` (`name`,
`url`/`sameAs`), `jobLocation`/`location` (`Place` with a `PostalAddress` and `geo`;
`VirtualLocation`, `jobLocationType: TELECOMMUTE` or online attendance mode = remote),
`startDate`/`jobStartDate`, `endDate`, `datePosted`, `validThrough` (expiry),
`occupationalCategory`/`industry`/`keywords`/`about` (categories), `skills`, `workHours`.

The website spider starts at the partner's URL and stays on its host **and path** (the URL's
directory). It reads the sitemaps robots.txt declares (`Sitemap:` lines) and `sitemap.xml`
(site root and that directory; sitemap indexes followed), follows links, obeys robots.txt,
visits at most `VH_SITE_MAX_PAGES` (500) pages and `DEPTH_LIMIT` (4) clicks, and lists each
opportunity once. A page that cannot be fetched (network error, 5xx) fails the run, so nothing
is removed; a 404 is just a warning.

No need to set this format by hand: `volunteer-hub partners add ID --url https://site/` (and
the portal's sign-up) looks at the site once, the same way but bounded (25 pages, 30 s), says
what it found ("schema.org pages: 12 opportunities via sitemap.xml") and pins `schemaorg` on
the partner.""",
    example="""\
<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting",
 "title": "Aide aux devoirs", "employmentType": "VOLUNTEER", "identifier": "m-12",
 "url": "https://asso.example/missions/m-12", "hiringOrganization": {"name": "Les Amis"},
 "jobLocation": {"@type": "Place", "address": {"addressLocality": "Rennes", "postalCode": "35000"}}}
</script></head></html>""",
    mapping={
        "title": "title / name",
        "url": "url",
        "id": "identifier / @id",
        "description": "description",
        "organization": "hiringOrganization / organizer",
        "place": "jobLocation / location",
        "remote": "TELECOMMUTE, VirtualLocation",
        "dates": "startDate, endDate",
        "expires": "validThrough",
        "categories": "occupationalCategory, keywords",
        "skills": "skills",
    },
    spider="site",
    fallback=True,  # any web page
)
