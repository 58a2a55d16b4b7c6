"""FPXML 0.1, the All for Good "Footprint" feed format.

<FootprintFeed><FeedInfo/><Organizations><Organization/>...</Organizations>
<VolunteerOpportunities><VolunteerOpportunity/>...</VolunteerOpportunities></FootprintFeed>

Organizations are referenced by id from ``sponsoringOrganizationIDs``; a reference to a
missing organization is a warning, not a rejection (the opportunity is still useful).

Places and times follow the spec (spec/spec0.1.xsd): a location's country defaults to "US";
start/end times are in their ``olsonTZ`` attribute's zone, else in the zone of the first
location (the normalizer finds it), else, for a virtual opportunity, America/Los_Angeles. The
zone of ``lastUpdated`` or of the feed's ``createdDateTime`` says nothing about the event's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat, SourceField
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import ChildIndex, children, find, iter_elements, local, text

NAME = "fpxml"
SPEC_COUNTRY = "US"  # <location><country>: "Optional. Default is "US"."
SPEC_TIMEZONE = "America/Los_Angeles"  # times of a virtual opportunity, and dateTimeOlsonDefaultPacific


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and found.root in ("FootprintFeed", "VolunteerOpportunities")


def _yes(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in {"yes", "true", "1", "y"}


@dataclass
class _Organization:
    name: str | None = None
    url: str | None = None
    detail_url: str | None = None
    logo: str | None = None
    description: str | None = None
    ids: dict[str, str] = field(default_factory=dict)


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    organizations: dict[str, _Organization] = {}
    feed_timezone: str | None = None
    for elem in iter_elements(data, {"FeedInfo", "Organization", "VolunteerOpportunity"}):
        if local(elem.tag) == "FeedInfo":
            created = find(elem, "createdDateTime")
            feed_timezone = created.get("olsonTZ") if created is not None else None
            continue
        if local(elem.tag) == "Organization":
            org_id = text(elem, "organizationID")
            if org_id:
                ids = {"ein": text(elem, "nationalEIN"), "guidestar": text(elem, "guidestarID")}
                organizations[org_id] = _Organization(
                    name=text(elem, "name"),
                    url=text(elem, "organizationURL"),
                    detail_url=text(elem, "detailURL"),
                    logo=text(elem, "logoURL"),
                    description=text(elem, "description") or text(elem, "missionStatement"),
                    ids={k: v for k, v in ids.items() if v},
                )
            continue
        yield from _opportunity(elem, organizations, feed_timezone)


def _opportunity(
    elem: etree._Element,
    organizations: dict[str, _Organization],
    feed_timezone: str | None = None,
) -> Iterator[RawOpportunity | ParseProblem]:
    fields = ChildIndex(elem)
    source_id = fields.text("volunteerOpportunityID")
    raw = RawOpportunity(
        source_id=source_id,
        title=fields.text("title"),
        description=fields.text("description") or fields.text("abstract"),
        url=fields.text("detailURL"),
        skills=[s for s in [fields.text("skills")] if s],
        min_age=fields.text("minimumAge"),
        requirements=[r for r in [_SEX_RESTRICTED.get((fields.text("sexRestrictedTo") or "").lower())] if r],
        paid=_yes(fields.text("paid")),
        posted=_zoned(fields.find("lastUpdated")),
        updated=_zoned(fields.find("lastUpdated")),
        expires=_zoned(fields.find("expires")),
        language=fields.text("language"),
        line=elem.sourceline,
        default_country=SPEC_COUNTRY,
        default_timezone=feed_timezone or SPEC_TIMEZONE,
    )
    for org_id_elem in children(fields.find("sponsoringOrganizationIDs"), "sponsoringOrganizationID"):
        org_id = (org_id_elem.text or "").strip()
        if org_id in organizations:
            org = organizations[org_id]
            raw.organization_name, raw.organization_url = org.name, org.url
            raw.organization_logo, raw.organization_description = org.logo, org.description
            raw.organization_ids = dict(org.ids)
            if not raw.url and (org.detail_url or raw.organization_url):
                raw.url = org.detail_url or raw.organization_url
                yield ParseProblem(
                    "the opportunity has no <detailURL>; volunteers are sent to its organization's page",
                    item=source_id,
                    line=elem.sourceline,
                    field="url",
                    severity="warning",
                )
            break
        if org_id:
            yield ParseProblem(
                f"sponsoringOrganizationID {org_id} refers to no <Organization> in the feed",
                item=source_id,
                line=org_id_elem.sourceline,
                field="organization",
                severity="warning",
            )
    if not raw.organization_name:
        raw.organization_name = fields.text("sponsoringOrganizationName")

    raw.categories = [
        (c.text or "").strip()
        for c in children(fields.find("categoryTags"), "categoryTag")
        if (c.text or "").strip()
    ]
    audiences = [
        (a.text or "").strip()
        for a in children(fields.find("audienceTags"), "audienceTag")
        if (a.text or "").strip()
    ]
    raw.categories.extend(audiences)
    _audience_facts(raw, audiences)

    for loc_elem in children(fields.find("locations"), "location"):
        loc = ChildIndex(loc_elem)
        if _yes(loc.text("virtual")):
            raw.remote = True
            continue
        raw.locations.append(
            RawLocation(
                name=loc.text("name") or loc.text("locationName"),
                street=" ".join(p for p in (loc.text(n) for n in _STREET_LINES) if p) or None,
                city=loc.text("city"),
                region=loc.text("region"),
                postal_code=loc.text("postalCode"),
                country=loc.text("country"),
                lat=loc.text("latitude"),
                lon=loc.text("longitude"),
            )
        )

    starts, ends, hours, open_ended = [], [], [], False
    schedules: list[str] = []
    durations = [ChildIndex(d) for d in children(fields.find("dateTimeDurations"), "dateTimeDuration")]
    for dtd in durations:
        recurrence, duration = dtd.text("iCalRecurrence"), dtd.text("duration")
        if recurrence:
            schedules.append(describe_recurrence(recurrence))
            raw.recurrence = "recurring"
            raw.time_of_week.extend(_days_of_week(recurrence))
        if _yes(dtd.text("timeFlexible")):
            schedules.append("flexible hours")
        start_time = dtd.text("startTime")
        if start_time and start_time[:2].isdigit() and int(start_time[:2]) >= EVENING_HOUR:
            raw.time_of_week.append("evenings")
        elif duration and not dtd.text("startDate"):
            schedules.append(describe_duration(duration))
        dtd_open = bool(_yes(dtd.text("openEnded")))
        open_ended = open_ended or dtd_open
        start_date, end_date = dtd.text("startDate"), dtd.text("endDate")
        start = _join(start_date, dtd.text("startTime")) if start_date else None
        if start:
            starts.append(start)
        if end_date:
            ends.append(_join(end_date, dtd.text("endTime")))
        elif start_date and dtd.text("endTime"):  # an evening on the start day
            ends.append(_join(start_date, dtd.text("endTime")))
        elif start and duration and not dtd_open:  # a one-off of a stated length
            end = add_duration(start, duration)
            if end:
                ends.append(end)
        if dtd.text("commitmentHoursPerWeek"):
            hours.append(dtd.text("commitmentHoursPerWeek"))
        raw.timezone = raw.timezone or _olson(dtd, "startTime", "endTime", "startDate", "endDate")
    if raw.timezone is None:  # leniency: an olsonTZ on a location (the spec puts none there)
        zones = (loc.get("olsonTZ") for loc in children(fields.find("locations"), "location"))
        raw.timezone = next((z for z in zones if _valid_zone(z)), None)
    # Several durations: the opportunity is available from the earliest start to the latest end
    # (ISO strings of the same shape compare in date order).
    raw.start = min(starts) if starts else None
    raw.end = max(ends) if ends else None
    raw.open_ended = open_ended or (not starts and not ends)
    raw.commitment_hours_per_week = hours[0] if hours else None
    if len(starts) > 1:
        schedules.append(f"{len(starts)} sessions")
    raw.schedule = "; ".join(dict.fromkeys(s for s in schedules if s)) or None
    if raw.recurrence is None and _one_off(durations):
        raw.recurrence = "one-off"
    yield raw


_STREET_LINES = ("streetAddress1", "streetAddress2", "streetAddress3")
_SEX_RESTRICTED = {"female": "Women only", "male": "Men only"}  # "Neither" (the default) states nothing
EVENING_HOUR = 17  # a start at 17:00 or later is an evening session
# audienceTag has no set domain: the tags that state a fact we keep (compared case-insensitively).
_MINORS_TAGS = frozenset(
    {"teens", "teen", "teenagers", "youth", "kids", "children", "high school students",
     "students (high school)", "under 18", "young people", "jeunes", "enfants", "adolescents", "ados"}
)  # fmt: skip
_GROUP_TAGS = frozenset({"groups", "group", "corporate groups", "groupes", "en groupe"})
_FAMILY_TAGS = frozenset(
    {"families", "family", "family-friendly", "family friendly", "familles", "en famille"}
)


def _audience_facts(raw: RawOpportunity, audiences: list[str]) -> None:
    """Teens/kids -> open to minors (unless a minimum age of 18 or more says otherwise), groups,
    families. A tag only ever says yes: no tag says nothing."""
    tags = {a.lower() for a in audiences}
    min_age = raw.min_age
    adult_only = str(min_age).strip().isdigit() and int(str(min_age).strip()) >= 18
    if tags & _MINORS_TAGS and not adult_only:
        raw.open_to_minors = True
    if tags & _GROUP_TAGS:
        raw.groups = True
    if tags & _FAMILY_TAGS:
        raw.family_friendly = True


def _days_of_week(rule: str) -> list[str]:
    """The parts of the week an iCal rule's BYDAY names: ["weekdays"], ["weekends"] or both."""
    parts = dict(p.split("=", 1) for p in rule.upper().removeprefix("RRULE:").split(";") if "=" in p)
    days = {d.strip()[-2:] for d in parts.get("BYDAY", "").split(",") if d.strip()}
    found = []
    if days & {"MO", "TU", "WE", "TH", "FR"}:
        found.append("weekdays")
    if days & {"SA", "SU"}:
        found.append("weekends")
    return found


