"""All for Good's own API test suite (``frontend/testapi/helpers.py``), ported to our app.

AFG ran these checks against its live ``/api/volopps`` from an App Engine page; here they run
in-process against ours, with a test client and a catalogue of US listings built for them (the
places, providers and words AFG's tests ask for). Each AFG test is kept with its name, its
requests and its assertions; the random pick of a value becomes one case per value, and both
response types are checked (AFG's default was RSS, parsed the way ``parse_rss`` did).

Not ported: ``test_snippets`` (it fetched AFG's ``/ui_snippets`` page, which we do not have).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from lxml import etree

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.site_samples import NOW
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Location, Opportunity, Organization, make_id

TEST_API_KEY = "testkey"  # AFG's testapi sent its own key; we accept and ignore any
RESPONSE_TYPES = ("rss", "json")
FP = "{http://www.allforgood.org/}"

# AFG's test locations (lat,lon) and where they are, for the catalogue.
GEO_POINTS = {
    "37.8524741,-122.273895": ("Berkeley", "CA", "94703", "America/Los_Angeles"),
    "33.41502,-111.82298": ("Mesa", "AZ", "85201", "America/Phoenix"),
    "33.76145285137889,-84.38941955566406": ("Atlanta", "GA", "30308", "America/New_York"),
    "29.759956,-95.362534": ("Houston", "TX", "77002", "America/Chicago"),
}
PROVIDERS = ("unitedway", "volunteermatch", "handsonnetwork", "idealist")
# Titles carrying every term AFG's query test picks from, and "in" (its "match anything" query).
TITLES = (
    "Hospital visits in {city}",
    "Walk for the food bank in {city}",
    "Help seniors in {city} with their shopping",
    "Read stories to children in {city}",
    "Mercy kitchen volunteers in {city}",
    "Park clean-up in {city}",
)
PER_CITY = 24  # 96 listings: more than AFG's largest num (57)


@dataclass
class ApiResult:
    """AFG's ``ApiResult``: what its tests read of each item."""

    item_id: str
    title: str
    description: str
    url: str
    provider: str
    latlong: str


def catalogue() -> list[Opportunity]:
    """US listings around AFG's four test points, spread within ~8 miles, in their own zones."""
    opportunities = []
    for n, (point, (city, state, zip_code, zone)) in enumerate(GEO_POINTS.items()):
        lat, lon = (float(v) for v in point.split(","))
        for i in range(PER_CITY):
            angle = 2 * math.pi * i / PER_CITY
            offset = 0.1 * (i % 4 + 1) / 4  # up to 0.1 degree: ~7 miles
            title = TITLES[i % len(TITLES)].format(city=city)
            provider = PROVIDERS[(i + n) % len(PROVIDERS)]
            start = (
                (NOW + timedelta(days=2 + i)).astimezone(ZoneInfo(zone)).replace(hour=9, minute=30, second=0)
            )
            opp = Opportunity(
                id=make_id(provider, f"{city}-{i}"),
                partner=provider,
                source_id=f"{city}-{i}",
                url=f"https://www.{provider}.org/opp/{city.lower()}-{i}",
                title=title,
                summary=f"{title}. Volunteers wanted, no experience needed.",
                organization=Organization(f"{city} Community Partners"),
                causes=["solidarite-insertion"],
                locations=[
                    Location(
                        city=city,
                        region=state,
                        postal_code=zip_code,
                        country="US",
                        lat=round(lat + offset * math.sin(angle), 5),
                        lon=round(lon + offset * math.cos(angle), 5),
                    )
                ],
                start=start,
                end=start + timedelta(hours=3),
                language="en",
            )
            opp.content_hash = opp.compute_hash()
            opportunities.append(opp)
    return opportunities


@pytest.fixture(name="afg_client", scope="module")
def afg_client_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    home: Path = tmp_path_factory.mktemp("testapi")
    backend = SqliteBackend(home / "search.sqlite3")
    assert backend.upsert(catalogue()).ok
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home / "home")})
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True, "API_RATE_LIMIT": 0})
    with app.test_client() as client:
        yield client


class ApiTesting:
    """AFG's ``ApiTesting``: builds the request (output, key, then the options) and parses it."""

    def __init__(self, client: FlaskClient, response_type: str) -> None:
        self.client = client
        self.response_type = response_type

    def make_uri(self, options: dict[str, object]) -> str:
        return f"/api/volopps?output={self.response_type}&key={TEST_API_KEY}&{urlencode(options)}"

    def get_result_set(self, options: dict[str, object]) -> list[ApiResult]:
        response = self.client.get(self.make_uri(options))
        assert response.status_code == 200, (options, response.get_data(as_text=True)[:300])
        if self.response_type == "rss":
            return parse_rss(response.data)
        return [
            ApiResult(i["id"], i["title"], i["description"], i["xml_url"], i["provider"], i["latlong"])
            for i in response.get_json()["items"]
        ]


