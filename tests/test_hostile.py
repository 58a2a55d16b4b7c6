"""Hostile and broken input, served from 127.0.0.1 only: every case fails the run with a clear
reason naming the partner, and never deletes what the last good crawl stored.

Crawls run as ``volunteer-hub crawl`` subprocesses (one Twisted reactor per process) with
short limits set through the environment (crawlers/settings.py), so the whole module stays
fast. Parser-level cases call the parsers directly.
"""

from __future__ import annotations

import gzip
import http.server
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crawlers.fetch import _Watchdog
from crawlers.formats import parse_feed
from crawlers.formats.base import FeedError
from tests.helpers import cli, fpxml

GOOD_ITEMS = [(f"opp-{n}", f"Tri à la banque alimentaire n°{n}") for n in range(10)]
GOOD = fpxml(GOOD_ITEMS).encode()
LIMITS = {
    "VOLUNTEER_HUB_DOWNLOAD_TIMEOUT": "1",
    "VOLUNTEER_HUB_DOWNLOAD_MAXSIZE": str(1024 * 1024),
    "VOLUNTEER_HUB_MAX_FEED_BYTES": str(1024 * 1024),
    "VOLUNTEER_HUB_RETRY_TIMES": "0",
}

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


def send(body: bytes, content_type: str = "application/xml", status: int = 200, **headers: str) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.end_headers()
        try:
            h.wfile.write(body)
        except OSError:  # the crawler gave up first (timeouts, size limits): expected
            pass

    return route


def slow(delay: float) -> Route:
    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        send(GOOD)(h)

    return route


def drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.2 s: only a whole-download timeout stops it."""
    h.send_response(200)
    h.send_header("Content-Type", "application/xml")
    h.send_header("Content-Length", str(len(GOOD)))
    h.end_headers()
    try:
        for byte in GOOD[:100]:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    send(b"not found", "text/plain", 404)(self)
                else:
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.httpd.shutdown()


def run_cli(home: Path, *args: str, allow_private: bool = True) -> subprocess.CompletedProcess[str]:
    return cli(home, *args, allow_private=allow_private, timeout=120, **LIMITS)


def total(home: Path) -> int:
    out = run_cli(home, "search", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["total"]


@pytest.fixture(scope="module")
def crawled(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory where partner 'banque' was crawled once, successfully (10 items)."""
    home = tmp_path_factory.mktemp("hostile") / "home"
    server.routes["/feed.xml"] = send(GOOD)
    assert run_cli(home, "partners", "add", "banque", "--url", f"{server.base}/feed.xml").returncode == 0
    first = run_cli(home, "crawl", "banque", "--json")
    assert json.loads(first.stdout)[0]["status"] == "succeeded", first.stdout + first.stderr
    assert total(home) == 10
    return home


def bomb(size: int) -> bytes:
    return gzip.compress(b"<FootprintFeed>" + b" " * size, compresslevel=9)


ENTITY_FEEDS = {
    "xxe": GOOD.replace(
        b"<FootprintFeed",
        b'<!DOCTYPE FootprintFeed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><FootprintFeed',
        1,
    ).replace(b"Help sort", b"&xxe; Help sort"),
    "billion-laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]><FootprintFeed><FeedInfo/><VolunteerOpportunities><VolunteerOpportunity><title>&lol9;</title>"
        b"</VolunteerOpportunity></VolunteerOpportunities></FootprintFeed>"
    ),
}

