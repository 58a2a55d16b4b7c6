"""The link checker (volunteer_hub.services.links, ``volunteer-hub links check``) against partner
sites on 127.0.0.1 whose pages break, move and come back.

Host names are resolved by a stub (``socket.getaddrinfo``): ``*.site.test`` names point at the
local server, ``*.gone.test`` names do not resolve (a DNS failure); nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawlers.report import RunReport
from crawlers.runner import PlannedRun, finish_run
from indexer.base import SearchQuery
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from search_app import create_app
from tests import samples
from tests.helpers import cli
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.services.links import broken_links, check_links, dead_link_rates
from volunteer_hub.services.staleness import apply_staleness
from volunteer_hub.store.db import Database, LinkCheck, Partner, StoredOpportunity
from volunteer_hub.store.flags import trust_counts
from volunteer_hub.store.partner_sync import PartnerSync
from volunteer_hub.store.runs import allocate_run
from volunteer_hub.store.states import OpportunityState

DAY0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class PartnerSite:
    """A partner's web site: ``pages`` maps a path to (status, headers); records every request."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append((self.path, dict(self.headers)))
                if self.path == "/robots.txt":
                    body = b"User-agent: *\nDisallow: /private/\n"
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                status, headers = outer.pages.get(self.path, (404, {}))
                if (
                    status == 200
                    and headers.get("ETag")
                    and self.headers.get("If-None-Match") == headers["ETag"]
                ):
                    status = 304
                body = b"" if status == 304 else b"<html><body>Mission</body></html>"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "asso.site.test") -> str:
        return f"http://{host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[PartnerSite]:
    real = socket.getaddrinfo

    def stub(host: str, port: Any, *args: Any, **kwargs: Any) -> list:
        if str(host).endswith(".gone.test"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if str(host).endswith(".site.test"):
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stub)
    server = PartnerSite()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def checker(home: Path) -> tuple[Settings, Database, SqliteBackend]:
    settings = load_settings(
        {
            "VOLUNTEER_HUB_HOME": str(home),
            "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS": "1",
            "VOLUNTEER_HUB_LINK_CHECK_DELAY": "0",
        }
    )
    db = Database.from_settings(settings)
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url="https://feeds.example/asso.xml"))
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    return settings, db, backend


def publish(db: Database, backend: SqliteBackend, urls: dict[str, str]) -> None:
    sync = PartnerSync(db, "asso", now=DAY0 - timedelta(days=3))
    batch = []
    for source_id, url in urls.items():
        o = samples.opp(source_id, f"Mission {source_id}", partner="asso")
        o.url = url
        o.content_hash = o.compute_hash()
        batch.append(o)
    sync.store(batch)
    push_pending(db, backend)


def check(settings: Settings, db: Database, backend: SqliteBackend, at: datetime) -> dict[str, Any]:
    results = check_links(db, settings, ["asso"], clock=lambda: at)
    push_pending(db, backend)
    return {r.url.rsplit("/", 1)[-1]: r for r in results}


def shown(backend: SqliteBackend) -> set[str]:
    result = backend.search(SearchQuery(per_page=50, now=DAY0))
    return {h.opportunity.source_id for h in result.hits}


def state_of(db: Database, source_id: str) -> StoredOpportunity:
    with db.session() as s:
        return next(r for r in s.query(StoredOpportunity) if r.source_id == source_id)


