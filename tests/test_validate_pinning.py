"""The one fetcher of ``validate URL`` and of the partner sign-up (``crawlers.fetch``).

DNS rebinding: a hostile DNS server answers a public address to the check, then 127.0.0.1. The
fetcher resolves once and connects to the address it checked, so nothing reaches 127.0.0.1. The
lookups are faked and the connection to the "public" address is stood in for (recorded, then
refused): the only real traffic is to servers on 127.0.0.1.

Deadline: a server on 127.0.0.1 that drips its answer (a byte every 0.1 s, for far longer than
the limit) is cut by the fetch's overall deadline, for ``validate`` and for the sign-up.
"""

from __future__ import annotations

import http.server
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crawlers.fetch
from crawlers.validate import ValidationUnreadable, read_source
from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.store.db import Database, Partner

PUBLIC = "93.184.215.14"  # only ever handed out by the fake, never connected to
HOST = "feeds.rebind.test"
RSS = b"<rss version='2.0'><channel><title>t</title><item><title>Mission</title>" + (
    b"<link>https://a.example/1</link><description>Aider</description></item></channel></rss>"
)


def settings_for(tmp_path: Path, allow_private: bool, **env: str) -> Settings:
    values = {"VOLUNTEER_HUB_HOME": str(tmp_path / "home"), **env}
    if allow_private:
        values["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    return load_settings(values)


class LocalServer:
    """A server on 127.0.0.1 recording every request; ``drip`` answers a byte at a time."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.dripped_to_the_end: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.hits.append(self.path)
                try:
                    if self.path == "/drip-body":
                        self.send_response(200)
                        self.send_header("Content-Length", "300")
                        self.end_headers()
                        self.drip(b"<rss>" + b" " * 295)
                    elif self.path == "/drip-headers":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                        self.drip(b"X-Slow: " + b"a" * 290 + b"\r\n")
                    else:
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(RSS)))
                        self.end_headers()
                        self.wfile.write(RSS)
                except OSError:  # the client gave up: expected for the drip routes
                    pass

            def drip(self, data: bytes) -> None:
                """One byte every 0.1 s: about 30 s, far beyond the 1 s deadline of these tests."""
                for byte in data:
                    if outer.stop.is_set():
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
                outer.dripped_to_the_end.append(self.path)

        self.stop = threading.Event()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.stop.set()
    srv.httpd.shutdown()


class FakeNetwork:
    """Answers ``answers`` in turn for HOST (the last one repeats; other names resolve as usual)
    and records every connection the fetcher opens; only 127.0.0.1 is really connected to."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = answers
        self.lookups: list[str] = []
        self.connections: list[tuple[str, int]] = []
        real_getaddrinfo, real_connect = socket.getaddrinfo, crawlers.fetch.create_connection

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
            if host != HOST:
                return real_getaddrinfo(host, port, *args, **kwargs)
            address = self.answers[min(len(self.lookups), len(self.answers) - 1)]
            self.lookups.append(address)
            return real_getaddrinfo(address, port, *args, **kwargs)

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
            self.connections.append(address)
            if address[0] != "127.0.0.1":
                raise ConnectionRefusedError(f"test network: no traffic to {address[0]}")
            return real_connect(address, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(crawlers.fetch, "create_connection", create_connection)


# -- validate ---------------------------------------------------------------------------------


def test_validate_connects_to_the_address_it_checked(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    net = FakeNetwork(monkeypatch, PUBLIC, "127.0.0.1")
    with pytest.raises(ValidationUnreadable, match=f"could not connect to {HOST}"):
        read_source(f"http://{HOST}:{server.port}/feed.xml", settings_for(tmp_path, allow_private=False))
    assert net.lookups == [PUBLIC] and net.connections == [(PUBLIC, server.port)]
    assert server.hits == []


def test_validate_refuses_a_private_answer_before_connecting(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    net = FakeNetwork(monkeypatch, "127.0.0.1")
    with pytest.raises(ValidationUnreadable, match=f"{HOST} resolved to 127.0.0.1 when connecting"):
        read_source(f"http://{HOST}:{server.port}/feed.xml", settings_for(tmp_path, allow_private=False))
    assert net.connections == [] and server.hits == []


def test_allowed_private_name_is_fetched_from_the_checked_address(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    net = FakeNetwork(monkeypatch, "127.0.0.1")
    data = read_source(f"http://{HOST}:{server.port}/feed.xml", settings_for(tmp_path, allow_private=True))
    assert b"<rss" in data and net.connections == [("127.0.0.1", server.port)]
    assert server.hits == ["/feed.xml"]


@pytest.mark.parametrize("route", ["/drip-body", "/drip-headers"])
def test_validate_cuts_a_drip_feeding_server_at_its_deadline(
    server: LocalServer, tmp_path: Path, route: str
) -> None:
    settings = settings_for(tmp_path, allow_private=True, VOLUNTEER_HUB_DOWNLOAD_TIMEOUT="1")
    with pytest.raises(ValidationUnreadable) as cut:
        read_source(f"http://127.0.0.1:{server.port}{route}", settings)
    assert str(cut.value) == "the server did not send it within 1 s (the time limit of a fetch)"
    assert server.dripped_to_the_end == []  # cut while dripping, not after the whole answer came


# -- the partner sign-up ----------------------------------------------------------------------


def signup_app(tmp_path: Path, allow_private: bool, **env: str) -> tuple[Flask, Database]:
    settings = settings_for(tmp_path, allow_private, **env)
    db = Database.from_settings(settings)
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db}), db


def sign_up(client: FlaskClient, url: str) -> tuple[int, str]:
    form = client.get("/partners/signup?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    res = client.post(
        "/partners/signup?lang=en",
        data={"csrf_token": token, "name": "Banque Alimentaire", "email": "contact@banque.example.org"}
        | {"url": url},
    )
    return res.status_code, res.get_data(as_text=True)


def registered(db: Database) -> list[str]:
    with db.session() as s:
        return [p.id for p in s.query(Partner).all()]


def test_signup_rebinding_never_reaches_the_local_server(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The hole issue 11 found: a public answer at the check, 127.0.0.1 at the connection."""
    app, db = signup_app(tmp_path, allow_private=False)
    net = FakeNetwork(monkeypatch, PUBLIC, "127.0.0.1")
    status, html = sign_up(app.test_client(), f"http://{HOST}:{server.port}/feed.xml")
    assert status == 422 and "could not read your feed" in html
    assert server.hits == [] and net.connections == [(PUBLIC, server.port)]
    assert registered(db) == []


def test_signup_cuts_a_drip_feeding_server_at_its_deadline(server: LocalServer, tmp_path: Path) -> None:
    app, db = signup_app(tmp_path, allow_private=True, VOLUNTEER_HUB_DOWNLOAD_TIMEOUT="1")
    status, html = sign_up(app.test_client(), f"http://127.0.0.1:{server.port}/drip-body")
    assert status == 422 and "the server did not send it within 1 s" in html
    assert server.hits == ["/drip-body"] and server.dripped_to_the_end == [] and registered(db) == []


def test_signup_reads_a_feed_through_the_fetcher(server: LocalServer, tmp_path: Path) -> None:
    app, db = signup_app(tmp_path, allow_private=True)
    status, _ = sign_up(app.test_client(), f"http://127.0.0.1:{server.port}/feed.xml")
    assert status == 200 and registered(db) == ["banque-alimentaire"]
