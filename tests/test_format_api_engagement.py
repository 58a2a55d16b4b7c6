"""API Engagement read as its own importer reads it.

The importer: betagouv/api-engagement, ``api/src/jobs/import-missions``.

``tests/files/api-engagement-importer.xml`` has the shape of the importer's own integration
feeds (``correct-feed.xml``: month-first slash dates, two addresses on a ``full`` remote mission,
compensation; the legacy flat place with ``lonlat``/``lonLat``), with invented content.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crawlers.formats import FORMATS, parse_feed
from crawlers.formats.api_engagement import FIELDS
from crawlers.formats.base import ParseProblem, RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from crawlers.validate import validate_bytes
from search_app.serialize import opportunity_payload
from tests.conftest import FILES
from tests.helpers import cli
from volunteer_hub.core.opportunity import Opportunity

FEED = FILES / "api-engagement-importer.xml"
NOW = datetime(2025, 2, 1, tzinfo=UTC)  # while the fixture's missions are live


def read(data: bytes) -> tuple[dict[str, Opportunity], dict[str, list[ParseProblem]]]:
    name, stream = parse_feed(data)
    assert name == "api-engagement"
    opportunities: dict[str, Opportunity] = {}
    problems: dict[str, list[ParseProblem]] = {}
    for entry in stream:
        if isinstance(entry, ParseProblem):
            problems.setdefault(entry.item or "", []).append(entry)
            continue
        assert isinstance(entry, RawOpportunity)
        opp, found = normalize(entry, NormalizeContext(partner="ae", now=NOW))
        problems.setdefault(entry.source_id or "", []).extend(found)
        if opp is not None:
            opportunities[opp.source_id] = opp
    return opportunities, problems


def mission(**fields: str) -> bytes:
    """One mission with the importer's required fields and ``fields`` as elements."""
    base = {
        "clientId": "m-1",
        "title": "Aider au tri des dons",
        "description": "Tri des dons le samedi.",
        "applicationUrl": "https://p.example/m-1",
        "domain": "solidarite-insertion",
    }
    body = "".join(f"<{k}>{v}</{k}>" for k, v in {**base, **fields}.items())
    return f"<source><publisher>P</publisher><mission>{body}</mission></source>".encode()


@pytest.fixture(scope="module")
def fixture() -> tuple[dict[str, Opportunity], dict[str, list[ParseProblem]]]:
    return read(FEED.read_bytes())


def test_slash_dates_are_month_first_as_the_importer_reads_them(fixture) -> None:  # noqa: ANN001
    opps, _ = fixture
    remote = opps["ae-remote-full"]
    assert remote.start is not None and remote.end is not None and remote.posted is not None
    assert remote.start.date() == date(2025, 1, 1)
    assert remote.end.date() == date(2025, 11, 1)  # "11/01/2025": 1 November, not 11 January
    assert remote.posted.date() == date(2023, 1, 1)
    assert opps["ae-flat-lonlat"].start.date() == date(2025, 12, 24)  # "12/24/2025"


def test_day_first_date_is_read_but_flagged_and_impossible_date_is_an_error() -> None:
    opps, problems = read(mission(startAt="25/12/2030"))
    assert opps["m-1"].start.date() == date(2030, 12, 25)
    assert any("month first" in p.message and p.severity == "warning" for p in problems["m-1"])
    report = validate_bytes(mission(startAt="31/02/2030"), now=NOW)
    assert report["valid"] == 0
    assert any(e["field"] == "start" and "31/02/2030" in e["message"] for e in report["errors"])


def test_full_remote_mission_keeps_both_published_addresses_and_points(fixture) -> None:  # noqa: ANN001
    opps, _ = fixture
    remote = opps["ae-remote-full"]
    assert remote.remote is True
    assert [(loc.city, loc.postal_code, loc.country) for loc in remote.locations] == [
        ("Paris", "75004", "FR"),
        ("Orléans", "45000", "FR"),
    ]
    # The published points, not a geocode of the town.
    assert [(loc.lat, loc.lon) for loc in remote.locations] == [(48.8552, 2.3611), (47.899, 1.905)]


@pytest.mark.parametrize(
    ("value", "remote"),
    [
        ("no", False), ("non", False), ("false", False), ("0", False),
        ("possible", True), ("yes", True), ("oui", True), ("true", True), ("1", True),
        ("partiel", True), ("partielle", True), ("Hybride", True),
        ("full", True), ("total", True), ("100", True), ("remote", True),
    ],
)  # fmt: skip
def test_every_remote_value_the_importer_accepts(value: str, remote: bool) -> None:
    xml = mission(remote=value, city="Rennes", postalCode="35000")
    opps, problems = read(xml)
    assert opps["m-1"].remote is remote
    assert [loc.city for loc in opps["m-1"].locations] == ["Rennes"]  # a place is never dropped
    assert not any(p.field == "remote" for p in problems.get("m-1", []))


def test_unknown_remote_value_is_not_remote_with_a_warning() -> None:
    opps, problems = read(mission(remote="parfois", city="Rennes", postalCode="35000"))
    assert opps["m-1"].remote is False
    assert any(p.field == "remote" and "parfois" in p.message for p in problems["m-1"])


def test_flat_place_points_and_padded_postcode(fixture) -> None:  # noqa: ANN001
    opps, _ = fixture
    digne = opps["ae-flat-lonlat"].locations[0]
    # lonlat "6.2355,44.0925": in France the smaller number is the longitude.
    assert (digne.lat, digne.lon) == (44.0925, 6.2355)
    assert (digne.postal_code, digne.street) == ("04000", "3 place du Marché")  # "4000" padded
    assert digne.region == "Provence-Alpes-Côte d'Azur"
    lyon = opps["ae-service-civique"].locations[0]
    assert (lyon.lat, lyon.lon) == (45.7597, 4.8422)  # Service Civique's lonLat is "lat,lon"


