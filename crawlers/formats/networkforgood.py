"""Network for Good "VolunteerOpportunities" XML (AmeriCorps, SeniorCorps, ServeNet, MENTOR...).

<VolunteerOpportunities xmlns="http://www.networkforgood.org/VolunteerOpportunities.xsd">
<VolunteerOpportunity><LocalID/><DateListed/><Title/><DetailURL/><Abstract/><Description/>
<Categories><Category><CategoryID/></Category></Categories><Locations><Location>
<City/><StateOrProvince/><ZipOrPostalCode/><Country/></Location></Locations>
<OpportunityDates><OpportunityDate><StartDate/><EndDate/><Duration/></OpportunityDate>
</OpportunityDates><SponsoringOrganizations><SponsoringOrganization><Name/>...

Feeds are often iso-8859-1. Categories are numeric ids; they are passed on as
"networkforgood:<id>" so a partner override can map them, and the text decides otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.fpxml import add_duration
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import children, find, iter_elements, text

# Local times without a zone: read in the zone of the item's place (the normalizer finds it);
# these are the conventions of a US-wide feed for an item that names no place.
US_COUNTRY, US_TIMEZONE = "US", "America/New_York"
NAME = "networkforgood"


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    if found is None or found.root != "VolunteerOpportunities":
        return False
    return "networkforgood.org/VolunteerOpportunities" in found.namespace or found.has("LocalID")


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    for elem in iter_elements(data, {"VolunteerOpportunity"}):
        yield _opportunity(elem)


def _opportunity(elem: etree._Element) -> RawOpportunity:
    description = text(elem, "Description") or text(elem, "Abstract")
    raw = RawOpportunity(
        source_id=text(elem, "LocalID"),
        title=text(elem, "Title"),
        description=description.replace("^", "'") if description else None,  # the feeds' apostrophe
        url=text(elem, "DetailURL"),
        posted=text(elem, "DateListed"),
        updated=text(elem, "DateListed"),
        line=elem.sourceline,
        default_country=US_COUNTRY,
        default_timezone=US_TIMEZONE,
    )
    sponsor = find(elem, "SponsoringOrganizations", "SponsoringOrganization")
    raw.organization_name = text(sponsor, "Name")
    raw.organization_url = text(sponsor, "URL")
    for category in children(find(elem, "Categories"), "Category"):
        value = text(category, "CategoryID") or text(category, "CategoryName")
        if value:
            raw.categories.append(f"networkforgood:{value}" if value.isdigit() else value)
    raw.categories = list(dict.fromkeys(raw.categories))
    keywords = text(elem, "KeyWords")
    if keywords:
        raw.categories.extend(k.strip() for k in keywords.split(",") if k.strip())

    for loc in children(find(elem, "Locations"), "Location"):
        if (text(loc, "Virtual") or "").lower() in ("yes", "true", "1"):
            raw.remote = True
            continue
        street = " ".join(p for p in (text(loc, "Address1"), text(loc, "Address2")) if p) or None
        location = RawLocation(
            street=street,
            city=text(loc, "City"),
            region=text(loc, "StateOrProvince"),
            postal_code=text(loc, "ZipOrPostalCode"),
            country=text(loc, "Country"),
            lat=text(loc, "Latitude"),
            lon=text(loc, "Longitude"),
        )
        if any(vars(location).values()):
            raw.locations.append(location)

    starts, ends = [], []
    dates = children(find(elem, "OpportunityDates"), "OpportunityDate")
    for date in dates:
        # <StartTime>/<EndTime> (as All for Good's parser read them): a 6-9 pm session is not a day.
        day, end_day = text(date, "StartDate"), text(date, "EndDate")
        start_time, end_time = _clock(text(date, "StartTime")), _clock(text(date, "EndTime"))
        quantity, unit = text(date, "Duration", "DurationQuantity"), text(date, "Duration", "DurationUnit")
        if day:
            starts.append(_at(day, start_time))
        if end_day or (day and end_time):
            ends.append(_at(end_day or day, end_time))
        elif day and quantity and unit:  # a start and a length: over after that length
            end = add_duration(_at(day, start_time), f"P{quantity.strip()}{unit.strip().upper()[:1]}")
            if end:
                ends.append(end)
        if quantity and unit and not raw.schedule:
            raw.schedule = _duration_label(quantity, unit)
    raw.start = min(starts) if starts else None
    raw.end = max(ends) if ends else None
    # All for Good's parser: an <OpportunityDate> makes the listing dated (openEnded No), none
    # makes it open-ended. A dated listing with no end is over after its start day.
    raw.open_ended = not dates
    return raw


def _at(day: str, time: str | None) -> str:
    """``day`` at ``time`` ("2009-03-01", "18:00:00" -> "2009-03-01T18:00:00"), the day alone without."""
    return f"{day}T{time}" if time and "T" not in day else day


_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])?\.?\s*m?\.?$", re.I)


def _clock(value: str | None) -> str | None:
    """A time of day as HH:MM:SS ("18:30", "6:30 PM", "06:30:00"), None when it is not one."""
    m = _CLOCK.match((value or "").strip())
    if not m:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    if m.group(4):
        hour = hour % 12 + (12 if m.group(4).lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return f"{hour:02d}:{minute:02d}:{second:02d}"


_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day", "H": "hour"}


def _duration_label(quantity: str, unit: str) -> str:
    name = _UNITS.get(unit.strip().upper()[:1], unit.strip().lower())
    return f"{quantity} {name}{'' if quantity.strip() == '1' else 's'}"


FORMAT = FeedFormat(
    name=NAME,
    label='Network for Good "VolunteerOpportunities"',
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={
        "en": "Network for Good “VolunteerOpportunities” XML.",
        "fr": "XML « VolunteerOpportunities » de Network for Good.",
    },
    items="`<VolunteerOpportunity>` elements",
    detected_by="root `<VolunteerOpportunities>` in its namespace or with `<LocalID>`",
    details="""\
Network for Good "VolunteerOpportunities" (AmeriCorps, SeniorCorps, ServeNet...).
`LocalID, Title, DetailURL, Description` (else `Abstract`), `DateListed`,
`SponsoringOrganizations/SponsoringOrganization/Name`, `OpportunityDates/OpportunityDate
{StartDate, EndDate, Duration}`, `Locations/Location{Address1, City, StateOrProvince,
ZipOrPostalCode, Country, Virtual}`, `Categories/Category/CategoryID` (passed on as
`networkforgood:<id>`, which a partner override can map to a cause). Times are taken as US
Eastern when the feed gives none.""",
    example="""\
<VolunteerOpportunities xmlns="http://www.networkforgood.org/VolunteerOpportunities.xsd">
 <VolunteerOpportunity><LocalID>4379</LocalID><Title>Tutor</Title><DetailURL>https://nfg.example/4379</DetailURL>
  <Locations><Location><StateOrProvince>WA</StateOrProvince><Country>USA</Country></Location></Locations>
  <OpportunityDates><OpportunityDate><StartDate>2027-01-09</StartDate><EndDate>2027-07-12</EndDate></OpportunityDate></OpportunityDates>
  <SponsoringOrganizations><SponsoringOrganization><Name>RSVP</Name></SponsoringOrganization></SponsoringOrganizations>
 </VolunteerOpportunity></VolunteerOpportunities>""",
)