def _one_off(durations: list[ChildIndex]) -> bool:
    """One dated session on one day, not repeated and not open-ended: a one-off event."""
    if len(durations) != 1:
        return False
    dtd = durations[0]
    start, end = dtd.text("startDate"), dtd.text("endDate")
    if not start or _yes(dtd.text("openEnded")) or dtd.text("iCalRecurrence") or dtd.text("duration"):
        return False
    return end is None or end[:10] == start[:10]


_DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
         "SA": "Saturday", "SU": "Sunday"}  # fmt: skip
_FREQ = {"DAILY": "daily", "WEEKLY": "weekly", "MONTHLY": "monthly", "YEARLY": "yearly"}
_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$")


def describe_recurrence(rule: str) -> str:
    """An iCal RRULE as short text: "FREQ=WEEKLY;BYDAY=SA,SU" -> "weekly on Saturday, Sunday"."""
    parts = dict(p.split("=", 1) for p in rule.upper().removeprefix("RRULE:").split(";") if "=" in p)
    freq = _FREQ.get(parts.get("FREQ", ""), "")
    if not freq:
        return rule.strip()[:100]
    interval = parts.get("INTERVAL", "1")
    text_ = (
        freq
        if interval in ("", "1")
        else f"every {interval} {freq.removesuffix('ly').replace('dai', 'day')}s"
    )
    days = [_DAYS[d[-2:]] for d in parts.get("BYDAY", "").split(",") if d[-2:] in _DAYS]
    if days:
        text_ += " on " + ", ".join(days)
    if parts.get("UNTIL"):
        text_ += f" until {parts['UNTIL'][:4]}-{parts['UNTIL'][4:6]}-{parts['UNTIL'][6:8]}"
    return text_