def test_dead_links_are_hidden_after_two_checks_a_day_apart_and_come_back(
    site: PartnerSite, checker: tuple[Settings, Database, SqliteBackend]
) -> None:
    settings, db, backend = checker
    site.pages = {
        "/m/ok": (200, {"ETag": '"v1"'}),
        "/m/moved": (301, {"Location": "/m/moved-here"}),
        "/m/moved-here": (200, {}),
        "/m/home": (302, {"Location": "/"}),
        "/m/boom": (500, {}),
        "/m/gone410": (410, {}),
    }
    publish(
        db,
        backend,
        {
            "ok": site.url("/m/ok"),
            "moved": site.url("/m/moved"),
            "missing": site.url("/m/missing"),  # 404
            "home": site.url("/m/home"),
            "boom": site.url("/m/boom"),
            "gone410": site.url("/m/gone410"),
            "secret": site.url("/private/secret"),
            "nodns": site.url("/m/nodns", host="www.asso.gone.test"),
        },
    )
    assert shown(backend) == {"ok", "moved", "missing", "home", "boom", "gone410", "secret", "nodns"}

    first = check(settings, db, backend, DAY0)
    assert {k: r.status for k, r in first.items()} == {
        "ok": "alive",
        "moved": "alive",  # a page that moved to another page is fine
        "missing": "dead",
        "home": "dead",  # sent back to the home page: the listing is gone
        "boom": "unknown",  # a server error says nothing about the page
        "gone410": "dead",
        "secret": "unknown",  # robots.txt forbids it: not fetched
        "nodns": "dead",
    }
    assert first["missing"].http_status == 404 and first["gone410"].http_status == 410
    assert first["ok"].http_status == 200
    assert "/private/secret" not in site.paths()  # robots.txt obeyed
    assert site.paths().count("/robots.txt") == 1  # read once per host and check
    agents = {headers.get("User-Agent") for _path, headers in site.requests}
    assert agents == {settings_user_agent()}
    # Dead once: still shown (a site can be down for an hour).
    assert shown(backend) == {"ok", "moved", "missing", "home", "boom", "gone410", "secret", "nodns"}

    # Dead again two hours later: not yet a day apart, still shown.
    check(settings, db, backend, DAY0 + timedelta(hours=2))
    assert "missing" in shown(backend)

    # The next day: dead on two checks a day apart -> hidden, with the reason.
    site.requests.clear()
    second = check(settings, db, backend, DAY0 + timedelta(days=1, hours=1))
    assert second["missing"].hidden and second["home"].hidden and second["nodns"].hidden
    assert shown(backend) == {"ok", "moved", "boom", "secret"}
    row = state_of(db, "missing")
    assert row.state == OpportunityState.SUPPRESSED and "dead-link" in (row.flags or {})
    # The unchanged page was asked conditionally and answered 304: still alive.
    ok_request = next(h for p, h in site.requests if p == "/m/ok")
    assert ok_request.get("If-None-Match") == '"v1"'
    assert second["ok"].status == "alive" and second["ok"].http_status == 304

    # Per partner for the console, per listing for the portal.
    rates = dead_link_rates(db)["asso"]
    assert rates == {"checked": 8, "dead": 4, "unknown": 2}
    broken = {b["url"].rsplit("/", 1)[-1]: b for b in broken_links(db, "asso")}
    assert set(broken) == {"missing", "home", "gone410", "nodns"} and broken["missing"]["hidden"]

    # The partner fixes the page: back by itself at the next check, verified that day.
    site.pages["/m/missing"] = (200, {})
    back_at = DAY0 + timedelta(days=2)
    third = check(settings, db, backend, back_at)
    assert third["missing"].status == "alive" and not third["missing"].hidden
    assert "missing" in shown(backend)
    assert state_of(db, "missing").state == OpportunityState.LIVE
    indexed = backend.get(state_of(db, "missing").id)
    assert indexed is not None and indexed.last_verified == back_at


def settings_user_agent() -> str:
    from crawlers.fetch import USER_AGENT

    return USER_AGENT


def test_a_crawl_keeps_the_verification_and_a_listing_hidden_for_its_link(
    site: PartnerSite, checker: tuple[Settings, Database, SqliteBackend]
) -> None:
    """The partner's next crawl neither wipes "last verified" nor revives a hidden dead link."""
    settings, db, backend = checker
    site.pages = {"/m/ok": (200, {})}
    urls = {"ok": site.url("/m/ok"), "missing": site.url("/m/missing")}
    publish(db, backend, urls)
    check(settings, db, backend, DAY0)
    check(settings, db, backend, DAY0 + timedelta(days=1))
    assert shown(backend) == {"ok"}
    publish(db, backend, urls)  # the partner still publishes both
    assert shown(backend) == {"ok"}
    assert state_of(db, "ok").data["last_verified"] == (DAY0 + timedelta(days=1)).isoformat()


