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

from collections.abc import Iterator

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.xmlsafe import children, find, iter_elements, text

US_TIMEZONE = "America/New_York"  # the feed gives local times without a zone; a US-wide feed
NAME = "networkforgood"


def sniff(head: bytes) -> bool:
    return b"networkforgood.org/VolunteerOpportunities" in head or (
        b"<VolunteerOpportunities" in head and b"<LocalID>" in head
    )


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
        timezone=US_TIMEZONE,
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
    for date in children(find(elem, "OpportunityDates"), "OpportunityDate"):
        if text(date, "StartDate"):
            starts.append(text(date, "StartDate"))
        if text(date, "EndDate"):
            ends.append(text(date, "EndDate"))
        quantity, unit = text(date, "Duration", "DurationQuantity"), text(date, "Duration", "DurationUnit")
        if quantity and unit and not raw.schedule:
            raw.schedule = _duration_label(quantity, unit)
    raw.start = min(starts) if starts else None
    raw.end = max(ends) if ends else None
    raw.open_ended = not ends
    return raw


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
    detected_by="its namespace or `<LocalID>`",
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
