"""DNS rebinding: the address a crawl connects to is the address that was checked.

``PrivateAddressGuard`` resolves a request's host, then Twisted resolves it again to connect; a
hostile DNS server can answer a public address to the first lookup and 127.0.0.1 to the second.
``crawlers.resolver.PublicAddressResolver`` (Scrapy's DNS resolver for every crawl) vets the
address it hands to the connection.

No test here sends anything (DNS queries included) anywhere but 127.0.0.1: names are answered by
fakes injected in place of the real lookups, the "public" address is only ever returned by a fake
and never connected to, and private or link-local addresses only appear as fake answers.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer
from twisted.internet.base import ThreadedResolver
from twisted.internet.endpoints import HostnameEndpoint
from twisted.internet.error import DNSLookupError
from twisted.internet.protocol import Factory, Protocol
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure

from crawlers import resolver as resolver_module
from crawlers.middlewares import PrivateAddressRefused, RefusedAddressReporter, check_url
from crawlers.resolver import PublicAddressResolver, refusal_for
from tests.helpers import fpxml

REPO = Path(__file__).resolve().parent.parent
# A global unicast address (not a documentation range, which ``ipaddress`` counts as private).
# Only ever *returned* by the fakes below: nothing is sent to it.
PUBLIC = "93.184.215.14"
HOST = "feeds.rebind.test"


@pytest.fixture(autouse=True)
def fresh_resolver_state() -> Iterator[None]:
    """Scrapy's DNS cache and the refusal memory are per process: start each test empty."""
    from scrapy.resolver import dnscache

    dnscache.clear()
    resolver_module._refusals.clear()
    yield
    dnscache.clear()
    resolver_module._refusals.clear()


class FakeDNS:
    """Answers ``answers[0]`` to the first lookup of a name, then ``answers[1]`` forever."""

    def __init__(self, *answers: str) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, str]] = []

    def answer(self, how: str, host: str) -> str:
        value = self.answers[min(len(self.calls), len(self.answers) - 1)]
        self.calls.append((how, host, value))
        return value

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The middleware's check (getaddrinfo) and the connection's lookup share the sequence."""

        def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list:
            address = self.answer("check", host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

        def threaded_lookup(resolver: Any, name: str, timeout: Any = ()) -> defer.Deferred:
            return defer.succeed(self.answer("connect", name))

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(ThreadedResolver, "getHostByName", threaded_lookup)


def result_of(d: defer.Deferred) -> Any:
    """The synchronous outcome of ``d`` (a value, or the Failure)."""
    out: list = []
    d.addBoth(out.append)
    assert out, "the deferred did not fire"
    return out[0]


def make_resolver(allow_private: bool = False) -> PublicAddressResolver:
    return PublicAddressResolver(MemoryReactorClock(), cache_size=100, timeout=5, allow_private=allow_private)


# -- the resolver ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "169.254.169.254", "10.0.0.7", "192.168.1.20", "100.64.0.1", "0.0.0.0"]
)
def test_resolver_refuses_non_public_answers(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    FakeDNS(address).install(monkeypatch)
    outcome = result_of(make_resolver().getHostByName(HOST))
    assert isinstance(outcome, Failure) and outcome.check(DNSLookupError)
    message = outcome.getErrorMessage()
    assert HOST in message and address in message and "private, loopback" in message
    assert refusal_for(HOST) is not None and address in refusal_for(HOST)


def test_resolver_passes_public_answers_and_allowed_private_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeDNS(PUBLIC).install(monkeypatch)
    assert result_of(make_resolver().getHostByName(HOST)) == PUBLIC
    assert refusal_for(HOST) is None

    monkeypatch.setattr(ThreadedResolver, "getHostByName", lambda *a, **k: defer.succeed("127.0.0.1"))
    assert result_of(make_resolver(allow_private=True).getHostByName("other.rebind.test")) == "127.0.0.1"


def test_cached_answers_are_vetted_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.resolver import dnscache

    dnscache[HOST] = "127.0.0.1"

    def no_lookup(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a cached name is not looked up again")

    monkeypatch.setattr(ThreadedResolver, "getHostByName", no_lookup)
    outcome = result_of(make_resolver().getHostByName(HOST))
    assert isinstance(outcome, Failure) and outcome.check(DNSLookupError)


def test_a_later_good_answer_clears_the_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeDNS("127.0.0.1").install(monkeypatch)
    resolver = PublicAddressResolver(MemoryReactorClock(), cache_size=0, timeout=5)
    assert isinstance(result_of(resolver.getHostByName(HOST)), Failure)
    assert refusal_for(HOST.upper() + ".") is not None  # case and trailing dot do not matter
    FakeDNS(PUBLIC).install(monkeypatch)
    assert result_of(resolver.getHostByName(HOST)) == PUBLIC
    assert refusal_for(HOST) is None


class ReactorWithResolver(MemoryReactorClock):
    """A memory reactor (records connection attempts, makes none) with a pluggable resolver."""

    def installResolver(self, resolver: Any) -> Any:  # noqa: N802 - Twisted's interface
        from twisted.internet._resolver import SimpleResolverComplexifier

        self.resolver = resolver
        self.nameResolver = SimpleResolverComplexifier(resolver)
        return None


@pytest.mark.parametrize("allow_private", [False, True])
def test_rebinding_never_reaches_a_connection(allow_private: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check sees a public address, the connection's lookup 127.0.0.1: no connection is made."""
    dns = FakeDNS(PUBLIC, "127.0.0.1")
    dns.install(monkeypatch)
    url = f"http://{HOST}:8080/feed.xml"
    assert check_url(url, allow_private=False) is None  # the middleware's lookup: public

    reactor = ReactorWithResolver()
    resolver = PublicAddressResolver(reactor, cache_size=100, timeout=5, allow_private=allow_private)
    resolver.install_on_reactor()
    # What Scrapy's HTTP/1.1 handler does through twisted.web.client.Agent.
    endpoint = HostnameEndpoint(reactor, HOST.encode(), 8080)
    outcomes: list = []
    connecting = endpoint.connect(Factory.forProtocol(Protocol)).addBoth(outcomes.append)
    reactor.advance(1)
    assert [how for how, _, _ in dns.calls] == ["check", "connect"]
    if allow_private:  # the memory reactor records the attempt and never completes it
        assert [(host, port) for host, port, *_ in reactor.tcpClients] == [("127.0.0.1", 8080)]
        connecting.cancel()
        return
    assert reactor.tcpClients == []  # nothing was even attempted
    assert len(outcomes) == 1 and isinstance(outcomes[0], Failure) and outcomes[0].check(DNSLookupError)
    assert "127.0.0.1" in (refusal_for(HOST) or "")