def describe_duration(value: str) -> str:
    """An ISO 8601 duration as short text: "P6M" -> "6 months"."""
    m = _ISO_DURATION.match(value.strip().upper())
    if not m or not any(m.groups()):
        return value.strip()[:50]
    names = ("year", "month", "week", "day", "hour", "minute")
    return ", ".join(
        f"{n} {name}{'s' if n != '1' else ''}" for n, name in zip(m.groups(), names, strict=True) if n
    )


def _join(date: str, time: str | None) -> str:
    return f"{date}T{time}" if time and "T" not in date else date


def _valid_zone(name: str | None) -> bool:
    try:
        return bool(name) and ZoneInfo(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        return False


def _olson(dtd: ChildIndex, *names: str) -> str | None:
    """The first valid ``olsonTZ`` on the duration itself or on one of its ``names`` children."""
    for candidate in (dtd.elem, *(dtd.find(n) for n in names)):
        if candidate is not None and _valid_zone(candidate.get("olsonTZ")):
            return candidate.get("olsonTZ")
    return None


def _zoned(elem: etree._Element | None) -> str | datetime | None:
    """A dateTimeOlsonDefaultPacific value: aware in its own ``olsonTZ`` when it has one; else
    as found (naive: read in the event's zone, which for a French feed is more likely right
    than the spec's Pacific default)."""
    value = (elem.text or "").strip() if elem is not None else ""
    if not value:
        return None
    zone = elem.get("olsonTZ") if elem is not None else None
    if not _valid_zone(zone):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))


