"""Issue 16, information exposure and request size: what strangers can learn from /metrics and
/healthz, the Server banner, and bodies over MAX_CONTENT_LENGTH."""

from __future__ import annotations

import socket
import threading
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from indexer.sqlite_backend import SqliteBackend
from search_app.app import MAX_CONTENT_LENGTH, create_app
from volunteer_hub.cli.server import DevRequestHandler
from volunteer_hub.core.config import ConfigError, load_settings
from volunteer_hub.store.db import Database

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


class BrokenBackend(SqliteBackend):
    def health(self) -> tuple[bool, str]:
        return False, "Elasticsearch at http://10.1.2.3:9200 unreachable: ConnectionError"


def build(home: Path, backend: SqliteBackend | None = None, **env: str) -> Flask:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home), **env})
    backend = backend or SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    database = Database.from_settings(settings)
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": database})


@pytest.fixture
def client(home: Path) -> FlaskClient:
    return build(home).test_client()


# -- /metrics ------------------------------------------------------------------------------------
def test_metrics_are_refused_to_strangers_by_default(client: FlaskClient) -> None:
    response = client.get("/metrics", environ_base=ELSEWHERE)
    assert response.status_code == 403
    assert "volunteer_hub" not in response.get_data(as_text=True)
    assert "VOLUNTEER_HUB_METRICS_TOKEN" in response.get_data(as_text=True)


def test_metrics_answer_a_local_scraper(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_metrics_relayed_by_a_local_proxy_are_refused(client: FlaskClient, header: str) -> None:
    """Behind nginx on the same host every visitor comes from 127.0.0.1, with a forwarding header."""
    assert client.get("/metrics", headers={header: "203.0.113.9"}).status_code == 403


def test_metrics_from_a_configured_network(home: Path) -> None:
    client = build(home, VOLUNTEER_HUB_METRICS_NETWORKS="10.0.0.0/8, 192.0.2.7").test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    assert client.get("/metrics", environ_base=ELSEWHERE).status_code == 403
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed


def test_a_bad_metrics_network_is_a_config_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="VOLUNTEER_HUB_METRICS_NETWORKS"):
        load_settings({"VOLUNTEER_HUB_HOME": str(home), "VOLUNTEER_HUB_METRICS_NETWORKS": "intranet"})


def test_a_metrics_token_is_required_from_anywhere(home: Path) -> None:
    client = build(home, VOLUNTEER_HUB_METRICS_TOKEN="s3cret").test_client()
    assert client.get("/metrics").status_code == 401
    bearer = {"Authorization": "Bearer s3cret"}
    assert client.get("/metrics", headers=bearer, environ_base=ELSEWHERE).status_code == 200


# -- /healthz ------------------------------------------------------------------------------------
def test_healthz_tells_orchestrators_only_ok_or_failed(home: Path) -> None:
    backend = BrokenBackend(home / "broken.sqlite3")
    client = build(home, backend, VOLUNTEER_HUB_METRICS_TOKEN="s3cret").test_client()
    response = client.get("/healthz", environ_base=ELSEWHERE)
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["search"] == {"ok": False, "reason": "unavailable"}
    assert "search: unavailable" in body["reasons"]
    text = response.get_data(as_text=True)
    for secret in ("10.1.2.3", str(home), socket.gethostname(), "pid", "sqlite"):
        assert secret not in text, secret
    # The same with the metrics token: every detail.
    verbose = client.get("/healthz", headers={"Authorization": "Bearer s3cret"}).get_json()
    assert "http://10.1.2.3:9200" in verbose["checks"]["search"]["detail"]
    assert "search: Elasticsearch at http://10.1.2.3:9200 unreachable: ConnectionError" in verbose["reasons"]


def test_healthz_hides_the_index_path_when_healthy(client: FlaskClient, home: Path) -> None:
    body = client.get("/healthz").get_json()
    assert body["checks"]["search"] == {"ok": True}
    assert str(home) not in str(body)


# -- Server banner -------------------------------------------------------------------------------
def test_no_response_names_the_server_software(client: FlaskClient) -> None:
    for path in ("/", "/api/v1/opportunities", "/healthz", "/nowhere", "/static/site.css"):
        assert "Server" not in client.get(path).headers, path


def test_the_development_server_sends_no_banner(home: Path) -> None:
    server = make_server("127.0.0.1", 0, build(home), threaded=True, request_handler=DevRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/robots.txt") as response:  # noqa: S310
            assert response.headers["Server"] == "volunteer-hub"
    finally:
        server.shutdown()
        thread.join()


# -- MAX_CONTENT_LENGTH --------------------------------------------------------------------------
def test_a_body_over_the_limit_is_a_friendly_413(client: FlaskClient) -> None:
    assert MAX_CONTENT_LENGTH == 2_000_000
    big = "x" * (MAX_CONTENT_LENGTH + 1)
    response = client.post("/partners/signup?lang=en", data={"name": big})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 2 MB" in html and "<html" in html


def test_a_body_under_the_limit_is_read(client: FlaskClient) -> None:
    response = client.post("/partners/signup?lang=en", data={"name": "x" * 100_000})
    assert response.status_code == 400  # read, and refused for its own reasons (no CSRF token)