def parse_rss(data: bytes) -> list[ApiResult]:
    """AFG's ``parse_rss``: fp:id, title, description, link, fp:provider, fp:latlong of each item."""
    root = etree.fromstring(data)
    return [
        ApiResult(
            item.findtext(f"{FP}id", ""),
            item.findtext("title", ""),
            item.findtext("description", ""),
            item.findtext("link", ""),
            item.findtext(f"{FP}provider", ""),
            item.findtext(f"{FP}latlong", ""),
        )
        for item in root.iter("item")
    ]


def in_location(opp: ApiResult, loc: str, radius: float) -> bool:
    """AFG's ``in_location``: haversine distance in miles (earth radius 3956) <= radius."""
    loc_lat, loc_lng = (math.radians(float(v)) for v in loc.split(","))
    opp_lat, opp_lng = (math.radians(float(v)) for v in opp.latlong.split(","))
    a_val = math.sin((opp_lat - loc_lat) / 2) ** 2 + math.sin((opp_lng - loc_lng) / 2) ** 2 * math.cos(
        loc_lat
    ) * math.cos(opp_lat)
    return 3956 * 2 * math.asin(min(1, math.sqrt(a_val))) <= radius


@pytest.fixture(name="api", params=RESPONSE_TYPES)
def api_fixture(afg_client: FlaskClient, request: pytest.FixtureRequest) -> ApiTesting:
    return ApiTesting(afg_client, request.param)


@pytest.mark.parametrize("expected_count", [7, 14, 21, 28, 57])
def test_num(api: ApiTesting, expected_count: int) -> None:
    result_set = api.get_result_set({"q": "in", "num": expected_count})
    assert len(result_set) == expected_count


def test_query_bogus(api: ApiTesting) -> None:
    assert api.get_result_set({"q": "fqzzqx"}) == []


@pytest.mark.parametrize("term", ["hospital", "walk", "help", "read", "children", "mercy"])
def test_query_valid(api: ApiTesting, term: str) -> None:
    result_set = api.get_result_set({"q": term})
    assert result_set
    for opp in result_set:
        assert re.search(term, opp.title, re.I) or re.search(term, opp.description, re.I), opp.title


def test_geo_bogus(api: ApiTesting) -> None:
    assert api.get_result_set({"vol_loc": "fqzvzqx"}) == []


@pytest.mark.parametrize("loc", list(GEO_POINTS))
@pytest.mark.parametrize("radius", ["10", "20", "30", "50"])
def test_geo_valid(api: ApiTesting, loc: str, radius: str) -> None:
    result_set = api.get_result_set({"vol_loc": loc, "vol_dist": radius, "num": 20})
    assert result_set
    outside = [opp.title for opp in result_set if not in_location(opp, loc, float(radius))]
    assert outside == []


def test_provider(api: ApiTesting) -> None:
    provider = "unitedway"
    result_set = api.get_result_set({"q": "hospital", "vol_provider": provider})
    assert result_set
    assert all(re.search(provider, opp.provider, re.I) for opp in result_set)


def test_start(api: ApiTesting) -> None:
    """Two overlapping windows (start 1 and 5 of 10) list the same items where they overlap."""
    start1, start2, num_items = 1, 5, 10
    result_set1 = api.get_result_set({"q": "in", "num": num_items, "start": start1})
    result_set2 = api.get_result_set({"q": "in", "num": num_items, "start": start2})
    assert result_set1 and result_set2
    for i in range(start2, num_items):
        assert result_set1[i].title == result_set2[start1 + (i - start2)].title


def test_times_are_the_events_own(afg_client: FlaskClient) -> None:
    """A 9:30 event in Berkeley is 09:30 in startDate/startTime (not converted to another zone)."""
    items = afg_client.get("/api/volopps?vol_loc=Berkeley, CA&num=5&sort=date").get_json()["items"]
    assert items and all(item["city"] == "Berkeley" for item in items)
    assert {item["startTime"] for item in items} == {"09:30:00"}
    assert {item["endTime"] for item in items} == {"12:30:00"}
    first = datetime.strptime(items[0]["startDate"], "%Y-%m-%d %H:%M:%S")
    assert first.time().isoformat() == "09:30:00"


@pytest.mark.parametrize("vol_loc", ["94703", "94703-1234", "Berkeley, CA"])
def test_us_zip_codes_and_cities_are_places(afg_client: FlaskClient, vol_loc: str) -> None:
    body = afg_client.get(
        "/api/volopps", query_string={"vol_loc": vol_loc, "vol_dist": 15, "num": 50}
    ).get_json()
    assert {item["city"] for item in body["items"]} == {"Berkeley"}