def add_duration(start: str, duration: str) -> str | None:
    """``start`` (ISO date or date-time) plus an ISO 8601 duration ("P1D", "PT3H"), as ISO text."""
    m = _ISO_DURATION.match(duration.strip().upper())
    if not m or not any(m.groups()):
        return None
    try:
        moment = datetime.fromisoformat(start)
    except ValueError:
        return None
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in m.groups())
    delta = relativedelta(years=years, months=months, weeks=weeks, days=days, hours=hours, minutes=minutes)
    return (moment + delta).isoformat()


_CONTACT = "ignored, because it is personal data; volunteers sign up on the `detailURL` page"
FIELDS: tuple[SourceField, ...] = (
    SourceField("FeedInfo/providerID, providerName, feedID", "", "ignored, because the partner is known"),
    SourceField(
        "FeedInfo/createdDateTime", "", "its `olsonTZ`: the zone of naive times when nothing closer says"
    ),
    SourceField(
        "FeedInfo/providerURL, termsOfUse, description", "", "ignored, because they describe the feed"
    ),
    SourceField("Organization/organizationID", "", "joins `sponsoringOrganizationID`"),
    SourceField("Organization/name", "`organization.name`"),
    SourceField("Organization/organizationURL", "`organization.url`"),
    SourceField("Organization/detailURL", "`url`", "when the opportunity has no `detailURL` (warning)"),
    SourceField("Organization/logoURL", "`organization.logo`", "http(s) URL"),
    SourceField("Organization/description", "`organization.description`", "plain text"),
    SourceField(
        "Organization/missionStatement", "`organization.description`", "when there is no `description`"
    ),
    SourceField("Organization/nationalEIN", "`organization.ids.ein`"),
    SourceField("Organization/guidestarID", "`organization.ids.guidestar`"),
    SourceField(
        "Organization/location", "", "ignored, because the opportunity's own places are where volunteers go"
    ),
    SourceField("Organization/phone, fax, email", "", _CONTACT),
    SourceField("Organization/donateURL", "", "ignored, because we list volunteering, not donations"),
    SourceField(
        "volunteerOpportunityID", "`source_id`", "a repeated id: the first is kept, the others are errors"
    ),
    SourceField(
        "sponsoringOrganizationIDs/sponsoringOrganizationID", "`organization`", "the first one found"
    ),
    SourceField("sponsoringOrganizationName", "`organization.name`", "not in the spec; when no id resolves"),
    SourceField(
        "volunteerHubOrganizationIDs", "", "ignored, because the sponsor is the organization volunteers meet"
    ),
    SourceField("title", "`title`"),
    SourceField("abstract", "`description`", "when there is no `description`"),
    SourceField("description", "`description`", "sanitized HTML"),
    SourceField(
        "volunteersNeeded", "", "ignored, because it goes stale as volunteers sign up (and -8888 is unknown)"
    ),
    SourceField("rsvpCount", "", "ignored, as `volunteersNeeded`"),
    SourceField("dateTimeDuration/startDate, startTime", "`start`", "the earliest of all durations"),
    SourceField(
        "dateTimeDuration/endDate, endTime", "`end`", "the latest; an `endTime` alone ends the start day"
    ),
    SourceField("dateTimeDuration/olsonTZ (on startTime, endTime)", "zone of `start`, `end`"),
    SourceField("dateTimeDuration/openEnded", "`open_ended`"),
    SourceField(
        "dateTimeDuration/duration",
        "`end`, `schedule`",
        'start + duration when not open-ended; else "6 months" in `schedule`',
    ),
    SourceField(
        "dateTimeDuration/iCalRecurrence",
        "`recurrence`, `schedule`, `time_of_week`",
        "any rule: `recurring`; `BYDAY` gives weekdays/weekends; one dated day without one: `one-off`",
    ),
    SourceField("dateTimeDuration/timeFlexible", "`schedule`", 'Yes: "flexible hours"'),
    SourceField("dateTimeDuration/commitmentHoursPerWeek", "`commitment_hours_per_week`", "the first one"),
    SourceField("dateTimeDuration/startTime (17:00 or later)", "`time_of_week`", "`evenings`"),
    SourceField("location/virtual", "`remote`", "Yes: remote (the location is not a place)"),
    SourceField("location/name", "`locations[].name`"),
    SourceField("location/streetAddress1, streetAddress2, streetAddress3", "`locations[].street`", "joined"),
    SourceField("location/city, region, postalCode", "`locations[].city`, `region`, `postal_code`"),
    SourceField("location/country", "`locations[].country`", "default US, as the spec says"),
    SourceField(
        "location/latitude, longitude", "`locations[].lat`, `lon`", "kept unless far from the stated place"
    ),
    SourceField("location/directions", "", "ignored, because the detail page gives them"),
    SourceField("paid", "`compensation`", "Yes: **paid**, rejected with the reason `paid`"),
    SourceField(
        "audienceTags/audienceTag",
        "`open_to_minors`, `groups`, `family_friendly`; `causes`",
        "teens/youth/kids -> open to minors (not with a minimum age of 18+); groups; families; "
        "other tags (seniors, 55+...) only help the causes",
    ),
    SourceField("categoryTags/categoryTag", "`causes`", "through the bilingual category table"),
    SourceField("minimumAge", "`min_age`, `open_to_minors`", "under 18: open to minors; 18 or more: not"),
    SourceField(
        "sexRestrictedTo", "`requirements`", 'Female: "Women only"; Male: "Men only"; Neither: nothing'
    ),
    SourceField("skills", "`skills`", "one string, as given"),
    SourceField("contactName, contactPhone, contactEmail", "", _CONTACT),
    SourceField("detailURL", "`url`"),
    SourceField("language", "`language`", '"English" -> en, "fr-FR" -> fr'),
    SourceField("lastUpdated", "`posted`, `updated`", "in its `olsonTZ`"),
    SourceField("expires", "`expires`", "in its `olsonTZ`"),
    SourceField("self_directed, micro", "", "ignored, because no search filter uses them yet"),
    SourceField("Reviews/Review", "", "ignored, because we show no reviews"),
)