CASES: dict[str, tuple[Route, str]] = {
    "xxe": (send(ENTITY_FEEDS["xxe"]), "entity declarations are refused"),
    "billion-laughs": (send(ENTITY_FEEDS["billion-laughs"]), "entity declarations are refused"),
    "gzip-bomb-file": (send(bomb(5 * 1024 * 1024), "application/gzip"), "limit once decompressed"),
    "gzip-bomb-content-encoding": (
        send(bomb(5 * 1024 * 1024), "application/xml", Content_Encoding="gzip"),
        "download limit",
    ),
    "huge-response": (send(GOOD + b" " * (2 * 1024 * 1024)), "download limit"),
    "truncated-xml": (send(GOOD[: len(GOOD) // 2]), "malformed"),
    "truncated-gzip": (
        send(gzip.compress(GOOD)[:300], "application/gzip"),
        "gzip data is corrupt or truncated",
    ),
    "html-instead-of-feed": (
        send(b"<!doctype html><html><body>Please log in</body></html>", "text/html; charset=utf-8"),
        "returned a web page (Content-Type text/html",
    ),
    "image-instead-of-feed": (
        send(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        "Content-Type image/png",
    ),
    "invalid-encoding": (
        send(GOOD.replace("Tri à".encode(), "Tri à".encode("latin-1"))),
        "not valid in its declared encoding",
    ),
    "empty-body": (send(b""), "the feed is empty"),
    "http-500": (send(b"oops", "text/plain", 500), "HTTP 500"),
    "redirect-to-file-scheme": (
        send(b"", "text/plain", 302, Location="file:///etc/passwd"),
        "a redirect to file:///etc/passwd that was not followed",
    ),
    "redirect-loop": (send(b"", "text/plain", 302, Location="/feed.xml"), "redirect"),
    "slow-server": (slow(3), "within 1 s (timeout)"),
    "drip-feed": (drip, "within 1 s (timeout)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_feed_fails_clearly_and_keeps_good_data(case: str, server: Server, crawled: Path) -> None:
    route, reason = CASES[case]
    server.routes["/feed.xml"] = route
    out = run_cli(crawled, "crawl", "banque", "--force")  # the reason names the deadline that cut it
    assert out.returncode == 1, out.stdout + out.stderr
    assert "banque: failed" in out.stdout, out.stdout
    assert reason.lower() in out.stdout.lower(), out.stdout
    assert "Traceback" not in out.stderr, out.stderr
    assert total(crawled) == 10
    server.routes["/feed.xml"] = send(GOOD)


def test_valid_but_empty_feed_removes_nothing(server: Server, crawled: Path) -> None:
    server.routes["/feed.xml"] = send(fpxml([]).encode())
    out = run_cli(crawled, "crawl", "banque", "--force", "--json")
    run = json.loads(out.stdout)[0]
    assert run["status"] in ("shrink-guarded", "failed") and run["removed"] == 0
    assert total(crawled) == 10
    server.routes["/feed.xml"] = send(GOOD)


def test_wrong_content_type_with_a_real_feed_is_read(server: Server, tmp_path: Path) -> None:
    server.routes["/plain.xml"] = send(GOOD, "text/plain")
    home = tmp_path / "home"
    run_cli(home, "partners", "add", "plain", "--url", f"{server.base}/plain.xml")
    run = json.loads(run_cli(home, "crawl", "plain", "--json").stdout)[0]
    assert (run["status"], run["seen"]) == ("succeeded", 10)


def test_private_address_guard_refuses_before_connecting(server: Server, tmp_path: Path) -> None:
    """VOLUNTEER_HUB_ALLOW_PRIVATE_URLS unset; only 127.0.0.1 is ever addressed."""
    server.routes["/guarded.xml"] = send(GOOD)
    server.routes["/hop"] = send(b"", "text/plain", 302, Location=f"{server.base}/guarded.xml")
    home = tmp_path / "home"
    before = list(server.hits)
    for name, path in (("direct", "/guarded.xml"), ("hop", "/hop")):
        run_cli(home, "partners", "add", name, "--url", f"{server.base}{path}", allow_private=False)
        out = run_cli(home, "crawl", name, allow_private=False)
        assert out.returncode == 1 and "private, loopback" in out.stdout, out.stdout
    out = run_cli(home, "validate", f"{server.base}/hop", allow_private=False)
    assert out.returncode == 2 and "private, loopback" in out.stdout + out.stderr
    assert server.hits == before  # nothing was even requested (robots.txt included)


def test_redirects_are_checked_by_the_guard() -> None:
    """Scrapy's redirect middleware hands the redirected request back through our guard."""
    from scrapy import Request
    from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    from crawlers.middlewares import PrivateAddressGuard, PrivateAddressRefused

    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 5})
    crawler.spider = crawler._create_spider("test")
    redirects = RedirectMiddleware.from_crawler(crawler)
    guard = PrivateAddressGuard(allow_private=False)
    first = Request("http://127.0.0.1:9/feed.xml")
    response = Response(
        first.url, status=302, headers={"Location": "http://127.0.0.1:9/moved.xml"}, request=first
    )
    redirected = redirects.process_response(first, response)
    assert isinstance(redirected, Request) and redirected.url == "http://127.0.0.1:9/moved.xml"
    with pytest.raises(PrivateAddressRefused, match="private, loopback"):
        guard.process_request(redirected)
    assert PrivateAddressGuard(allow_private=True).process_request(redirected) is None


def test_validate_follows_redirects_only_through_the_guard(server: Server, tmp_path: Path) -> None:
    server.routes["/to-file"] = send(b"", "text/plain", 302, Location="file:///etc/passwd")
    out = run_cli(tmp_path, "validate", f"{server.base}/to-file")
    assert out.returncode == 2 and "passwd" not in out.stdout.split("\n", 1)[-1]
    server.routes["/slow-validate"] = slow(3)
    out = run_cli(tmp_path, "validate", f"{server.base}/slow-validate")
    assert out.returncode == 2 and "time limit of a fetch" in out.stdout + out.stderr, out.stdout + out.stderr


# -- parser level -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ENTITY_FEEDS))
def test_entities_refused_by_parsers(name: str) -> None:
    with pytest.raises(FeedError, match="entity declarations are refused"):
        list(parse_feed(ENTITY_FEEDS[name])[1])


def test_entities_refused_in_rss_and_utf16() -> None:
    rss = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><item><title>&x;</title><link>https://a.example/</link></item></channel></rss>"
    )
    with pytest.raises(FeedError, match="entity"):
        list(parse_feed(rss)[1])
    utf16 = rss.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16")
    with pytest.raises(FeedError, match="entity"):
        list(parse_feed(utf16, "rss")[1])


def test_gzip_bomb_capped_without_inflating_it_all() -> None:
    with pytest.raises(FeedError, match="once decompressed"):
        parse_feed(bomb(50 * 1024 * 1024), max_bytes=1024 * 1024)


def test_external_dtd_is_not_fetched() -> None:
    """Old RSS 0.91 feeds name an external DTD: read, never fetched (no network access)."""
    rss = (
        b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://127.0.0.1:9/rss-0.91.dtd"><rss version="0.91"><channel><title>t</title>'
        b"<item><title>A</title><link>https://a.example/1</link></item></channel></rss>"
    )
    items = list(parse_feed(rss)[1])
    assert [getattr(i, "title", None) for i in items] == ["A"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.xml",
        "http://2130706433/feed.xml",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/feed.xml",
        "http://[::ffff:127.0.0.1]/feed.xml",  # IPv4-mapped
        "http://[64:ff9b::7f00:1]/feed.xml",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::1]/feed.xml",  # 6to4 of 127.0.0.1
        "http://localhost./feed.xml",
    ],
)
def test_guard_sees_through_spellings_of_loopback(url: str) -> None:
    """Only checks (name resolution of literals); nothing is sent anywhere."""
    from crawlers.middlewares import check_url

    assert "private, loopback" in (check_url(url, allow_private=False) or "")
    assert check_url(url.replace("http:", "gopher:", 1), allow_private=True) is not None


def test_a_socket_timeout_at_the_deadline_is_reported_as_the_deadline() -> None:
    """On a loaded machine the socket's own timeout (set to the time left) can run out before the
    watchdog's thread fires: the partner must still read "the time limit of a fetch"."""
    watchdog = _Watchdog(600)  # not started: its thread never fires, as when it gets no core
    assert not watchdog.explains(TimeoutError("timed out"))  # before the deadline: a read timeout
    watchdog.ends = time.monotonic()  # the deadline has come
    assert watchdog.explains(TimeoutError("timed out"))
    assert not watchdog.explains(ConnectionResetError("reset"))  # a real network error stays one
    assert "time limit of a fetch" in str(watchdog.expired())
