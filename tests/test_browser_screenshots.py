"""Issue 15's screenshots, regenerated at each run for a person to look at: the visitor pages (home,
results as a list and on the map, detail, organization, alerts sign-up and its confirmation), the
operator console (overview, moderation) and the partner portal (landing, the partner's page), at
phone (390x844) and desktop (1366x900) sizes, in French and English, each checked by axe-core
(no violation at all) in the same pass.

Written to test-output/screenshots/issue15/<lang>-<device>-<page>.png (full page; home and results
also as "-first-screen"); axe's findings to test-output/screenshots/issue15/axe.json.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import AXE, SCREENSHOTS, TILE_PNG, VIEWPORTS, chromium, live_server
from tests.helpers import EMAIL, PASSWORD
from tests.site_samples import ALL, BEACH
from tests.smtp_server import Received, smtp_server  # noqa: F401 - fixture
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.public_models import ProblemReport

pytestmark = pytest.mark.browser

SHOTS = SCREENSHOTS / "issue15"
LOCALES = {"fr": "fr-FR", "en": "en-GB"}
AXE_RUN = (
    "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
    " return r.violations.map(v => ({id: v.id, impact: v.impact,"
    " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
)


@pytest.fixture(scope="module")
def tiles() -> Iterator[str]:
    """Map tiles from a local stub on 127.0.0.1: the pages never reach a real tile server."""
    app = Flask("tiles")
    app.add_url_rule(
        "/t/<int:z>/<int:x>/<int:y>.png",
        "tile",
        lambda z, x, y: (TILE_PNG, 200, {"Content-Type": "image/png"}),
    )
    with live_server(app) as base:
        yield base


@pytest.fixture
def site(home: Path, tiles: str, monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Received]) -> Flask:  # noqa: F811
    """The sample catalogue, an operator, a partner with a contact, one visitor report, e-mail
    alerts on (the local SMTP recorder) and map tiles from the local stub."""
    port, _mails = smtp_server
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_PORT", str(port))
    backend = SqliteBackend(home / "search.sqlite3")
    assert backend.upsert(ALL).ok
    return _app(home, backend, tiles)


def _app(home: Path, backend: SqliteBackend, base_tiles: str) -> Flask:
    settings = load_settings(
        {
            "VOLUNTEER_HUB_HOME": str(home),
            "VOLUNTEER_HUB_MAP_TILES": base_tiles + "/t/{z}/{x}/{y}.png",
            "VOLUNTEER_HUB_PUBLIC_URL": "http://127.0.0.1",
        }
    )
    database = Database.from_settings(settings)
    add_operator(database, EMAIL, PASSWORD)
    with database.session() as s, s.begin():
        s.add(
            Partner(
                id="amis-littoral",
                name="Réseau Littoral Breton",
                url="https://feeds.example.org/rss",
                contact_email="equipe@littoral.example.org",
            )
        )
        s.add(ProblemReport(opportunity_id=BEACH.id, partner_id="amis-littoral", reason="expired"))
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": database, "TESTING": True})
    app.config["VH_DATABASE"] = database
    return app


def _axe(page) -> list[dict[str, object]]:  # noqa: ANN001
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_issue15_screenshots_with_axe(site: Flask, lang: str, device: str) -> None:
    from search_app.portal.account import create_login_token

    assert AXE.is_file(), "run scripts/install.sh (npm install axe-core)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[dict[str, object]]] = {}
    app = site
    with live_server(app) as base, chromium() as browser:
        # bypass_csp only so that axe can be injected; the site's own CSP is tested elsewhere.
        context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[lang], bypass_csp=True)
        page = context.new_page()

        def shot(name: str, *, first_screen: bool = False) -> None:
            page.wait_for_load_state("networkidle")
            found[name] = _axe(page)
            page.screenshot(path=str(SHOTS / f"{lang}-{device}-{name}.png"), full_page=True)
            if first_screen:
                page.screenshot(path=str(SHOTS / f"{lang}-{device}-{name}-first-screen.png"))

        def visit(path: str) -> None:
            page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")

        visit("/")
        shot("home", first_screen=True)
        visit("/?where=Rennes&radius_km=100")
        shot("results", first_screen=True)
        page.click("button.map-toggle")
        page.locator("#results-map .map-pin").first.wait_for()
        shot("results-map", first_screen=True)
        page.click("button.map-toggle")  # closed again: the next pages start with the list
        visit(f"/o/{BEACH.id}?near=Rennes")
        page.locator(".detail-map").scroll_into_view_if_needed()
        page.locator(".detail-map .map-pin").first.wait_for()
        page.evaluate("window.scrollTo(0, 0)")
        shot("detail")
        visit("/org/les-amis-du-littoral")
        shot("organization")
        # Alerts: the sign-up form under the results, then the page after signing up.
        visit("/?cause=environnement")
        page.locator("#alert-email").scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        found["alerts-signup"] = _axe(page)
        page.screenshot(path=str(SHOTS / f"{lang}-{device}-alerts-signup.png"))
        page.fill("#alert-email", "visitor@example.org")
        with page.expect_navigation():
            page.click(".alert-form button[type=submit]")
        shot("alerts-sent")
        # The partner portal: its landing page, then the partner's own page (a sign-in link).
        visit("/partners/")
        shot("portal")
        database: Database = app.config["VH_DATABASE"]
        page.goto(f"{base}/partners/login/{create_login_token(database, 'amis-littoral')}")
        visit("/partners/me")
        shot("portal-me")
        # The operator console.
        visit("/admin/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        visit("/admin/")
        shot("console")
        visit("/admin/moderation")
        shot("console-moderation")
        assert page.locator("html").get_attribute("lang") == lang
        context.close()
    (SHOTS / f"axe-{lang}-{device}.json").write_text(json.dumps(found, indent=2, ensure_ascii=False))
    violations = {name: v for name, v in found.items() if v}
    assert violations == {}, json.dumps(violations, indent=1)
