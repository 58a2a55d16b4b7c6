"""Issue 16 (high): links, canonical URLs and sign-in e-mails never come from the request's Host.

Before: ``POST /partners/login`` with ``Host: evil.example`` e-mailed the partner a link to
``http://evil.example/partners/login/<token>``, and pages named evil.example as their canonical URL.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.smtp_server import smtp_server  # noqa: F401 - fixture
from volunteer_hub.core.config import ConfigError, load_settings
from volunteer_hub.store.db import Database, Partner

PUBLIC = "https://benevolat.example.org"
Mails = list[tuple[list[str], str]]


def _app(db: Database) -> Flask:
    settings = load_settings()
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


@pytest.fixture
def db(home: Path) -> Database:
    db = Database.from_settings(load_settings())
    with db.session() as s, s.begin():
        s.add(
            Partner(
                id="alpha", name="Alpha", url="https://alpha.example.org/f.xml", contact_email="a@alpha.org"
            )
        )
    return db


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Mails]) -> Mails:  # noqa: F811
    port, mails = smtp_server
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_PORT", str(port))
    return mails


def _request_link(client: FlaskClient, host: str) -> int:
    page = client.get("/partners/login", headers={"Host": host}).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    csrf = match.group(1) if match else ""
    res = client.post(
        "/partners/login", data={"csrf_token": csrf, "email": "a@alpha.org"}, headers={"Host": host}
    )
    return res.status_code


def _wait(mails: Mails, count: int = 1) -> None:
    for _ in range(100):
        if len(mails) >= count:
            return
        time.sleep(0.05)


def test_sign_in_mail_links_to_the_public_url_whatever_the_host(
    db: Database, smtp: Mails, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLUNTEER_HUB_PUBLIC_URL", PUBLIC + "/")
    monkeypatch.setenv("VOLUNTEER_HUB_TRUSTED_HOSTS", "benevolat.example.org, localhost, hub.internal")
    client = _app(db).test_client()
    # A host the operator lists (an internal name) still gets links to the public address.
    assert _request_link(client, "hub.internal:8000") == 200
    _wait(smtp)
    ((rcpt, body),) = smtp
    assert rcpt == ["a@alpha.org"]
    links = re.findall(r"https?://\S+/partners/login/\S+", body)
    assert links and all(link.startswith(f"{PUBLIC}/partners/login/") for link in links), body
    assert "hub.internal" not in body


def test_a_forged_host_is_refused_and_mails_nothing(
    db: Database, smtp: Mails, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOLUNTEER_HUB_PUBLIC_URL", PUBLIC)
    client = _app(db).test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert _request_link(client, "evil.example") == 400
    time.sleep(0.3)
    assert smtp == []
    # Loopback stays reachable for health checks and a local reverse proxy.
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code in (200, 503)


def test_canonical_links_follow_the_public_url(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLUNTEER_HUB_PUBLIC_URL", PUBLIC)
    client = _app(db).test_client()
    page = client.get("/?q=jardin", headers={"Host": "localhost"}).get_data(as_text=True)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', page)
    assert canonical and canonical.group(1).startswith(PUBLIC + "/"), canonical
    sitemap = client.get("/sitemap.xml", headers={"Host": "localhost"}).get_data(as_text=True)
    assert f"<loc>{PUBLIC}/" in sitemap and "localhost" not in sitemap


def test_without_public_url_sign_in_mail_is_refused(
    db: Database, smtp: Mails, caplog: pytest.LogCaptureFixture
) -> None:
    client = _app(db).test_client()
    caplog.set_level("ERROR")
    assert _request_link(client, "evil.example") == 200  # same answer: nothing to learn from it
    time.sleep(0.3)
    assert smtp == []
    assert "set VOLUNTEER_HUB_PUBLIC_URL" in caplog.text


@pytest.mark.parametrize("value", ["benevolat.example.org", "ftp://x.org", "https://x.org/?a=1", "https://"])
def test_a_public_url_that_is_not_an_address_is_refused(value: str, home: Path) -> None:
    with pytest.raises(ConfigError, match="VOLUNTEER_HUB_PUBLIC_URL"):
        load_settings({"VOLUNTEER_HUB_HOME": str(home), "VOLUNTEER_HUB_PUBLIC_URL": value})
