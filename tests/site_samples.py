"""The public site's sample catalogue: six opportunities (five live, one expired) from three partners.

Loaded by the ``backend`` fixture of tests/conftest.py; tests compare what pages and the API show
against these records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from volunteer_hub.core.opportunity import Location, Opportunity, Organization, make_id

NOW = datetime.now(UTC).replace(microsecond=0)


def site_opportunity(partner: str, source_id: str, title: str, **fields: object) -> Opportunity:
    """An opportunity of ``partner`` with its stable id, detail URL and content hash."""
    opp = Opportunity(
        id=make_id(partner, source_id),
        partner=partner,
        source_id=source_id,
        url=f"https://{partner}.example.org/missions/{source_id}",
        title=title,
        **fields,  # type: ignore[arg-type]
    )
    opp.content_hash = opp.compute_hash()
    return opp


def site_place(city: str, postal_code: str, region: str, lat: float, lon: float) -> Location:
    return Location(city=city, postal_code=postal_code, region=region, country="FR", lat=lat, lon=lon)


SAINT_MALO = site_place("Saint-Malo", "35400", "Bretagne", 48.6493, -2.0257)
RENNES = site_place("Rennes", "35000", "Bretagne", 48.1113, -1.6800)
LYON = site_place("Lyon", "69001", "Auvergne-Rhône-Alpes", 45.764, 4.8357)

BEACH = site_opportunity(
    "amis-littoral",
    "plage-1",
    "Ramassage de déchets sur la plage",
    description=(
        "<p>Venez nous aider à <strong>nettoyer</strong> la plage du Sillon.</p>"
        '<script>alert("x")</script><p onclick="steal()">Gants fournis.</p>'
    ),
    summary="Venez nous aider à nettoyer la plage du Sillon. Gants fournis.",
    organization=Organization("Les Amis du Littoral", "https://amis-littoral.example.org/"),
    causes=["environnement"],
    locations=[SAINT_MALO],
    start=NOW + timedelta(days=10),
    end=NOW + timedelta(days=10, hours=4),
    posted=NOW - timedelta(days=2),
    updated=NOW - timedelta(days=1),
    skills=["Bonne humeur", "Bottes"],
    min_age=16,
)
HOMEWORK = site_opportunity(
    "volunteer-bridge",
    "vb-7",
    "Homework help for teenagers",
    description="<p>Help secondary school pupils with their maths homework.</p>",
    summary="Help secondary school pupils with their maths homework.",
    organization=Organization("Study Buddies", "javascript:alert(1)"),
    causes=["education"],
    locations=[RENNES],
    open_ended=True,
    posted=NOW - timedelta(days=5),
    language="en",
)
TRANSLATION = site_opportunity(
    "passerelles",
    "tr-3",
    "Traduction de documents pour une ONG",
    summary="Traduire des fiches pratiques de l'anglais vers le français, depuis chez vous.",
    organization=Organization("Passerelles"),
    causes=["numerique", "humanitaire"],
    remote=True,
    posted=NOW - timedelta(days=1),
)
MEALS = site_opportunity(
    "passerelles",
    "repas-9",
    "Distribution de repas chauds",
    summary="Servir des repas chauds le soir.",
    organization=Organization("Restos du Rhône"),
    causes=["solidarite-insertion", "sante"],
    locations=[LYON],
    start=NOW + timedelta(days=3),
    end=NOW + timedelta(days=30),
    posted=NOW - timedelta(days=3),
)
GARDEN = site_opportunity(
    "amis-littoral",
    "jardin-2",
    "Jardin partagé du quartier",
    summary="Entretenir le potager collectif.",
    organization=Organization("Les Amis du Littoral"),
    causes=["environnement", "vivre-ensemble"],
    locations=[RENNES],
    start=NOW + timedelta(days=20),
    posted=NOW - timedelta(days=4),
)
EXPIRED = site_opportunity(
    "amis-littoral",
    "plage-old",
    "Nettoyage de la plage terminé",
    summary="Les déchets de la plage, c'était la semaine dernière.",
    organization=Organization("Les Amis du Littoral"),
    causes=["environnement"],
    locations=[SAINT_MALO],
    start=NOW - timedelta(days=8),
    end=NOW - timedelta(days=7),
    posted=NOW - timedelta(days=30),
)
LIVE = [BEACH, HOMEWORK, TRANSLATION, MEALS, GARDEN]
ALL = [*LIVE, EXPIRED]
