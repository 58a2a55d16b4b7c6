"""The French "API Engagement" mission feed, read as its own importer reads it.

<source><publisher>...</publisher><mission><clientId/><title/>...<addresses><address>...
</address></addresses></mission>...</source>

The reference is API Engagement's importer (betagouv/api-engagement, ``api/src/jobs/import-missions/``):
what it accepts, we accept, with the same meaning. In particular:

* slash dates are read month first, as JavaScript's ``new Date("11/01/2025")`` does there
  (1 November 2025); an unambiguous day-first date (``25/12/2025``) is read day first, with a
  warning, because the importer cannot read it at all;
* ``remote`` takes every value its ``parseRemote`` takes (``oui``, ``hybride``, ``total``...);
  a ``full`` remote mission keeps its addresses;
* the flat (legacy) place's point comes from ``lonlat`` (either order, guessed as the importer
  guesses), else ``location{lat,lon}``, else ``lonLat`` (Service Civique: "lat,lon");
* a French postcode of fewer than 5 digits is padded with zeros (``4000`` -> ``04000``: feeds
  written by tools that read postcodes as numbers);
* ``openToMinors``, ``reducedMobilityAccessible``, ``closeToTransport`` are yes/true/1 (or
  "oui") for yes, any other value for no, absent for unknown (its ``parseBool``).

``FIELDS`` lists every field of the importer's ``MissionXML`` with what we do with it; it is the
API Engagement table of docs/formats.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from lxml import etree

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.feedformat import FeedFormat, SourceField
from crawlers.formats.sniff import xml_head
from crawlers.formats.xmlsafe import children, find, iter_elements, local, text

NAME = "api-engagement"

# parseRemote of the importer (utils/mission.ts): every other value is "no".
_REMOTE = {
    **dict.fromkeys(("no", "non", "false", "0"), "no"),
    **dict.fromkeys(("possible", "yes", "oui", "true", "1", "partiel", "partielle", "hybride"), "possible"),
    **dict.fromkeys(("full", "total", "100", "remote"), "full"),
}
_YES = frozenset({"yes", "true", "1", "oui", "vrai"})  # the importer's yes/true/1, and French
# "MM/DD/YYYY" or "MM-DD-YYYY", optionally followed by a time: JavaScript's reading of such dates.
_SLASH_DATE = re.compile(r"^(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4})(?P<rest>(?:[ T].*)?)$")
_RNA = re.compile(r"^W\d{9}$")
_FRANCE = frozenset({"", "fr", "france", "fra"})


def sniff(head: bytes) -> bool:
    found = xml_head(head)
    return found is not None and found.root == "source" and not found.namespace


def parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]:
    for elem in iter_elements(data, {"mission"}):
        yield from _mission(elem)


def _mission(elem: etree._Element) -> Iterator[RawOpportunity | ParseProblem]:
    item = text(elem, "clientId") or text(elem, "id")
    warnings: list[ParseProblem] = []

    def warn(message: str, field: str) -> None:
        warnings.append(
            ParseProblem(message, item=item, line=elem.sourceline, field=field, severity="warning")
        )

    remote_text = (text(elem, "remote") or "").strip().lower()
    remote = _REMOTE.get(remote_text, "no")
    if remote_text and remote_text not in _REMOTE:
        warn(f"unknown remote value {remote_text[:30]!r} (no, possible or full); read as no", "remote")
    raw = RawOpportunity(
        source_id=item,
        title=text(elem, "title"),
        description=text(elem, "description"),
        url=text(elem, "applicationUrl") or text(elem, "url"),
        organization_name=text(elem, "organizationName"),
        organization_url=text(elem, "organizationUrl"),
        organization_description=text(elem, "organizationDescription"),
        organization_logo=text(elem, "organizationLogo"),
        organization_ids=_organization_ids(elem, warn),
        categories=[d for d in [text(elem, "domain")] if d],
        remote=remote != "no",
        start=_date(text(elem, "startAt"), "startAt", warn),
        end=_date(text(elem, "endAt"), "endAt", warn),
        posted=_date(text(elem, "postedAt"), "postedAt", warn),
        updated=_date(text(elem, "updatedAt") or text(elem, "postedAt"), "updatedAt", lambda *_: None),
        language="fr",
        schedule=text(elem, "schedule"),
        skills=_list(elem, "softSkills") or _list(elem, "soft_skills"),
        requirements=_list(elem, "requirements"),
        open_to_minors=_bool(text(elem, "openToMinors")),
        accessible=_bool(text(elem, "reducedMobilityAccessible")),
        close_to_transport=_bool(text(elem, "closeToTransport")),
        min_age=text(elem, "minimumAge"),
        image=text(elem, "image"),
        compensation_amount=text(elem, "compensationAmount"),
        compensation_unit=text(elem, "compensationUnit"),
        compensation_kind=text(elem, "compensationType"),
        line=elem.sourceline,
    )
    raw.open_ended = raw.end is None
    for addr in children(find(elem, "addresses"), "address"):
        country = text(addr, "country")
        raw.locations.append(
            RawLocation(
                street=text(addr, "street"),
                city=text(addr, "city"),
                postal_code=_postal_code(text(addr, "postalCode"), country),
                department=text(addr, "departmentCode"),
                region=text(addr, "region"),
                country=country or "FR",
                lat=text(addr, "location", "lat"),
                lon=text(addr, "location", "lon"),
            )
        )
    if not raw.locations:
        flat = _flat_location(elem)
        if flat is not None:
            raw.locations.append(flat)
    yield from warnings
    yield raw


def _flat_location(elem: etree._Element) -> RawLocation | None:
    """The legacy one-place mission (``city``, ``postalCode``... on the mission itself)."""
    country = text(elem, "country") or text(elem, "countryCode")
    street = text(elem, "address") or text(elem, "adresse")
    city, postal_code = text(elem, "city"), text(elem, "postalCode")
    point = _flat_point(elem)
    if not (street or city or postal_code or point):
        return None
    lat, lon = point or (text(elem, "lat"), text(elem, "lon"))
    return RawLocation(
        street=street,
        city=city,
        postal_code=_postal_code(postal_code, country),
        department=text(elem, "departmentCode"),
        region=text(elem, "region"),
        country=country or "FR",
        lat=lat,
        lon=lon,
    )


def _flat_point(elem: etree._Element) -> tuple[float, float] | None:
    """(lat, lon) as the importer's ``getAddress`` reads it: ``lonlat`` first (either order:
    in France the smaller number is the longitude), else ``location``, else ``lonLat`` ("lat,lon")."""
    lonlat = _pair(text(elem, "lonlat"))
    if lonlat:
        a, b = lonlat  # "supposed lon, lat"
        little, big = min(a, b), max(a, b)
        if 4.3 < little < 8:  # mainland France east of 4.3°E: latitudes are above 41
            lat, lon = big, little
        elif not -90 <= b <= 90:
            lat, lon = a, b
        else:
            lat, lon = b, a
    elif _number(text(elem, "location", "lat")) and _number(text(elem, "location", "lon")):
        lat, lon = _number(text(elem, "location", "lat")), _number(text(elem, "location", "lon"))
    elif _pair(text(elem, "lonLat")):
        lat, lon = _pair(text(elem, "lonLat")) or (None, None)  # Service Civique: "lat,lon"
    else:
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _pair(value: str | None) -> tuple[float, float] | None:
    parts = (value or "").replace(" ", "").split(",")
    if len(parts) != 2:
        return None
    a, b = _number(parts[0]), _number(parts[1])
    return (a, b) if a and b else None  # the importer drops 0 as "missing", as we do


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _postal_code(value: str | None, country: str | None) -> str | None:
    """A French postcode written as a number ("4000") gets its leading zeros back ("04000")."""
    if value and value.isdigit() and len(value) < 5 and (country or "").strip().lower() in _FRANCE:
        return value.zfill(5)
    return value


def _date(value: str | None, name: str, warn) -> str | None:  # noqa: ANN001
    """``MM/DD/YYYY[ time]`` as ISO (``YYYY-MM-DD[Ttime]``); other shapes are left to the normalizer."""
    m = _SLASH_DATE.match(value.strip()) if value else None
    if not m:
        return value
    first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
    month, day = first, second
    if first > 12 and second <= 12:
        month, day = second, first
        warn(
            f"the {name} date {value!r} is day first; API Engagement reads slash dates month first "
            f"(MM/DD/YYYY) and cannot read this one: write {year:04d}-{month:02d}-{day:02d}",
            name,
        )
    try:
        date(year, month, day)
    except ValueError:
        return value  # an impossible date: the normalizer says so
    rest = m["rest"].strip()
    return f"{year:04d}-{month:02d}-{day:02d}" + (f"T{rest}" if rest else "")


def _bool(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in _YES


def _list(elem: etree._Element, name: str) -> list[str]:
    """A list field: ``<x><value>a</value><value>b</value></x>`` (or ``<item>``), else "a, b"."""
    node = find(elem, name)
    if node is None:
        return []
    parts = [
        text(child) for child in node if isinstance(child.tag, str) and local(child.tag) in ("value", "item")
    ]
    if not parts:
        parts = (text(node) or "").split(",")
    return [p.strip() for p in parts if p and p.strip()]


def _organization_ids(elem: etree._Element, warn) -> dict[str, str]:  # noqa: ANN001
    """RNA and SIREN (a SIRET gives both its SIRET and its SIREN), checked as the importer checks them."""
    ids: dict[str, str] = {}
    rna = re.sub(r"\s", "", text(elem, "organizationRNA") or text(elem, "organizationRna") or "").upper()
    if rna and _RNA.match(rna):
        ids["rna"] = rna
    elif rna:
        warn(f"organizationRNA {rna[:20]!r} is not an RNA number (W and 9 digits); ignored", "organization")
    siren = re.sub(r"\s", "", text(elem, "organizationSiren") or "")
    if siren.isdigit() and len(siren) == 14 and _luhn(siren):
        ids["siret"], ids["siren"] = siren, siren[:9]
    elif siren.isdigit() and len(siren) == 9 and _luhn(siren):
        ids["siren"] = siren
    elif siren:
        warn(f"organizationSiren {siren[:20]!r} is not a valid SIREN or SIRET; ignored", "organization")
    return ids


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


_IGNORED_ADMIN = "bookkeeping of API Engagement's own platform, nothing a volunteer reads"
FIELDS: tuple[SourceField, ...] = (
    SourceField("clientId", "`source_id`", "else `<id>`, else the `applicationUrl`"),
    SourceField("id", "`source_id`", "when there is no `clientId`"),
    SourceField("title", "`title`"),
    SourceField("description", "`description`", "HTML, sanitized"),
    SourceField("applicationUrl", "`url`", "else `<url>`; http(s) only"),
    SourceField("postedAt", "`posted` (and `updated` when there is no `updatedAt`)", "read as `startAt`"),
    SourceField(
        "startAt",
        "`start`",
        "ISO 8601, RFC 822, or `MM/DD/YYYY` (month first, as the importer); a time without a zone is "
        "the place's local time (the importer takes it as UTC)",
    ),
    SourceField("endAt", "`end`", "none: the mission is open-ended"),
    SourceField("domain", "`causes`", "our cause codes are API Engagement's domains"),
    SourceField("activity", "", "ignored, because it is API Engagement's own activity list, not a cause"),
    SourceField("tags", "", "ignored, because the importer keeps them only for its moderation"),
    SourceField("schedule", "`schedule`"),
    SourceField(
        "audience", "", "ignored, because it names who is *helped* (beneficiaries), not who volunteers"
    ),
    SourceField("publicBeneficiaries", "", "ignored, because it names the beneficiaries"),
    SourceField("publicsBeneficiaires", "", "ignored, because it names the beneficiaries"),
    SourceField("softSkills", "`skills`", "list: `<value>` children or comma-separated"),
    SourceField("soft_skills", "`skills`", "when there is no `softSkills`"),
    SourceField("romeSkills", "", "ignored, because they are France Travail job codes, not volunteer skills"),
    SourceField("requirements", "`requirements`", "list: `<value>` children or comma-separated"),
    SourceField(
        "remote",
        "`remote`",
        "`no non false 0` -> no; `possible yes oui true 1 partiel partielle hybride` and "
        "`full total 100 remote` -> yes; anything else -> no (warning); a `full` mission keeps its addresses",
    ),
    SourceField(
        "reducedMobilityAccessible", "`accessible`", "yes/true/1/oui -> true, other -> false, absent -> null"
    ),
    SourceField("closeToTransport", "`close_to_transport`", "as above"),
    SourceField("openToMinors", "`open_to_minors`", "as above"),
    SourceField("minimumAge", "`min_age`", "not in the importer; read when a feed has it"),
    SourceField("priority", "", f"ignored, because it is {_IGNORED_ADMIN}"),
    SourceField("metadata", "", f"ignored, because it is {_IGNORED_ADMIN}"),
    SourceField("places", "", "ignored, because the number of places goes stale as volunteers sign up"),
    SourceField("snu", "", "ignored, because it is a flag for the Service National Universel's own listings"),
    SourceField("snuPlaces", "", "ignored, as `snu`"),
    SourceField("image", "`image`", "http(s) URL"),
    SourceField(
        "compensationAmount",
        "`compensation.amount`",
        "more than 0: the mission is **paid** and rejected (reason `paid`); negative: rejected",
    ),
    SourceField(
        "compensationUnit", "`compensation.unit`", "hour/day/month/year (`heure`, `jour`, `mois`, `an`...)"
    ),
    SourceField("compensationType", "`compensation.kind`", "gross/net (`brut`/`net`)"),
    SourceField("addresses/address/street", "`locations[].street`"),
    SourceField("addresses/address/city", "`locations[].city`"),
    SourceField("addresses/address/postalCode", "`locations[].postal_code`", "French: padded to 5 digits"),
    SourceField("addresses/address/departmentCode", "", "ignored, because the postcode gives it"),
    SourceField("addresses/address/departmentName", "", "ignored, because the postcode gives it"),
    SourceField("addresses/address/region", "`locations[].region`", "French: from the postcode"),
    SourceField("addresses/address/country", "`locations[].country`", "default FR; `France` -> FR"),
    SourceField("addresses/address/location/lat, lon", "`locations[].lat`, `lon`", "kept, not geocoded"),
    SourceField("address", "`locations[].street`", "flat (legacy) place, when there is no `addresses`"),
    SourceField("adresse", "`locations[].street`", "when there is no `address`"),
    SourceField("city", "`locations[].city`", "flat place"),
    SourceField("postalCode", "`locations[].postal_code`", "flat place; French: padded to 5 digits"),
    SourceField("departmentCode", "", "ignored, because the postcode gives it"),
    SourceField("departmentName", "", "ignored, because the postcode gives it"),
    SourceField("region", "`locations[].region`", "flat place"),
    SourceField("country", "`locations[].country`", "flat place; default FR"),
    SourceField("countryCode", "`locations[].country`", "when there is no `country`"),
    SourceField(
        "lonlat", "`locations[].lat`, `lon`", 'flat place; "lon,lat" or "lat,lon", guessed as the importer'
    ),
    SourceField("location/lat, lon", "`locations[].lat`, `lon`", "flat place, when there is no `lonlat`"),
    SourceField("lonLat", "`locations[].lat`, `lon`", 'flat place; "lat,lon" (Service Civique), last resort'),
    SourceField("organizationName", "`organization.name`"),
    SourceField("organizationUrl", "`organization.url`", "http(s)"),
    SourceField("organizationDescription", "`organization.description`", "plain text"),
    SourceField("organizationLogo", "`organization.logo`", "http(s) URL"),
    SourceField("organizationRNA", "`organization.ids.rna`", "W + 9 digits, else ignored (warning)"),
    SourceField("organizationRna", "`organization.ids.rna`", "when there is no `organizationRNA`"),
    SourceField(
        "organizationSiren",
        "`organization.ids.siren` (and `siret`)",
        "a valid SIRET gives both; else ignored",
    ),
    SourceField(
        "organizationId", "", "ignored, because it is the publisher's internal id, not an official one"
    ),
    SourceField("organizationClientId", "", "ignored, as `organizationId`"),
    SourceField(
        "organizationStatusJuridique", "", "ignored, because the RNA/SIREN identify the organization"
    ),
    SourceField("organizationType", "", "ignored, as `organizationStatusJuridique`"),
    SourceField("organizationActions", "", "ignored, because it describes the organization, not the mission"),
    SourceField("keyActions", "", "ignored, as `organizationActions`"),
    SourceField(
        "organizationFullAddress", "", "ignored, because the mission's own places are where volunteers go"
    ),
    SourceField("organizationPostCode", "", "ignored, as `organizationFullAddress`"),
    SourceField("organizationCity", "", "ignored, as `organizationFullAddress`"),
    SourceField("organizationBeneficiaries", "", "ignored, because it names the beneficiaries"),
    SourceField("organizationBeneficiaires", "", "ignored, as `organizationBeneficiaries`"),
    SourceField("organizationReseaux", "", "ignored, because networks are not shown"),
    SourceField("parentOrganizationName", "", "ignored, as `organizationReseaux`"),
    SourceField("isAutonomy", "", "ignored, because it is a Service Civique programme flag"),
    SourceField("autonomyZips", "", "ignored, as `isAutonomy`"),
    SourceField("updatedAt", "`updated`", "not in the importer (it uses its sync time)"),
    SourceField(
        "publisher, lastBuildDate", "", "ignored, because the partner is known from its registration"
    ),
)


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
Read as API Engagement's own importer reads it (betagouv/api-engagement,
`api/src/jobs/import-missions/`): slash dates month first (`11/01/2025` is 1 November 2025),
every `remote` value it accepts, a published point kept (never replaced by a geocode), French
postcodes padded to 5 digits. A **paid** mission (`compensationAmount` above 0) is rejected with
the reason `paid` (an error in `validate`): volunteering is unpaid.""",
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
        "skills": "softSkills",
    },
    fields=FIELDS,
)
