"""``validate URL`` (and the portal sign-up, which uses it) connects to the address it checked.

DNS rebinding: the guard's lookup answers a public address, the connection's lookup 127.0.0.1.
Both lookups are faked; the only real traffic is to a counting server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from crawlers.validate import ValidationUnreadable, read_source

PUBLIC = "93.184.215.14"  # only ever handed out by the fake, never connected to
HOST = "feeds.rebind.test"


@pytest.fixture
def server() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path)
            body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], hits
    httpd.shutdown()


def fake_dns(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Answer ``answers`` in turn for HOST (the last one repeats); numeric hosts resolve as usual."""
    real = socket.getaddrinfo
    given: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
        if host != HOST:
            return real(host, port, *args, **kwargs)
        address = answers[min(len(given), len(answers) - 1)]
        given.append(address)
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return given


def test_rebinding_to_loopback_is_refused_before_connecting(
    server: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, hits = server
    monkeypatch.delenv("VOLUNTEER_HUB_ALLOW_PRIVATE_URLS", raising=False)
    given = fake_dns(monkeypatch, PUBLIC, "127.0.0.1")
    with pytest.raises(ValidationUnreadable, match=f"{HOST} resolved to 127.0.0.1 when connecting"):
        read_source(f"http://{HOST}:{port}/feed.xml")
    assert given == [PUBLIC, "127.0.0.1"] and hits == []


def test_allowed_private_name_is_fetched_from_the_checked_address(
    server: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, hits = server
    monkeypatch.setenv("VOLUNTEER_HUB_ALLOW_PRIVATE_URLS", "1")
    fake_dns(monkeypatch, "127.0.0.1")
    assert b"<rss" in read_source(f"http://{HOST}:{port}/feed.xml")
    assert hits == ["/feed.xml"]
