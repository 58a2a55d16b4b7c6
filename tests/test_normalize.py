"""The normalizer: dates, places, language, text; golden outputs for representative items."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from crawlers.formats.base import RawLocation, RawOpportunity
from crawlers.normalize import NormalizeContext, detect_language, normalize, parse_date
from tests.conftest import FILES

PARIS = ZoneInfo("Europe/Paris")
UTC = UTC
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def ctx(**kwargs: object) -> NormalizeContext:
    return NormalizeContext(partner="p", now=NOW, **kwargs)  # type: ignore[arg-type]


def raw(**kwargs: object) -> RawOpportunity:
    base = {"source_id": "x", "title": "Mission", "url": "https://p.example/x"}
    base.update(kwargs)
    return RawOpportunity(**base)  # type: ignore[arg-type]


def place_of(location: RawLocation, **context: object) -> tuple[object, list[str]]:
    opp, problems = normalize(raw(locations=[location]), ctx(**context))
    assert opp is not None
    loc = opp.locations[0] if opp.locations else None
    return loc, [p.message for p in problems]


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le 3 mars 2026 à 14h", datetime(2026, 3, 3, 14, tzinfo=PARIS)),
        ("mardi 3 mars 2026, 14 h 30", datetime(2026, 3, 3, 14, 30, tzinfo=PARIS)),
        ("1er avril 2027", datetime(2027, 4, 1, tzinfo=PARIS)),
        ("March 3, 2026 at 2 pm", datetime(2026, 3, 3, 14, tzinfo=PARIS)),
        ("Saturday 20 February 2027, 09:00", datetime(2027, 2, 20, 9, tzinfo=PARIS)),
        ("03/03/2026", datetime(2026, 3, 3, tzinfo=PARIS)),
        ("2026-03-03T14:00:00-05:00", datetime(2026, 3, 3, 14, tzinfo=timezone(timedelta(hours=-5)))),
        ("Tue, 03 Mar 2026 14:00:00 +0000", datetime(2026, 3, 3, 14, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    parsed = parse_date(text, PARIS)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


def test_time_zones_are_kept_and_naive_times_take_the_items_zone() -> None:
    opp, _ = normalize(raw(start="2027-06-01T09:00:00", timezone="America/Denver"), ctx())
    assert opp is not None and opp.start is not None and opp.start.utcoffset() == timedelta(hours=-6)
    opp, _ = normalize(raw(start="2027-06-01T09:00:00+09:00"), ctx())
    assert opp is not None and opp.start is not None and opp.start.utcoffset() == timedelta(hours=9)
    opp, _ = normalize(raw(end="2027-06-30"), ctx())
    assert opp is not None and opp.end == datetime(2027, 6, 30, 23, 59, 59, tzinfo=PARIS)


def test_unreadable_date_is_a_warning() -> None:
    opp, problems = normalize(raw(start="bientôt", remote=True), ctx())
    assert opp is not None and opp.start is None
    assert [(p.field, p.severity) for p in problems] == [("start", "warning")]


# -- places -----------------------------------------------------------------------------------


def test_zero_zero_is_dropped_and_the_city_geocoded() -> None:
    loc, messages = place_of(RawLocation(city="Rennes", postal_code="35000", country="FR", lat="0", lon="0"))
    assert any("0,0" in m for m in messages)
    assert loc.lat == pytest.approx(48.11, abs=0.1) and loc.region == "Bretagne"


def test_swapped_coordinates_are_swapped_back() -> None:
    loc, messages = place_of(RawLocation(city="Paris", country="FR", lat="2.3522", lon="48.8566"))
    assert any("swapped" in m for m in messages)
    assert (loc.lat, loc.lon) == (48.8566, 2.3522)
    loc, messages = place_of(RawLocation(name="Somewhere", lat="120.5", lon="45.1"))
    assert any("swapped" in m for m in messages) and (loc.lat, loc.lon) == (45.1, 120.5)


def test_point_far_from_the_stated_city_is_replaced() -> None:
    # Marseille's coordinates for a Rennes address.
    loc, messages = place_of(
        RawLocation(city="Rennes", postal_code="35000", country="FR", lat="43.2965", lon="5.3698")
    )
    assert any("km from Rennes" in m for m in messages)
    assert loc.lat == pytest.approx(48.11, abs=0.1)


def test_point_near_the_stated_city_is_kept() -> None:
    loc, messages = place_of(
        RawLocation(city="Rennes", postal_code="35000", country="FR", lat="48.1", lon="-1.7")
    )
    assert (loc.lat, loc.lon) == (48.1, -1.7) and not messages


def test_impossible_coordinates_dropped() -> None:
    loc, messages = place_of(RawLocation(city="Lyon", country="FR", lat="200", lon="300"))
    assert any("not a real place" in m for m in messages) and loc.lat == pytest.approx(45.76, abs=0.1)


def test_city_in_the_wrong_country_is_flagged() -> None:
    _, messages = place_of(
        RawLocation(city="Seoul", country="US", postal_code="61820", lat="38.93", lon="-77.03")
    )
    assert any("Seoul" in m and "KR" in m for m in messages)


@pytest.mark.parametrize(
    ("given", "code"), [("USA", "US"), ("South Africa", "ZA"), ("fr", "FR"), ("Uganda", "UG")]
)
def test_country_names_become_codes(given: str, code: str) -> None:
    loc, _ = place_of(RawLocation(city="X", country=given))
    assert loc.country == code


def test_postal_code_fills_city_region_and_point() -> None:
    loc, _ = place_of(RawLocation(postal_code="29200"), default_country="FR")
    assert (loc.city, loc.region, loc.country) == ("Brest", "Bretagne", "FR") and loc.lat is not None


# -- language, text, remote -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Nous recherchons des bénévoles pour aider les enfants du quartier avec leurs devoirs.", "fr"),
        ("We are looking for volunteers to help children with their homework.", "en"),
        ("L'association recrute", "fr"),
        ("It's a great way to give back", "en"),
    ],
)
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_declared_language_wins_and_empty_text_uses_the_partner_country() -> None:
    opp, _ = normalize(raw(language="en-US", title="Collecte"), ctx())
    assert opp is not None and opp.language == "en"
    opp, _ = normalize(raw(title="Collecte"), ctx(default_country="GB"))
    assert opp is not None and opp.language == "en"
    opp, _ = normalize(raw(title="Collecte"), ctx(default_country="FR"))
    assert opp is not None and opp.language == "fr"


def test_html_is_sanitized_and_remote_detected() -> None:
    opp, _ = normalize(
        raw(
            title="<b>Soutien</b> &amp; écoute",
            description='<p onclick="x()">Mission à distance <script>alert(1)</script>'
            '<a href="javascript:alert(1)">ici</a> <a href="https://ok.example">là</a></p>',
        ),
        ctx(),
    )
    assert opp is not None
    assert opp.title == "Soutien & écoute"
    assert "script" not in opp.description and "onclick" not in opp.description
    assert "javascript" not in opp.description and 'href="https://ok.example"' in opp.description
    assert opp.remote is True and not opp.locations


def test_non_http_links_rejected() -> None:
    opp, problems = normalize(raw(url="javascript:alert(1)"), ctx())
    assert opp is None and [p.field for p in problems] == ["url"]


# -- golden outputs ---------------------------------------------------------------------------

GOLDEN_INPUTS = {
    "fpxml-like": raw(
        source_id="opp-1",
        title="Tri à la banque alimentaire",
        description="Aidez-nous à trier les dons, le samedi matin.",
        organization_name="Banque Alimentaire d'Ille-et-Vilaine",
        categories=["Hunger"],
        locations=[RawLocation(city="Rennes", postal_code="35000", country="FR")],
        start="2027-01-09",
        end="2027-03-27",
        timezone="Europe/Paris",
        commitment_hours_per_week="3",
        min_age="16",
    ),
    "rss-text-dates": raw(
        source_id="rss-1",
        title="Collecte de jouets",
        description="<p>Lieu : Brest (29200)</p><p>Date : samedi 13 février 2027, de 10 h à 18 h</p>",
        categories=["Solidarité"],
        locations=[RawLocation(city="Brest", postal_code="29200")],
        start=datetime(2027, 2, 13, 10),
        end=datetime(2027, 2, 13, 18),
    ),
    "us-bad-geodata": raw(
        source_id="us-1",
        title="Park clean-up",
        description="Help us clean the park. Bring gloves.",
        categories=["Environment"],
        locations=[RawLocation(city="Chicago", region="IL", country="USA", lat="38.93", lon="-77.03")],
        start="2009-05-09 09:00:00",
        timezone="America/New_York",
    ),
    "remote-english": raw(
        source_id="en-1",
        title="Online mentoring",
        description="Mentor a student online, one hour a week, from home.",
        language="en-GB",
        remote=None,
    ),
}


def golden_outputs() -> dict[str, dict[str, object]]:
    out = {}
    for name, item in GOLDEN_INPUTS.items():
        opp, problems = normalize(item, ctx(default_country="FR"))
        assert opp is not None
        data = opp.to_dict()
        for loc in data["locations"]:
            loc["lat"] = round(loc["lat"], 3) if loc["lat"] is not None else None
            loc["lon"] = round(loc["lon"], 3) if loc["lon"] is not None else None
        data["problems"] = [f"{p.severity}: {p.field}: {p.message}" for p in problems]
        out[name] = data
    return out


def test_golden_outputs() -> None:
    path = FILES / "normalize_golden.json"
    outputs = golden_outputs()
    if os.environ.get("VH_UPDATE_GOLDEN") or not path.exists():
        path.write_text(json.dumps(outputs, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    assert outputs == json.loads(path.read_text())


def test_unknown_small_town_keeps_its_point() -> None:
    # Berlin, Connecticut is not in the world gazetteer: its (correct) point must not be "fixed".
    loc, messages = place_of(
        RawLocation(city="Berlin", region="CT", country="US", lat="41.6178", lon="-72.7299")
    )
    assert (loc.lat, loc.lon) == (41.6178, -72.7299) and not messages


def test_point_in_the_wrong_state_or_country_is_replaced() -> None:
    loc, messages = place_of(RawLocation(city="Chicago", region="IL", country="US", lat="48.85", lon="2.35"))
    assert any("are in FR" in m for m in messages)
    assert loc.lat == pytest.approx(41.85, abs=0.1)
