"""VolunteerMatch "listings" XML (namespace http://www.volunteermatch.org, schema 2007/2).

<listings><created/><listing status="new"><key/><title/><description/> (escaped HTML)
<skill/><audiences><audience/></audiences><categories><category/></categories>
<duration ongoing="true"><listingTime><startTime/><endTime/></listingTime></duration>
<location><street1/><city/><region/><postalCode/><geolocation><latitude/><longitude/>
</geolocation></location><detailURL/><expires/><commitment><num/><duration/><period/>
</commitment><parent><key/><name/><URL/><detailURL/></parent></listing>

Field for field what the 2009 All for Good parser made of it (golden FPXML in the tests).
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import children, find, iter_elements, text

# Local times without a zone: read in the zone of the listing's place (the normalizer finds it);
# these are the conventions of a US-wide feed for a listing that names no place.
US_COUNTRY, US_TIMEZONE = "US", "America/New_York"
NAME = "volunteermatch"

# Hours in one unit, and units per week, for <commitment><num/><duration/><period/>.
_HOURS = {"hours": 1.0, "hour": 1.0, "days": 8.0, "day": 8.0, "minutes": 1 / 60}
_PER_WEEK = {"week": 1.0, "day": 7.0, "month": 12 / 52, "year": 1 / 52}


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and found.root == "listings" and "volunteermatch" in found.namespace.lower()


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    for elem in iter_elements(data, {"listing"}):
        yield from _listing(elem)


def _listing(elem: etree._Element) -> Iterator[RawOpportunity | ParseProblem]:
    key = text(elem, "key")
    parent = find(elem, "parent")
    raw = RawOpportunity(
        source_id=key,
        title=text(elem, "title"),
        description=text(elem, "description"),
        url=text(elem, "detailURL"),
        organization_name=text(parent, "name"),
        organization_url=text(parent, "URL"),
        expires=text(elem, "expires"),
        skills=[s for s in [text(elem, "skill")] if s],
        line=elem.sourceline,
        default_country=US_COUNTRY,
        default_timezone=US_TIMEZONE,
    )
    raw.categories = [c for c in (text(x) for x in children(find(elem, "categories"), "category")) if c]
    raw.categories += [a for a in (text(x) for x in children(find(elem, "audiences"), "audience")) if a]

    duration = find(elem, "duration")
    if duration is not None:
        raw.open_ended = duration.get("ongoing", "").lower() == "true"
        raw.start = _join(text(duration, "startDate"), text(duration, "listingTime", "startTime"))
        raw.end = _join(text(duration, "endDate"), text(duration, "listingTime", "endTime"))
        start_time, end_time = (
            text(duration, "listingTime", "startTime"),
            text(duration, "listingTime", "endTime"),
        )
        if start_time and end_time and raw.open_ended:
            raw.schedule = f"{start_time[:5]}–{end_time[:5]}"

    for loc in children(elem, "location"):
        raw.locations.append(
            RawLocation(
                street=" ".join(p for p in (text(loc, "street1"), text(loc, "street2")) if p) or None,
                city=text(loc, "city"),
                region=text(loc, "region"),
                postal_code=text(loc, "postalCode"),
                country=text(loc, "country"),
                lat=text(loc, "geolocation", "latitude"),
                lon=text(loc, "geolocation", "longitude"),
            )
        )
    if (elem.get("virtual") or text(elem, "virtual") or "").lower() == "true":
        raw.remote = True

    commitment = find(elem, "commitment")
    if commitment is not None:
        hours = _weekly_hours(
            text(commitment, "num"), text(commitment, "duration"), text(commitment, "period")
        )
        if hours is None:
            yield ParseProblem(
                "the <commitment> could not be read as hours per week; it was ignored",
                item=key,
                line=commitment.sourceline,
                field="commitment_hours_per_week",
                severity="warning",
            )
        raw.commitment_hours_per_week = hours
    yield raw


def _join(day: str | None, time: str | None) -> str | None:
    """A start/end date, with its time when the listing has both (a time alone is a schedule)."""
    if not day:
        return None
    return f"{day}T{time}" if time and "T" not in day else day


def _weekly_hours(num: str | None, unit: str | None, period: str | None) -> float | None:
    try:
        amount = float(num or "")
    except ValueError:
        return None
    per_unit = _HOURS.get((unit or "hours").strip().lower())
    per_week = _PER_WEEK.get((period or "week").strip().lower())
    if per_unit is None or per_week is None:
        return None
    return round(amount * per_unit * per_week, 2)


FORMAT = FeedFormat(
    name=NAME,
    label="VolunteerMatch listings",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={"en": "VolunteerMatch listings XML.", "fr": "XML « listings » de VolunteerMatch."},
    items="`<listing>` elements",
    detected_by="root `<listings>` in the volunteermatch namespace",
    details="""\
`key, title, description, skill, categories/category, audiences/audience, duration
(ongoing="true"; listingTime start/end times become the schedule), location{street1, city,
region, postalCode, geolocation{latitude, longitude}}, detailURL, expires, commitment{num,
duration, period}` (converted to hours per week), `parent{name, URL}` (the organization).
Checked against the 2009 All for Good parser's output.""",
    example="""\
<listings xmlns="http://www.volunteermatch.org"><listing><key>425</key><title>Visits</title>
 <duration ongoing="true"/>
 <location><city>Chicago</city><region>IL</region><postalCode>60645</postalCode></location>
 <detailURL>https://vm.example/opp/425</detailURL><parent><name>CJE SeniorLife</name></parent>
</listing></listings>""",
)