# -- the middleware turning a refusal into a clear, per-URL error ------------------------------


def test_reporter_names_the_url_and_the_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy import Request

    try:
        from scrapy.exceptions import CannotResolveHostError as Wrapped
    except ImportError:  # older Scrapy hands Twisted's error on
        Wrapped = DNSLookupError  # noqa: N806

    FakeDNS("169.254.169.254").install(monkeypatch)
    result_of(make_resolver().getHostByName(HOST))
    reporter = RefusedAddressReporter()
    request = Request(f"http://{HOST}/feed.xml")
    generic = Wrapped(f"Couldn't find the hostname '{HOST}'")
    with pytest.raises(PrivateAddressRefused) as refused:
        reporter.process_exception(request, generic)
    message = str(refused.value)
    assert message.startswith(f"refused http://{HOST}/feed.xml: ") and "169.254.169.254" in message
    # Other hosts' lookups and other errors pass through untouched.
    assert reporter.process_exception(Request("http://other.rebind.test/"), generic) is None
    assert reporter.process_exception(request, ConnectionError("reset")) is None


def test_settings_install_the_resolver_and_the_reporter_before_retries(tmp_path: Path) -> None:
    from scrapy.resolver import CachingThreadedResolver
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    from crawlers.runner import scrapy_settings
    from volunteer_hub.core.config import load_settings

    settings = scrapy_settings(load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path)}), progress=False)
    name = "TWISTED_DNS_RESOLVER" if "TWISTED_DNS_RESOLVER" in Settings() else "DNS_RESOLVER"
    assert load_object(settings[name]) is PublicAddressResolver
    assert issubclass(PublicAddressResolver, CachingThreadedResolver)
    middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    retry = middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"]
    assert middlewares["crawlers.middlewares.RefusedAddressReporter"] > retry
    assert middlewares["crawlers.middlewares.PrivateAddressGuard"] < retry
    from schedules import scrapyd_settings  # Scrapyd crawls use the same resolver, configured there

    assert issubclass(load_object(getattr(scrapyd_settings, name)), PublicAddressResolver)


