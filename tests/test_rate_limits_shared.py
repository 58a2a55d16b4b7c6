"""Rate limits an operator can rely on in production: shared by every worker process through the
database, per real client behind a trusted proxy only, configurable, and on HTML search and feeds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask

from search_app import create_app
from volunteer_hub.core.config import ConfigError, load_settings

SEARCH = "/?q=b%C3%A9n%C3%A9voles"


@pytest.fixture(autouse=True)
def shared_database(database_url: str) -> None:
    """Every worker of a test uses the ``database_url`` fixture's database (SQLite, then PostgreSQL)."""


def worker(tmp_path: Path, backend: object, name: str, **env: str) -> Flask:
    """One web worker: its own app and home, the database shared with the other workers."""
    settings = load_settings(
        {
            "VOLUNTEER_HUB_HOME": str(tmp_path / name),
            "VOLUNTEER_HUB_DATABASE_URL": os.environ["VOLUNTEER_HUB_DATABASE_URL"],
            **env,
        }
    )
    return create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True})


def test_two_workers_share_one_limit(tmp_path: Path, backend: object) -> None:
    one = worker(tmp_path, backend, "one", VOLUNTEER_HUB_RATE_LIMIT_API="4/minute").test_client()
    two = worker(tmp_path, backend, "two", VOLUNTEER_HUB_RATE_LIMIT_API="4/minute").test_client()
    statuses = [(one if i % 2 else two).get("/api/v1/facets").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    refused = one.get("/api/v1/opportunities")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    other = {"REMOTE_ADDR": "192.0.2.9"}  # another client still has its own bucket
    assert two.get("/api/v1/facets", environ_base=other).status_code == 200


def test_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path, backend: object) -> None:
    client = worker(tmp_path, backend, "w", VOLUNTEER_HUB_RATE_LIMIT_API="2/minute").test_client()
    for n in range(2):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert client.get("/api/v1/facets", headers=forged).status_code == 200
    # A new X-Forwarded-For each time does not buy a new bucket: the client is the TCP peer.
    assert client.get("/api/v1/facets", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429


def test_one_trusted_proxy_gives_each_visitor_a_bucket(tmp_path: Path, backend: object) -> None:
    app = worker(
        tmp_path, backend, "w", VOLUNTEER_HUB_RATE_LIMIT_API="2/minute", VOLUNTEER_HUB_TRUSTED_PROXIES="1"
    )
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    alice = {"X-Forwarded-For": "203.0.113.5"}
    bob = {"X-Forwarded-For": "203.0.113.6"}
    assert [
        client.get("/api/v1/facets", headers=alice, environ_base=proxy).status_code for _ in range(3)
    ] == [
        200,
        200,
        429,
    ]
    assert client.get("/api/v1/facets", headers=bob, environ_base=proxy).status_code == 200
    # Only the last hop is believed: a visitor prepending addresses gets no fresh bucket.
    spoofed = {"X-Forwarded-For": "10.9.9.9, 203.0.113.5"}
    assert client.get("/api/v1/facets", headers=spoofed, environ_base=proxy).status_code == 429


def test_trusted_proxy_host_still_checked_by_canonical_layer(tmp_path: Path, backend: object) -> None:
    """ProxyFix runs first: a forwarded host the site does not serve is refused, the public URL wins."""
    app = worker(
        tmp_path,
        backend,
        "w",
        VOLUNTEER_HUB_TRUSTED_PROXIES="1",
        VOLUNTEER_HUB_PUBLIC_URL="https://benevolat.example.org",
    )
    client = app.test_client()
    evil = client.get("/robots.txt", headers={"X-Forwarded-Host": "evil.example"})
    assert evil.status_code == 400
    good = client.get("/robots.txt", headers={"X-Forwarded-Host": "benevolat.example.org"})
    assert good.status_code == 200


def test_html_search_is_limited_with_a_friendly_page(tmp_path: Path, backend: object) -> None:
    client = worker(tmp_path, backend, "w", VOLUNTEER_HUB_RATE_LIMIT_SEARCH="3/minute").test_client()
    assert [client.get(SEARCH).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/")
    assert refused.status_code == 429
    # One token every 20 s; the requests before took a moment, on a busy machine several seconds.
    assert refused.mimetype == "text/html" and 10 <= int(refused.headers["Retry-After"]) <= 20
    assert "Trop de requêtes" in refused.get_data(as_text=True)  # French is the default language
    assert client.get("/widget").status_code == 429  # the widget is a search too
    assert client.get("/robots.txt").status_code == 200  # other pages are not limited
    assert client.get("/api/v1/facets").status_code == 200  # the API has its own limit


def test_feeds_are_limited(tmp_path: Path, backend: object) -> None:
    client = worker(tmp_path, backend, "w", VOLUNTEER_HUB_RATE_LIMIT_FEEDS="2/hour").test_client()
    assert client.get("/feeds/search.rss").status_code == 200
    assert client.get("/feeds/search.atom").status_code == 200
    refused = client.get("/feeds/search.rss")
    assert refused.status_code == 429 and 1790 <= int(refused.headers["Retry-After"]) <= 1800
    assert client.get(SEARCH).status_code == 200  # search pages keep their own limit


def test_defaults_and_switching_a_limit_off(tmp_path: Path, backend: object) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "h")})
    assert (settings.rate_limit_api, settings.rate_limit_search, settings.rate_limit_feeds) == (
        (120, 60.0),
        (60, 60.0),
        (60, 60.0),
    )
    assert settings.trusted_proxies == 0
    client = worker(tmp_path, backend, "w", VOLUNTEER_HUB_RATE_LIMIT_SEARCH="0").test_client()
    assert all(client.get("/").status_code == 200 for _ in range(70))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VOLUNTEER_HUB_RATE_LIMIT_API", "lots"),
        ("VOLUNTEER_HUB_RATE_LIMIT_FEEDS", "10/fortnight"),
        ("VOLUNTEER_HUB_RATE_LIMIT_SEARCH", "-1/minute"),
        ("VOLUNTEER_HUB_TRUSTED_PROXIES", "yes"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path), name: value})


def test_limit_forms(tmp_path: Path) -> None:
    env = {
        "VOLUNTEER_HUB_HOME": str(tmp_path),
        "VOLUNTEER_HUB_RATE_LIMIT_API": "10/second",
        "VOLUNTEER_HUB_RATE_LIMIT_SEARCH": "600/h",
        "VOLUNTEER_HUB_RATE_LIMIT_FEEDS": "30/120",
    }
    settings = load_settings(env)
    assert settings.rate_limit_api == (10, 1.0)
    assert settings.rate_limit_search == (600, 3600.0)
    assert settings.rate_limit_feeds == (30, 120.0)