def test_cli_prints_one_result_per_listing(home: Path, feed_server: tuple[Path, str]) -> None:
    """``volunteer-hub links check --all --json`` against pages on 127.0.0.1."""
    root, base = feed_server
    (root / "page.html").write_text("<html>Mission</html>")
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home)})
    db = Database.from_settings(settings)
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url=f"{base}/feed.xml"))
    sync = PartnerSync(db, "asso")
    batch = [samples.opp("a", "Mission A", partner="asso"), samples.opp("b", "Mission B", partner="asso")]
    batch[0].url, batch[1].url = f"{base}/page.html", f"{base}/nothing-here.html"
    sync.store(batch)
    out = cli(home, "links", "check", "--all", "--json", VOLUNTEER_HUB_LINK_CHECK_DELAY="0")
    assert out.returncode == 0, out.stderr
    results = {r["url"].rsplit("/", 1)[-1]: r for r in json.loads(out.stdout)}
    assert set(results) == {"page.html", "nothing-here.html"}
    assert results["page.html"]["status"] == "alive" and results["page.html"]["http_status"] == 200
    assert (
        results["nothing-here.html"]["status"] == "dead"
        and results["nothing-here.html"]["http_status"] == 404
    )
    for r in results.values():
        assert set(r) >= {"id", "url", "status", "http_status", "checked_at"}
        datetime.fromisoformat(r["checked_at"])
    with db.session() as s:
        assert s.query(LinkCheck).count() == 2

    text = cli(home, "links", "check", "asso", VOLUNTEER_HUB_LINK_CHECK_DELAY="0")
    assert text.returncode == 0 and "checked 2: 1 alive, 1 dead, 0 unknown" in text.stdout
    nobody = cli(home, "links", "check", "nobody")
    assert nobody.returncode != 0 and "no partner nobody" in nobody.stderr


def test_verified_date_in_the_api_and_on_the_page(tmp_path: Path) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    o = samples.opp("v", "Mission vérifiée", partner="asso")
    o.last_verified = datetime.now(UTC) - timedelta(days=3, hours=1)
    backend.upsert([o])
    app = create_app(
        {
            "SETTINGS": settings,
            "BACKEND": backend,
            "DATABASE": Database.from_settings(settings),
            "TESTING": True,
        }
    )
    with app.test_client() as client:
        item = client.get(f"/api/v1/opportunities/{o.id}").get_json()
        assert datetime.fromisoformat(item["last_verified"]) == o.last_verified
        page = client.get(f"/o/{o.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert "Link verified 3 days ago" in page
        page_fr = client.get(f"/o/{o.id}?lang=fr").get_data(as_text=True)
        assert "Lien vérifié il y a 3 jours" in page_fr


def test_run_record_counts_expired_stale_and_dead(
    site: PartnerSite, checker: tuple[Settings, Database, SqliteBackend]
) -> None:
    settings, db, backend = checker
    publish(db, backend, {"missing": site.url("/m/missing")})
    check(settings, db, backend, DAY0)  # dead once: counted, not hidden yet
    sync = PartnerSync(db, "asso")
    old = samples.opp("old", "Mission jamais mise à jour", partner="asso", description="x" * 90)
    old.updated = samples.NOW - timedelta(days=300)
    over = samples.opp("over", "Mission passée", partner="asso", end=samples.NOW - timedelta(days=30))
    sync.store([old, over])
    apply_staleness(db, settings)
    plan = PlannedRun(db.partner("asso"), allocate_run(db, "asso", "manual"), sync, RunReport("asso"))
    run = finish_run(plan, settings=settings, db=db, publish=lambda pid: push_pending(db, backend, pid))
    assert (run.expired_on_arrival, run.stale, run.dead_links) == (1, 1, 1)
    with db.session() as s:
        counts = trust_counts(s)
    assert counts["dead-links"] == 1 and counts["stale"] == 1 and counts["stale-not-updated"] == 1
