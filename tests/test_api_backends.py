"""The API answers the same bodies on both search backends (embedded SQLite and a real
Elasticsearch node on 127.0.0.1): /api/v1/opportunities, /api/v1/facets, /api/v1/opportunities/<id>
and the All for Good compatible /api/volopps, for every filter, sort and paging parameter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.params import DATE_ZONE
from tests.conftest import drop_generations
from tests.site_samples import ALL, BEACH, NOW
from volunteer_hub.core.config import load_settings

pytestmark = pytest.mark.elasticsearch


def _day(days: int) -> str:
    return (NOW + timedelta(days=days)).astimezone(DATE_ZONE).date().isoformat()


URLS = [
    "/api/v1/opportunities",
    "/api/v1/opportunities?q=plage",
    "/api/v1/opportunities?q=homework&lang=en",
    "/api/v1/opportunities?near=Saint-Malo&radius_km=100&sort=nearest",
    "/api/v1/opportunities?near=35000&radius_km=10",
    "/api/v1/opportunities?region=bretagne&cause=environnement",
    "/api/v1/opportunities?cause=sante,education",
    "/api/v1/opportunities?remote=true",
    "/api/v1/opportunities?remote=false&sort=soonest",
    f"/api/v1/opportunities?date_from={_day(15)}&sort=newest",
    f"/api/v1/opportunities?date_to={_day(5)}&sort=newest",
    "/api/v1/opportunities?organization=Les+Amis+du+Littoral&sort=newest",
    "/api/v1/opportunities?partner=passerelles&sort=newest",
    "/api/v1/opportunities?sort=newest&per_page=2&page=2",
    "/api/v1/facets",
    "/api/v1/facets?cause=environnement&lang=en",
    "/api/v1/facets?near=Lyon&radius_km=50",
    f"/api/v1/facets?date_from={_day(1)}&date_to={_day(12)}&remote=false",
    f"/api/v1/opportunities/{BEACH.id}",
    "/api/v1/opportunities/nope-0000",
    "/api/volopps?q=plage",
    "/api/volopps?vol_loc=Saint-Malo&vol_dist=45&sort=distance",
    "/api/volopps?category=Environment&sort=date",
    "/api/volopps?sort=date&num=3&start=2",
    "/api/volopps?timeperiod=this_month&sort=date",
]


@pytest.fixture(name="clients")
def clients_fixture(es_url: str, tmp_path: Path) -> Iterator[tuple[FlaskClient, FlaskClient]]:
    from indexer.es_backend import ElasticsearchBackend  # noqa: PLC0415 - only with a node

    sqlite = SqliteBackend(tmp_path / "search.sqlite3")
    es = ElasticsearchBackend(es_url, alias=f"vh-test-api-{uuid.uuid4().hex[:8]}")
    try:
        clients = []
        for name, backend in (("sqlite", sqlite), ("es", es)):
            backend.ensure_ready()
            assert backend.upsert(ALL).ok
            settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / f"home-{name}")})
            app = create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True, "API_RATE_LIMIT": 0})
            clients.append(app.test_client())
        yield clients[0], clients[1]
    finally:
        drop_generations(es)


def _body(client: FlaskClient, url: str) -> tuple[int, Any]:
    response = client.get(url)
    body = response.get_json()
    if isinstance(body, dict) and "lastBuildDate" in body:
        body.pop("lastBuildDate")  # the clock, not the backend
    return response.status_code, body


def test_same_api_bodies_on_both_backends(clients: tuple[FlaskClient, FlaskClient]) -> None:
    sqlite, es = clients
    non_empty = 0
    for url in URLS:
        status, body = _body(sqlite, url)
        assert status in (200, 404), url
        assert _body(es, url) == (status, body), url
        non_empty += bool(body.get("items") or body.get("facets", {}).get("cause") or body.get("id"))
    assert non_empty >= len(URLS) - 2  # the comparisons are not between empty answers