def test_flat_location_element_and_lonlat_precedence() -> None:
    xml = mission(city="Rennes", postalCode="35000", location="<lat>48.1119</lat><lon>-1.6803</lon>")
    loc = read(xml)[0]["m-1"].locations[0]
    assert (loc.lat, loc.lon) == (48.1119, -1.6803)
    # lonlat wins over location, as in the importer's getAddress.
    both = mission(
        city="Rennes", postalCode="35000", lonlat="-1.6779,48.1173", location="<lat>1</lat><lon>1</lon>"
    )
    loc = read(both)[0]["m-1"].locations[0]
    assert (loc.lat, loc.lon) == (48.1173, -1.6779)


def test_practical_facts_and_organization(fixture) -> None:  # noqa: ANN001
    opps, _ = fixture
    opp = opps["ae-remote-full"]
    assert opp.schedule == "1 demi-journée par semaine"
    assert opp.skills == ["Patience", "Sens du contact"]
    assert opp.requirements == ["Permis B", "Casier judiciaire vierge"]
    assert (opp.open_to_minors, opp.accessible, opp.close_to_transport) == (True, True, True)
    assert opp.image == "https://plateforme.example/images/sortie.jpg"
    assert opp.compensation is None
    org = opp.organization
    assert org.logo == "https://amis-du-fleuve.example/logo.png"
    assert org.description == "Une association qui protège les berges."
    assert org.ids == {"rna": "W751000017", "siren": "123456782"}
    flat = opps["ae-flat-lonlat"]
    assert flat.open_to_minors is False  # "no" is stated
    assert flat.accessible is None and flat.close_to_transport is None  # absent: unknown
    assert flat.organization.ids == {"siret": "98765432400019", "siren": "987654324"}


def test_soft_skills_as_value_elements_and_invalid_siren() -> None:
    xml = mission(softSkills="<value>Écoute</value><value>Rigueur</value>", organizationSiren="123456789")
    opps, problems = read(xml)
    assert opps["m-1"].skills == ["Écoute", "Rigueur"]
    assert opps["m-1"].organization.ids == {}  # 123456789 fails the SIREN check digit
    assert any("organizationSiren" in p.message for p in problems["m-1"])


def test_paid_mission_is_an_error_in_validate_with_its_line() -> None:
    report = validate_bytes(FEED.read_bytes(), now=NOW)
    assert (report["items"], report["valid"]) == (4, 3)
    paid = [e for e in report["errors"] if e["item"] == "ae-paid"]
    assert len(paid) == 1 and paid[0]["field"] == "compensation" and "paid" in paid[0]["message"]
    line = next(n for n, text in enumerate(FEED.read_text().splitlines(), 1) if "ae-paid" in text)
    assert line - 3 <= paid[0]["line"] <= line  # the <mission> element that holds it


def test_negative_compensation_is_rejected_and_zero_is_unpaid() -> None:
    assert validate_bytes(mission(compensationAmount="-10", startAt="2030-01-01"), now=NOW)["valid"] == 0
    opps, _ = read(mission(compensationAmount="0", compensationUnit="hour"))
    assert opps["m-1"].compensation is None


def test_crawl_rejects_the_paid_mission_with_reason_paid(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    shutil.copy(FEED, root / "missions.xml")
    assert cli(home, "partners", "add", "ae", "--url", f"{base}/missions.xml").returncode == 0
    run = json.loads(cli(home, "crawl", "ae", "--json").stdout)[0]
    assert (run["format"], run["rejected"], run["rejected_by_reason"]) == ("api-engagement", 1, {"paid": 1})


def test_api_item_carries_the_new_fields(fixture) -> None:  # noqa: ANN001
    opps, _ = fixture
    item = opportunity_payload(opps["ae-remote-full"])
    assert (item["open_to_minors"], item["accessible"], item["close_to_transport"]) == (True, True, True)
    assert item["requirements"] == ["Permis B", "Casier judiciaire vierge"]
    assert item["organization"]["ids"] == {"rna": "W751000017", "siren": "123456782"}
    assert item["organization"]["logo"] == "https://amis-du-fleuve.example/logo.png"
    assert item["image"] == "https://plateforme.example/images/sortie.jpg"
    assert item["compensation"] is None


# Every field of the importer's MissionXML (api/src/jobs/import-missions/types.ts).
IMPORTER_FIELDS = """id title description image clientId applicationUrl postedAt startAt endAt country
countryCode address adresse city postalCode departmentCode departmentName region lonlat lonLat location
addresses activity
tags domain schedule audience soft_skills softSkills romeSkills requirements remote reducedMobilityAccessible
closeToTransport openToMinors priority metadata places compensationAmount compensationUnit compensationType
organizationName organizationRNA organizationRna organizationSiren organizationUrl organizationLogo
organizationDescription organizationClientId organizationStatusJuridique organizationType organizationActions
organizationId organizationFullAddress organizationPostCode organizationCity organizationBeneficiaires
organizationBeneficiaries organizationReseaux publicsBeneficiaires publicBeneficiaries snu snuPlaces
keyActions isAutonomy autonomyZips parentOrganizationName""".split()


def test_the_docs_table_lists_every_importer_field() -> None:
    listed = {part.strip().split("/")[0] for f in FIELDS for part in f.name.split(",")}
    assert set(IMPORTER_FIELDS) - listed == set()
    assert FORMATS["api-engagement"].fields == FIELDS
