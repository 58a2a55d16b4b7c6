"""Format guide for partners (``/partners/formats``): what we accept, an example of each, the mapping.

Strings go through flask-babel (``search_app/translations/fr``). The examples are read from
``docs/formats.md`` (the first fenced block of each format's section), so the operator
documentation and the partner guide never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import render_template
from flask_babel import lazy_gettext as _  # lazy: module-level strings, extracted as _()

from search_app.portal.blueprint import bp

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"

# (key, heading in docs/formats.md, code language); the first five are the common formats.
FORMATS = (
    ("fpxml", "FPXML 0.1", "xml"),
    ("rss", "RSS 2.0 / Atom", "xml"),
    ("api-engagement", "API Engagement", "xml"),
    ("schemaorg", "schema.org web pages (`schemaorg`)", "html"),
    ("csv", "CSV", "csv"),
    ("networkforgood", 'Network for Good "VolunteerOpportunities"', "xml"),
    ("volunteermatch", "VolunteerMatch listings", "xml"),
    ("idealist", "Idealist Atom", "xml"),
    ("usaservice", "usaservice.org event RSS", "xml"),
)
COMMON = 5

# What each format is, for partners (translated in translations/fr).
DESCRIPTIONS = {
    "fpxml": _("All for Good “Footprint” XML 0.1: several dates, places and organizations per item."),
    "rss": _(
        "RSS 2.0, RSS 1.0 or Atom; dates and places may be written in the text "
        "(“Lieu : Rennes (35000)”, “Date : samedi 13 février 2027”)."
    ),
    "api-engagement": _("The French “API Engagement” mission feed; its domains are our causes."),
    "schemaorg": _(
        "No feed but a website: we read schema.org JSON-LD or microdata "
        "(JobPosting of type VOLUNTEER, Event) on your pages."
    ),
    "csv": _(
        "A spreadsheet saved as CSV, one row per mission, column names in French or English; "
        "separator , ; or tab."
    ),
    "networkforgood": _("Network for Good “VolunteerOpportunities” XML."),
    "volunteermatch": _("VolunteerMatch listings XML."),
    "idealist": _("Idealist.org Atom."),
    "usaservice": _("usaservice.org event RSS."),
}

# Opportunity field -> where it comes from in the five common formats.
MAPPING = (
    (_("Title"), "title", "title", "title", "title / name", "title, titre"),
    (_("Detail link"), "detailURL", "link", "applicationUrl", "url", "url, lien"),
    (_("Id"), "volunteerOpportunityID", "guid / id", "clientId", "identifier / @id", "id, identifiant"),
    (_("Description"), "description", "description / content", "description", "description", "description"),
    (
        _("Organization"),
        "Organization/name",
        "author / dc:creator",
        "organizationName",
        "hiringOrganization / organizer",
        "organization, association",
    ),
    (
        _("Place"),
        "location (city, postalCode, country)",
        "georss:point, “Lieu :” line",
        "addresses/address",
        "jobLocation / location",
        "ville, code postal, pays",
    ),
    (
        _("Remote"),
        "location/virtual",
        "“à distance” / “remote”",
        "remote",
        "TELECOMMUTE, VirtualLocation",
        "remote, à distance",
    ),
    (
        _("Start / end"),
        "dateTimeDuration (startDate, endDate)",
        "ev:startdate, ev:enddate, “Date :” line",
        "startAt, endAt",
        "startDate, endDate",
        "début, fin",
    ),
    (_("Expiry"), "expires", "—", "—", "validThrough", "expiration"),
    (_("Causes"), "categoryTags", "category", "domain", "occupationalCategory, keywords", "catégories"),
    (_("Skills"), "skills", "—", "—", "skills", "compétences"),
    (_("Minimum age"), "minimumAge", "—", "—", "—", "âge minimum"),
)


_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class FormatInfo:
    key: str
    name: str
    language: str
    example: str


def _sections(text: str) -> dict[str, str]:
    """``## heading`` -> the section's body."""
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        heading, _, body = chunk.partition("\n")
        sections[heading.strip()] = body
    return sections


@lru_cache(maxsize=1)
def load_formats(path: Path = DOC) -> tuple[FormatInfo, ...]:
    """Every format with its minimal example (the first code block of its section in the docs)."""
    try:
        sections = _sections(path.read_text(encoding="utf-8"))
    except OSError:
        sections = {}
    found = []
    for key, heading, language in FORMATS:
        match = _FENCE.search(sections.get(heading, ""))
        name = heading.split(" (")[0]
        found.append(FormatInfo(key, name, language, match.group(2).rstrip() if match else ""))
    return tuple(found)


@bp.get("/formats")
def formats() -> str:
    """The format guide (public: useful before signing up)."""
    every = load_formats()
    return render_template(
        "portal/formats.html",
        common=every[:COMMON],
        native=every[COMMON:],
        mapping=MAPPING,
        descriptions=DESCRIPTIONS,
    )
