"""The walking skeleton seen by a person: Debian Chromium searches, opens a result, applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import chromium, live_server, screenshot
from tests.samples import BREST, LYON, RENNES, opp

pytestmark = pytest.mark.browser


@pytest.fixture
def site(settings, tmp_path: Path):
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    backend.upsert(
        [
            opp(
                "plage",
                "Ramassage de déchets sur la plage",
                causes=["environnement"],
                locations=[BREST],
                description="<p>Nettoyage du littoral, gants fournis.</p>",
                org="Les Amis du Littoral",
            ),
            opp("refuge", "Promenade des chiens au refuge", causes=["animaux"], locations=[LYON]),
            opp(
                "epicerie",
                "Épicerie solidaire : accueil",
                causes=["solidarite-insertion"],
                locations=[RENNES],
            ),
        ]
    )
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True})
    with live_server(app) as base:
        yield base


@pytest.mark.parametrize(
    "viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}], ids=["phone", "desktop"]
)
def test_search_detail_and_apply(site: str, viewport: dict) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport=viewport, locale="fr-FR")
        page = context.new_page()
        # The partner's site is not on this machine: answer for it inside the browser, so
        # following the redirect proves where it goes without any traffic leaving.
        landed: list[str] = []

        def partner_site(route) -> None:  # noqa: ANN001
            landed.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<h1>Partner sign-up</h1>")

        page.route("https://partner.example/**", partner_site)

        page.goto(site + "/")
        assert page.locator("h1").first.is_visible()
        page.fill("#q", "dechets")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        cards = page.locator("li.card")
        assert cards.count() == 1
        assert "Ramassage de déchets sur la plage" in cards.first.inner_text()
        screenshot(page, f"skeleton-results-{viewport['width']}")

        cards.first.locator("h3 a").click()
        page.wait_for_load_state()
        assert "Nettoyage du littoral" in page.content()
        apply = page.locator("a.button-apply").first
        href = apply.get_attribute("href")
        assert href and href.startswith("/go/")
        screenshot(page, f"skeleton-detail-{viewport['width']}")

        apply.click()
        page.wait_for_url("https://partner.example/**")
        assert landed == ["https://partner.example/missions/plage"]
        context.close()
