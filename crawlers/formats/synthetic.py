"""Synthetic FPXML feeds of any size, for streaming/memory tests and benchmarks.

Invented content only (no real people): ``write_fpxml(path, n)`` writes ``n`` opportunities
of about 750 bytes each (100,000 items ≈ 75 MB), spread over a few French cities.
"""

from __future__ import annotations

from pathlib import Path

CITIES = (("Rennes", "35000"), ("Lyon", "69001"), ("Brest", "29200"), ("Nice", "06000"), ("Lille", "59000"))
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<FootprintFeed schemaVersion="0.1">'
    "<FeedInfo><providerID>1</providerID>"
    '<createdDateTime olsonTZ="Europe/Paris">2026-11-01T10:00:00</createdDateTime></FeedInfo><Organizations>'
    "<Organization><organizationID>1</organizationID><name>{organization}</name></Organization>"
    "</Organizations><VolunteerOpportunities>\n"
)
_ITEM = (
    "<VolunteerOpportunity><volunteerOpportunityID>syn-{n}</volunteerOpportunityID><sponsoringOrganizationIDs>"
    "<sponsoringOrganizationID>1</sponsoringOrganizationID></sponsoringOrganizationIDs>"
    "<title>Mission synthétique n°{n} : tri et accueil</title>"
    "<description>Aidez l'équipe à trier les dons, deux heures par semaine (mission de test).</description>"
    "<detailURL>https://synthetic.example/missions/{n}</detailURL><dateTimeDurations><dateTimeDuration>"
    "<startDate>2027-01-{day:02d}</startDate><endDate>2027-06-30</endDate></dateTimeDuration></dateTimeDurations>"
    "<locations><location><city>{city}</city><postalCode>{pc}</postalCode><country>FR</country></location>"
    "</locations><categoryTags><categoryTag>Solidarité</categoryTag></categoryTags></VolunteerOpportunity>\n"
)
_TAIL = "</VolunteerOpportunities></FootprintFeed>\n"


def write_fpxml(path: Path | str, n: int, *, first: int = 0, organization: str = "Réseau Synthétique") -> int:
    """Write an ``n``-item FPXML feed to ``path``; return its size in bytes. ``first``: the number of
    its first item (feeds of several partners that do not copy each other)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write(_HEAD.format(organization=organization))
        for i in range(first, first + n):
            city, pc = CITIES[i % len(CITIES)]
            out.write(_ITEM.format(n=i, day=i % 28 + 1, city=city, pc=pc))
        out.write(_TAIL)
    return Path(path).stat().st_size
