"""Format guide for partners (``/partners/formats``): what we accept, an example of each, the mapping.

The examples are read from ``docs/formats.md`` (the first fenced block of each format's
section), so the operator documentation and the partner guide never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import render_template

from search_app.portal import TEXT, bp, t

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

# Opportunity field -> where it comes from in the five common formats.
MAPPING = (
    ("f_title", "title", "title", "title", "title / name", "title, titre"),
    ("f_url", "detailURL", "link", "applicationUrl", "url", "url, lien"),
    ("f_id", "volunteerOpportunityID", "guid / id", "clientId", "identifier / @id", "id, identifiant"),
    ("f_description", "description", "description / content", "description", "description", "description"),
    (
        "f_org",
        "Organization/name",
        "author / dc:creator",
        "organizationName",
        "hiringOrganization / organizer",
        "organization, association",
    ),
    (
        "f_place",
        "location (city, postalCode, country)",
        "georss:point, “Lieu :” line",
        "addresses/address",
        "jobLocation / location",
        "ville, code postal, pays",
    ),
    (
        "f_remote",
        "location/virtual",
        "“à distance” / “remote”",
        "remote",
        "TELECOMMUTE, VirtualLocation",
        "remote, à distance",
    ),
    (
        "f_dates",
        "dateTimeDuration (startDate, endDate)",
        "ev:startdate, ev:enddate, “Date :” line",
        "startAt, endAt",
        "startDate, endDate",
        "début, fin",
    ),
    ("f_expires", "expires", "—", "—", "validThrough", "expiration"),
    ("f_causes", "categoryTags", "category", "domain", "occupationalCategory, keywords", "catégories"),
    ("f_skills", "skills", "—", "—", "skills", "compétences"),
    ("f_age", "minimumAge", "—", "—", "—", "âge minimum"),
)

TEXT.update(
    {
        "guide_title": {"en": "Formats we accept", "fr": "Formats acceptés"},
        "guide_link": {"en": "Which formats do we accept?", "fr": "Quels formats acceptons-nous ?"},
        "guide_lead": {
            "en": "We read the feed you already have. Every format goes through the same checks: each item "
            "needs a title, a link to its page on your site (https://…) and an id (the link is used when "
            "there is none). Places, dates, organization and categories are optional but help volunteers "
            "find your missions.",
            "fr": "Nous lisons le flux que vous avez déjà. Tous les formats passent par les mêmes "
            "vérifications : chaque mission a besoin d’un titre, d’un lien vers sa page sur votre site "
            "(https://…) et d’un identifiant (le lien sert d’identifiant s’il n’y en a pas). Lieux, dates, "
            "organisation et catégories sont facultatifs mais aident les bénévoles à trouver vos missions.",
        },
        "guide_common": {"en": "The usual formats", "fr": "Les formats courants"},
        "guide_native": {
            "en": "Partner-native formats we also read",
            "fr": "Formats de partenaires que nous lisons aussi",
        },
        "guide_example": {"en": "Minimal example", "fr": "Exemple minimal"},
        "guide_mapping": {"en": "Field mapping", "fr": "Correspondance des champs"},
        "guide_field": {"en": "Our field", "fr": "Notre champ"},
        "guide_nofeed": {
            "en": "No feed? Once signed in, you can post your missions with a form.",
            "fr": "Pas de flux ? Une fois connecté, vous pouvez publier vos missions avec un formulaire.",
        },
        "guide_required": {"en": "required", "fr": "obligatoire"},
        "fmt_fpxml": {
            "en": "All for Good “Footprint” XML 0.1: several dates, places and organizations per item.",
            "fr": "XML « Footprint » 0.1 d’All for Good : plusieurs dates, lieux et organisations "
            "par mission.",
        },
        "fmt_rss": {
            "en": "RSS 2.0, RSS 1.0 or Atom; dates and places may be written in the text "
            "(“Lieu : Rennes (35000)”, “Date : samedi 13 février 2027”).",
            "fr": "RSS 2.0, RSS 1.0 ou Atom ; dates et lieux peuvent être écrits dans le texte "
            "(« Lieu : Rennes (35000) », « Date : samedi 13 février 2027 »).",
        },
        "fmt_api-engagement": {
            "en": "The French “API Engagement” mission feed; its domains are our causes.",
            "fr": "Le flux de missions « API Engagement » ; ses domaines sont nos causes.",
        },
        "fmt_schemaorg": {
            "en": "No feed but a website: we read schema.org JSON-LD or microdata (JobPosting of type "
            "VOLUNTEER, Event) on your pages.",
            "fr": "Pas de flux mais un site : nous lisons le JSON-LD ou les microdonnées schema.org "
            "(JobPosting de type VOLUNTEER, Event) de vos pages.",
        },
        "fmt_csv": {
            "en": "A spreadsheet saved as CSV, one row per mission, column names in French or English; "
            "separator , ; or tab.",
            "fr": "Un tableur enregistré en CSV, une ligne par mission, noms de colonnes en français ou en "
            "anglais ; séparateur , ; ou tabulation.",
        },
        "fmt_networkforgood": {
            "en": "Network for Good “VolunteerOpportunities” XML.",
            "fr": "XML « VolunteerOpportunities » de Network for Good.",
        },
        "fmt_volunteermatch": {
            "en": "VolunteerMatch listings XML.",
            "fr": "XML « listings » de VolunteerMatch.",
        },
        "fmt_idealist": {"en": "Idealist.org Atom.", "fr": "Atom d’Idealist.org."},
        "fmt_usaservice": {"en": "usaservice.org event RSS.", "fr": "RSS d’événements usaservice.org."},
        "f_title": {"en": "Title", "fr": "Titre"},
        "f_url": {"en": "Detail link", "fr": "Lien vers la page"},
        "f_id": {"en": "Id", "fr": "Identifiant"},
        "f_description": {"en": "Description", "fr": "Description"},
        "f_org": {"en": "Organization", "fr": "Organisation"},
        "f_place": {"en": "Place", "fr": "Lieu"},
        "f_remote": {"en": "Remote", "fr": "À distance"},
        "f_dates": {"en": "Start / end", "fr": "Début / fin"},
        "f_expires": {"en": "Expiry", "fr": "Expiration"},
        "f_causes": {"en": "Causes", "fr": "Causes"},
        "f_skills": {"en": "Skills", "fr": "Compétences"},
        "f_age": {"en": "Minimum age", "fr": "Âge minimum"},
    }
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
        "portal/formats.html", t=t, common=every[:COMMON], native=every[COMMON:], mapping=MAPPING
    )