@pytest.mark.parametrize("allow_private", [False, True])
def test_the_guards_read_the_crawl_settings(allow_private: bool, tmp_path: Path) -> None:
    """The deployment's VOLUNTEER_HUB_ALLOW_PRIVATE_URLS reaches the middleware and the resolver
    through the crawl's Scrapy settings (``crawler.settings``), not through the environment."""
    from types import SimpleNamespace

    from scrapy import Spider
    from scrapy.crawler import Crawler

    from crawlers.middlewares import PrivateAddressGuard
    from crawlers.runner import scrapy_settings
    from volunteer_hub.core.config import load_settings

    env = {"VOLUNTEER_HUB_HOME": str(tmp_path), "VOLUNTEER_HUB_DOWNLOAD_TIMEOUT": "7"}
    if allow_private:
        env["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    settings = scrapy_settings(load_settings(env), progress=False)
    crawler = Crawler(Spider, settings)
    assert crawler.settings.getfloat("DOWNLOAD_TIMEOUT") == 7
    assert PrivateAddressGuard.from_crawler(crawler).allow_private is allow_private
    process = SimpleNamespace(settings=settings)  # Scrapy hands the resolver its CrawlerProcess
    assert PublicAddressResolver.from_crawler(process, MemoryReactorClock()).allow_private is allow_private


# -- real crawls (subprocesses, one reactor each) against 127.0.0.1 -----------------------------

# Installed in the crawl subprocess before anything else: every name lookup is answered from
# VH_TEST_DNS (first answer to the first lookup, the second one after); other names fail, so
# nothing reaches a real DNS server. Each lookup is appended to VH_TEST_DNS_LOG.
FAKE_DNS_CLI = """
import ipaddress, json, os, socket, sys, threading

_answers = json.loads(os.environ["VH_TEST_DNS"])
_log = os.environ["VH_TEST_DNS_LOG"]
_real_getaddrinfo = socket.getaddrinfo
_lock = threading.Lock()
_count = {}

def _answer(how, host):
    if isinstance(host, bytes):
        host = host.decode()
    host = host.rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host == "localhost":
        return "127.0.0.1"
    if host not in _answers:
        raise socket.gaierror(socket.EAI_NONAME, "not a test name")
    with _lock:
        n = _count.get(host, 0)
        _count[host] = n + 1
        value = _answers[host][min(n, len(_answers[host]) - 1)]
        with open(_log, "a") as f:
            f.write(json.dumps([how, host, value]) + "\\n")
    return value

def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    if host is None:
        return _real_getaddrinfo(host, port, family, type, proto, flags)
    address = _answer("getaddrinfo", host)
    return _real_getaddrinfo(address, port, family, type, proto, flags | socket.AI_NUMERICHOST)

socket.getaddrinfo = getaddrinfo
socket.gethostbyname = lambda host: _answer("gethostbyname", host)
socket.gethostbyname_ex = lambda host: (host, [], [_answer("gethostbyname", host)])

from volunteer_hub.cli import main
sys.exit(main(sys.argv[1:]))
"""


class CountingServer:
    def __init__(self) -> None:
        self.hits: list[str] = []
        self.files: dict[str, bytes] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.hits.append(self.path)
                body = outer.files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[CountingServer]:
    srv = CountingServer()
    srv.files["/feed.xml"] = fpxml([("a", "Mission A")]).encode()
    yield srv
    srv.httpd.shutdown()


def fake_dns_cli(
    home: Path, dns: dict[str, list[str]], *args: str, allow_private: bool
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    log = home.parent / "dns.log"
    log.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLUNTEER_HUB_")}
    env.update(
        VOLUNTEER_HUB_HOME=str(home),
        VOLUNTEER_HUB_DOWNLOAD_TIMEOUT="10",
        VH_TEST_DNS=json.dumps(dns),
        VH_TEST_DNS_LOG=str(log),
    )
    if allow_private:
        env["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", FAKE_DNS_CLI, *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lookups = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return out, lookups


@pytest.mark.parametrize("fmt", ["auto", "schemaorg"])
def test_rebinding_crawl_is_refused_and_reported(home: Path, server: CountingServer, fmt: str) -> None:
    """First answer public (the guard's check), then 127.0.0.1 (the connection): refused."""
    dns = {HOST: [PUBLIC, "127.0.0.1"]}
    url = f"http://{HOST}:{server.port}/feed.xml"
    # Registered while the name does not resolve: `auto` is then left to the crawl (detection at
    # registration would otherwise connect to the public address the fake hands out).
    added, _ = fake_dns_cli(
        home, {}, "partners", "add", "rebind", "--url", url, "--format", fmt, allow_private=False
    )
    assert added.returncode == 0, added.stderr
    out, lookups = fake_dns_cli(home, dns, "crawl", "rebind", allow_private=False)
    assert server.hits == []  # not the feed, not robots.txt, not a sitemap: nothing was sent
    assert out.returncode == 1, out.stdout + out.stderr
    assert "rebind: failed" in out.stdout
    assert "private, loopback" in out.stdout
    # The rebinding did happen: the check was told the public address, a connection 127.0.0.1.
    assert ["getaddrinfo", HOST, PUBLIC] in lookups
    assert ["gethostbyname", HOST, "127.0.0.1"] in lookups
    if fmt == "auto":  # the feed request itself passed the check and was refused at connection
        assert f"refused {url}: {HOST} resolved to 127.0.0.1 when connecting" in out.stdout
        assert "Traceback" not in out.stderr


def test_allowed_private_name_crawls_a_local_server(home: Path, server: CountingServer) -> None:
    dns = {HOST: ["127.0.0.1"]}
    url = f"http://{HOST}:{server.port}/feed.xml"
    fake_dns_cli(home, dns, "partners", "add", "local-name", "--url", url, allow_private=True)
    out, lookups = fake_dns_cli(home, dns, "crawl", "local-name", "--json", allow_private=True)
    assert out.returncode == 0, out.stdout + out.stderr
    run = json.loads(out.stdout)[0]
    assert (run["status"], run["seen"]) == ("succeeded", 1), run
    assert "/feed.xml" in server.hits
    assert ["gethostbyname", HOST, "127.0.0.1"] in lookups
