"""The console on a phone (390x844), in French and English: nothing is cut off or pushes the page
sideways; wide tables scroll inside their frame. Screenshots: test-output/screenshots/console-*."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import chromium, live_server, screenshot
from tests.helpers import EMAIL, PASSWORD
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import CrawlRun, Database, Partner

pytestmark = pytest.mark.browser

PAGE_OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
WRAPS = """() => [...document.querySelectorAll('table.data')].map(t => {
  const frame = t.closest('.table-wrap');
  return {framed: !!frame, scrolls: frame ? frame.scrollWidth > frame.clientWidth : false};
})"""


def _console(home: Path) -> tuple[object, int]:
    settings = load_settings()
    db = Database.from_settings(settings)
    add_operator(db, EMAIL, PASSWORD)
    now = datetime.now(UTC)
    with db.session() as s, s.begin():
        s.add(
            Partner(
                id="reseau-solidaire-du-grand-ouest",
                name="Réseau solidaire du Grand Ouest",
                url="https://reseau-solidaire-du-grand-ouest.example.org/flux/missions-benevoles.xml",
            )
        )
        s.flush()
        for n in range(4):
            s.add(
                CrawlRun(
                    partner_id="reseau-solidaire-du-grand-ouest",
                    status="failed" if n % 2 else "succeeded",
                    trigger="schedule",
                    started_at=now - timedelta(hours=n + 1),
                    finished_at=now - timedelta(hours=n),
                    seen=120,
                    new=3,
                    updated=7,
                    rejected=2,
                    message="the feed answered HTTP 503 Service Unavailable",
                    rejected_by_reason={"paid": 1, "title: the item has no title": 1},
                )
            )
    backend = SqliteBackend(settings.sqlite_index_path)
    app = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})
    with db.session() as s:
        run_id = s.query(CrawlRun.id).order_by(CrawlRun.id).first()[0]
    return app, run_id


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_console_fits_a_phone(home: Path, lang: str) -> None:
    app, run_id = _console(home)
    with live_server(app) as base_url, chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale=lang)
        page = context.new_page()
        page.goto(f"{base_url}/admin/login?lang={lang}")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/admin/")
        for name, path in (
            ("overview", "/admin/"),
            ("partner", "/admin/partners/reseau-solidaire-du-grand-ouest"),
            ("run", f"/admin/runs/{run_id}"),
        ):
            page.goto(base_url + path)
            assert page.locator("html").get_attribute("lang") == lang
            assert page.evaluate(PAGE_OVERFLOW) <= 0, f"{path} is wider than the phone"
            tables = page.evaluate(WRAPS)
            assert tables and all(t["framed"] for t in tables), f"{path}: a table outside a scrolling frame"
            screenshot(page, f"console-{name}-phone-{lang}")
        context.close()