FORMAT = FeedFormat(
    name=NAME,
    label="FPXML 0.1",
    detect=sniff,
    parse=parse,
    syntax="xml",
    description={
        "en": "All for Good “Footprint” XML 0.1: several dates, places and organizations per item.",
        "fr": "XML « Footprint » 0.1 d’All for Good : plusieurs dates, lieux et organisations par mission.",
    },
    items="`<VolunteerOpportunity>` elements",
    detected_by="root `<FootprintFeed>` (or `<VolunteerOpportunities>`)",
    details="""\
Every field of the spec is read: several `dateTimeDuration`s (earliest start, latest end;
`openEnded`, `commitmentHoursPerWeek`), several `location`s (`virtual` = remote), organizations
referenced by `sponsoringOrganizationID` (a missing one is a warning), `olsonTZ` on
`startTime`/`endTime` (else the first location's zone; see docs/data-quality.md), a location's
country defaulting to "US" as the spec says, `expires`, `minimumAge`,
`skills`, `categoryTags`/`audienceTags`. A missing `detailURL` falls back to the
organization's page (warning). Duplicate `volunteerOpportunityID`s: the first is kept, the
others are reported.""",
    example="""\
<FootprintFeed schemaVersion="0.1">
 <FeedInfo><providerID>1</providerID>
  <createdDateTime olsonTZ="Europe/Paris">2026-11-01T10:00:00</createdDateTime></FeedInfo>
 <Organizations><Organization>
  <organizationID>1</organizationID><name>Banque Alimentaire</name></Organization></Organizations>
 <VolunteerOpportunities><VolunteerOpportunity>
  <volunteerOpportunityID>opp-1</volunteerOpportunityID>
  <sponsoringOrganizationIDs><sponsoringOrganizationID>1</sponsoringOrganizationID></sponsoringOrganizationIDs>
  <title>Tri des dons</title><detailURL>https://ba.example/opp-1</detailURL>
  <dateTimeDurations><dateTimeDuration><startDate>2027-01-09</startDate><endDate>2027-03-27</endDate></dateTimeDuration></dateTimeDurations>
  <locations><location><city>Rennes</city><postalCode>35000</postalCode><country>FR</country></location></locations>
 </VolunteerOpportunity></VolunteerOpportunities>
</FootprintFeed>""",
    mapping={
        "title": "title",
        "url": "detailURL",
        "id": "volunteerOpportunityID",
        "description": "description",
        "organization": "Organization/name",
        "place": "location (city, postalCode, country)",
        "remote": "location/virtual",
        "dates": "dateTimeDuration (startDate, endDate)",
        "expires": "expires",
        "categories": "categoryTags",
        "skills": "skills",
        "min_age": "minimumAge",
    },
    fields=FIELDS,
)
