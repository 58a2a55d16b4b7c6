"""Feed points outside France: a point in the stated state/country but far from the named city."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.formats.base import RawLocation, RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.opportunity import Location

CHICAGO = ("41.8781", "-87.6298")
MANCHESTER = ("53.4808", "-2.2426")
SEATTLE = ("47.6062", "-122.3321")
SPRINGFIELD_IL = (39.80, -89.64)
BRISTOL = (51.45, -2.59)


def place_of(location: RawLocation) -> tuple[Location, list[str]]:
    raw = RawOpportunity(
        source_id="x", title="Park clean-up", url="https://p.example/x", locations=[location]
    )
    opp, problems = normalize(raw, NormalizeContext(partner="p", now=datetime(2026, 11, 26, tzinfo=UTC)))
    assert opp is not None and opp.locations
    return opp.locations[0], [p.message for p in problems if p.severity == "warning"]


def near(loc: Location, lat: float, lon: float, km: float = 15.0) -> bool:
    assert loc.lat is not None and loc.lon is not None
    return distance_km(loc.lat, loc.lon, lat, lon) <= km


@pytest.mark.parametrize("region", ["IL", "Illinois"])
def test_us_point_in_the_right_state_far_from_the_city_is_corrected(region: str) -> None:
    # A Springfield, IL listing whose point sits in Chicago, ~280 km away (same state).
    loc, messages = place_of(
        RawLocation(city="Springfield", region=region, country="US", lat=CHICAGO[0], lon=CHICAGO[1])
    )
    assert near(loc, *SPRINGFIELD_IL)
    [message] = messages
    assert "Springfield" in message and " km from Springfield" in message
    assert "41.8781,-87.6298" in message and "position of Springfield was used" in message
    km = int(message.split(" km from")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert 250 <= km <= 300


@pytest.mark.parametrize("region", [None, "England"])
def test_uk_point_in_the_right_country_far_from_the_city_is_corrected(region: str | None) -> None:
    loc, messages = place_of(
        RawLocation(city="Bristol", region=region, country="GB", lat=MANCHESTER[0], lon=MANCHESTER[1])
    )
    assert near(loc, *BRISTOL)
    assert len(messages) == 1 and "km from Bristol" in messages[0]


def test_a_point_in_the_suburbs_of_the_named_city_is_kept() -> None:
    # Santa Clarita, ~45 km from central Los Angeles: a suburb, not a wrong point.
    loc, messages = place_of(
        RawLocation(city="Los Angeles", region="CA", country="US", lat="34.3917", lon="-118.5426")
    )
    assert (loc.lat, loc.lon) == (34.3917, -118.5426) and messages == []
    # Within the threshold although beyond France's 60 km (Galveston for Houston, ~70 km).
    loc, messages = place_of(
        RawLocation(city="Houston", region="TX", country="US", lat="29.3013", lon="-94.7977")
    )
    assert (loc.lat, loc.lon) == (29.3013, -94.7977) and messages == []


def test_an_unknown_city_is_not_a_wrong_point() -> None:
    loc, messages = place_of(
        RawLocation(city="Quuxbridge Falls", region="IL", country="US", lat=CHICAGO[0], lon=CHICAGO[1])
    )
    assert (loc.lat, loc.lon) == (41.8781, -87.6298) and messages == []


def test_a_small_namesake_does_not_prove_the_point_wrong() -> None:
    # From the usaservice.org sample: 11450 Sharp Avenue, Mission Hills, CA 91345 is in Los
    # Angeles; the only Mission Hills the gazetteer knows in California is a village near
    # Lompoc, 187 km away. The point is right and must stay.
    loc, messages = place_of(
        RawLocation(
            street="11450 Sharp Avenue",
            city="Mission Hills",
            postal_code="91345",
            region="CA",
            country="US",
            lat="34.277889",
            lon="-118.457237",
        )
    )
    assert (loc.lat, loc.lon) == (34.277889, -118.457237) and messages == []


def test_several_namesakes_all_far_is_flagged_and_the_point_kept() -> None:
    # No state given: Springfield is known in many states, none near Seattle.
    loc, messages = place_of(RawLocation(city="Springfield", country="US", lat=SEATTLE[0], lon=SEATTLE[1]))
    assert (loc.lat, loc.lon) == (47.6062, -122.3321)
    assert len(messages) == 1 and "from every Springfield we know in US" in messages[0]


def test_a_point_in_another_state_is_still_corrected_as_before() -> None:
    # Washington, DC coordinates for a Chicago, IL address (the region contradicts the point).
    loc, messages = place_of(
        RawLocation(city="Chicago", region="IL", country="US", lat="38.93", lon="-77.03")
    )
    assert near(loc, 41.85, -87.65)
    assert messages == [
        "coordinates 38.93,-77.03 are in DC, 955 km from Chicago, IL; the position of Chicago was used"
    ]


def test_france_keeps_its_60_km_rule() -> None:
    # Saint-Malo (~65 km) for a Rennes address: beyond France's 60 km, so replaced, same message.
    loc, messages = place_of(
        RawLocation(city="Rennes", postal_code="35000", country="FR", lat="48.6493", lon="-2.0257")
    )
    assert near(loc, 48.11, -1.68)
    assert messages == [
        "coordinates 48.6493,-2.0257 are 65 km from Rennes (35000); the position of Rennes was used"
    ]
    # Within 60 km (Vitré, ~35 km): kept, silently.
    loc, messages = place_of(
        RawLocation(city="Rennes", postal_code="35000", country="FR", lat="48.1236", lon="-1.2086")
    )
    assert (loc.lat, loc.lon) == (48.1236, -1.2086) and messages == []
