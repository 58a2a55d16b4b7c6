"""Console journey in Debian Chromium: an operator logs in, sees a failing partner, reads its
errors, runs it now and pauses it. Crawls are real ``volunteer-hub crawl`` processes against
feeds served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import chromium, live_server, screenshot
from tests.helpers import cli, fpxml, wait_for
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.alerts import evaluate_all
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import CrawlRun, Database, Partner

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ops@example.org", "correct horse battery"


def test_operator_finds_a_broken_feed_runs_it_and_pauses_it(
    home: Path,
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    root, base = feed_server
    good = fpxml([(f"g{n}", f"Maraude solidaire {n}") for n in range(4)])
    (root / "good.xml").write_text(good)
    # Two items without a title: rejected with a located error.
    (root / "broken.xml").write_text(fpxml([("b1", "Collecte"), ("b2", ""), ("b3", "")]))
    assert (
        cli(home, "partners", "add", "good", "--url", f"{base}/good.xml", "--name", "Good Feed").returncode
        == 0
    )
    assert (
        cli(
            home, "partners", "add", "broken", "--url", f"{base}/broken.xml", "--name", "Broken Feed"
        ).returncode
        == 0
    )
    assert cli(home, "crawl", "good", "broken").returncode in (0, 1)
    # Then the partner's feed breaks: malformed XML, three runs in a row.
    (root / "broken.xml").write_text(fpxml([("b1", "Collecte")])[:-120])
    for _ in range(3):
        assert cli(home, "crawl", "broken", "--force").returncode == 1
    settings = load_settings()
    db = Database.from_settings(settings)
    evaluate_all(db, OpsConfig(alert_failures=3))
    add_operator(db, EMAIL, PASSWORD)
    backend = SqliteBackend(settings.sqlite_index_path)
    app = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})

    with live_server(app) as base_url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        page.goto(f"{base_url}/admin/")
        assert "/admin/login" in page.url
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/admin/")
        screenshot(page, "admin-overview")
        alerts = page.locator("section.alerts")
        assert "Broken Feed" in alerts.inner_text() and "3 failed crawls in a row" in alerts.inner_text()
        row = page.locator("tr.row-flagged", has_text="Broken Feed")
        assert "failing" in row.inner_text()

        page.click("text=Broken Feed >> nth=0")
        page.wait_for_url(f"{base_url}/admin/partners/broken")
        assert page.locator("svg.chart rect").count() >= 4
        assert "failed" in page.locator("#problem-title").inner_text()
        assert "malformed" in page.locator(".run-message").first.inner_text()
        # The items rejected by the first crawl, grouped by message, with their ids.
        errors = page.locator("section[aria-labelledby=errors-title]").inner_text()
        assert "b2" in errors and "b3" in errors
        screenshot(page, "admin-partner-failing")

        # Fix the feed; run it now from the console.
        (root / "broken.xml").write_text(fpxml([("b1", "Collecte"), ("b2", "Tri"), ("b3", "Accueil")]))
        before = len(db_runs(db))
        page.click("button:has-text('Run now')")
        assert "crawl started" in page.locator(".flashes").inner_text()
        wait_for(
            lambda: (
                len(db_runs(db)) > before and db_runs(db)[-1].log_file and db_runs(db)[-1].status != "running"
            )
        )
        assert db_runs(db)[-1].status == "succeeded" and db_runs(db)[-1].trigger == "manual"
        page.reload()
        assert "badge-ok" in page.content() or "ok" in page.locator("h1 .badge").inner_text()

        page.click("button:has-text('Pause')")
        assert "paused" in page.locator(".flashes").inner_text()
        assert db.partner("broken").paused is True
        screenshot(page, "admin-partner-paused")

        page.click(f"a[href='/admin/runs/{db_runs(db)[-1].id}'] >> nth=0")
        assert "Seen" in page.content() and "Indexed" in page.content()
        screenshot(page, "admin-run")
        assert not [p for p in problems if "Content Security Policy" in p], problems

    with db.session() as s:
        assert s.get(Partner, "broken").paused


def db_runs(db: Database) -> list[CrawlRun]:
    from sqlalchemy import select

    with db.session() as s:
        return list(s.scalars(select(CrawlRun).where(CrawlRun.partner_id == "broken").order_by(CrawlRun.id)))


def test_partner_signs_up_gets_approved_and_sees_its_page(home: Path, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    """A partner signs up (sees its item errors), an operator approves and crawls it, the partner
    signs in with its link and sees its health, items to fix and statistics."""
    import re

    root, base = feed_server
    (root / "feed.xml").write_text(
        fpxml([("p1", "Distribution de repas"), ("p2", ""), ("p3", "Maraude du soir")])
    )
    settings = load_settings()
    db = Database.from_settings(settings)
    add_operator(db, EMAIL, PASSWORD)
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    app = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})

    with live_server(app) as base_url, chromium() as browser:
        partner = browser.new_page(viewport={"width": 390, "height": 844})
        partner.goto(f"{base_url}/partners/signup?lang=fr")
        partner.fill("#name", "Resto Solidaire")
        partner.fill("#email", "contact@resto.example.org")
        partner.fill("#url", f"{base}/feed.xml")
        partner.click("button[type=submit]")
        body = partner.locator("main").inner_text()
        assert "3 mission(s) trouvée(s), 2 prête(s) à publier" in body
        assert "p2" in body and "erreur : non publiée" in body
        assert "attend la validation" in body
        screenshot(partner, "portal-signup-result")

        operator = browser.new_page(viewport={"width": 1280, "height": 900})
        operator.goto(f"{base_url}/admin/login")
        operator.fill("#email", EMAIL)
        operator.fill("#password", PASSWORD)
        operator.click("button[type=submit]")
        operator.click("text=Resto Solidaire >> nth=0")
        assert "pending" in operator.locator("h1").inner_text()
        operator.click("button:has-text('Approve')")
        operator.click("button:has-text('Run now')")
        wait_for(
            lambda: (
                (r := partner_runs(db, "resto-solidaire")) and r[-1].status != "running" and r[-1].log_file
            )
        )
        assert partner_runs(db, "resto-solidaire")[-1].status == "succeeded"
        operator.click("button:has-text('Portal sign-in link')")
        link = operator.locator("code.portal-link").inner_text()
        path = re.sub(r"^https?://[^/]+", "", link)

        partner.goto(f"{base_url}{path}")
        partner.wait_for_url(f"{base_url}/partners/me")
        page = partner.locator("main").inner_text()
        assert "Resto Solidaire" in page and "Tout va bien" in page
        assert "Donnez un titre à chaque mission" in page and "p2" in page
        # A visitor opens one of its listings; the partner sees the view.
        opp_id = next(
            o["id"] for o in app.test_client().get("/api/v1/opportunities?q=maraude").get_json()["items"]
        )
        app.test_client().get(f"/o/{opp_id}")
        partner.reload()
        assert "Maraude du soir" in partner.locator("main").inner_text()
        screenshot(partner, "portal-partner-page")


def partner_runs(db: Database, partner_id: str) -> list[CrawlRun]:
    from sqlalchemy import select

    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )
