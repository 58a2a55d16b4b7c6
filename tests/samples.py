"""Builders for opportunities used across tests (invented content)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from volunteer_hub.core.opportunity import Location, Opportunity, Organization, make_id

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def opp(source_id: str, title: str, *, partner: str = "test", **kw: Any) -> Opportunity:
    locations = kw.pop("locations", [])
    org = kw.pop("org", "Association Test")
    o = Opportunity(
        id=make_id(partner, source_id),
        partner=partner,
        source_id=source_id,
        url=f"https://partner.example/missions/{source_id}",
        title=title,
        organization=Organization(name=org, url="https://partner.example/"),
        locations=locations,
        posted=kw.pop("posted", NOW - timedelta(days=1)),
        **kw,
    )
    o.content_hash = o.compute_hash()
    return o


def place(city: str, lat: float, lon: float, region: str | None = None, pc: str | None = None) -> Location:
    return Location(city=city, postal_code=pc, region=region, country="FR", lat=lat, lon=lon)


RENNES = place("Rennes", 48.1113, -1.6800, "Bretagne", "35000")
BREST = place("Brest", 48.3904, -4.4861, "Bretagne", "29200")
LYON = place("Lyon", 45.7640, 4.8357, "Auvergne-Rhône-Alpes", "69001")
PARIS = place("Paris", 48.8566, 2.3522, "Île-de-France", "75011")
MARSEILLE = place("Marseille", 43.2965, 5.3698, "Provence-Alpes-Côte d'Azur", "13001")
