"""Per-client token buckets on the API: 429 with Retry-After and a JSON error, refill, isolation
(tests/test_rate_limits_shared.py: across workers, behind proxies, on the site)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from search_app import create_app, ratelimit
from search_app.ratelimit import RateLimiter
from volunteer_hub.core.config import load_settings
from volunteer_hub.store import rate_limit
from volunteer_hub.store.db import Database
from volunteer_hub.store.ops_models import RateBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_app(tmp_path: Path, backend: object, **config: object) -> Flask:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    return create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True, **config})


@pytest.fixture(name="clock")
def clock_fixture() -> FakeClock:
    return FakeClock()


@pytest.fixture(name="limited")
def limited_fixture(tmp_path: Path, backend: object, clock: FakeClock) -> Flask:
    app = make_app(tmp_path, backend, API_RATE_LIMIT=3, API_RATE_LIMIT_PERIOD=60)
    active = ratelimit.limiter(app)
    assert active is not None
    active.clock = clock
    return app


def test_over_the_limit_is_a_429_with_retry_after(limited: Flask) -> None:
    client = limited.test_client()
    remaining = []
    for _ in range(3):
        response = client.get("/api/v1/opportunities")
        assert response.status_code == 200
        assert response.headers["RateLimit-Limit"] == "3"
        remaining.append(int(response.headers["RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]
    response = client.get("/api/v1/facets")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "20"  # one token every 60/3 s
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    assert "Too many requests" in response.get_json()["error"]["message"]


def test_tokens_come_back_over_time(limited: Flask, clock: FakeClock) -> None:
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/api/v1/opportunities").status_code == 200
    clock.now += 5
    response = client.get("/api/v1/opportunities")
    assert response.status_code == 429 and response.headers["Retry-After"] == "15"
    clock.now += 15
    assert client.get("/api/v1/opportunities").status_code == 200
    assert client.get("/api/v1/opportunities").status_code == 429
    clock.now += 3600  # a long pause refills the bucket, no further than its capacity
    assert [client.get("/api/v1/opportunities").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_each_client_has_its_own_bucket(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(3):
        client.get("/api/v1/opportunities", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert client.get("/api/v1/opportunities", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert client.get("/api/v1/opportunities", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_every_api_route_is_limited_but_not_the_site_or_preflights(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(5):
        assert client.options("/api/v1/opportunities").status_code == 200
        assert client.get("/robots.txt").status_code == 200
    routes = ("/api/v1/opportunities", "/api/v1/facets", "/api/v1/opportunities/nope")
    for path in routes:
        client.get(path)
    for path in (*routes, "/api/v1/openapi.json"):
        assert client.get(path).status_code == 429, path


def test_limiting_can_be_switched_off(tmp_path: Path, backend: object) -> None:
    app = make_app(tmp_path, backend, API_RATE_LIMIT=0)
    client = app.test_client()
    assert ratelimit.limiter(app) is None
    assert all(client.get("/api/v1/facets").status_code == 200 for _ in range(10))


def test_default_is_120_a_minute(tmp_path: Path, backend: object) -> None:
    active = ratelimit.limiter(make_app(tmp_path, backend))
    assert active is not None and (active.limit, active.period, active.capacity) == (120, 60.0, 120.0)


def test_burst_capacity_and_bad_settings(tmp_path: Path) -> None:
    clock = FakeClock()
    bucket = RateLimiter(
        60, 60, burst=2, clock=clock, database=Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    )
    assert [bucket.take("a")[0] for _ in range(3)] == [True, True, False]
    allowed, _, wait = bucket.take("a")
    assert not allowed and wait == pytest.approx(1.0)
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_idle_clients_are_forgotten(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    clock = FakeClock()
    bucket = RateLimiter(2, 60, clock=clock, database=database)
    for client in ("a", "b", "c", "d"):
        bucket.take(client)
    bucket.take("a")  # "a" is now empty
    clock.now += 30  # "b", "c", "d" are full again, "a" is not
    assert rate_limit.prune(database, "api:", bucket.capacity, bucket.rate, clock.now) == 3
    with database.session() as s:
        assert set(s.scalars(select(RateBucket.key))) == {"api:a"}
    assert bucket.take("a")[0] and not bucket.take("a")[0]
