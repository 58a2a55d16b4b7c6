"""Search form errors on a phone (390x844), in French and English: after submitting, the message is
beside its field, on the first screen, names the field by its label and keeps what was typed.

Screenshots (the first screen only, as the visitor sees it) go to test-output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import SCREENSHOTS, chromium, live_server
from tests.site_samples import ALL
from volunteer_hub.core.config import load_settings

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
WORDS = {
    "fr": {"locale": "fr-FR", "where": "Où : nous ne connaissons pas ce lieu", "within": "Dans un rayon"},
    "en": {"locale": "en-GB", "where": "Where: we don't know this place", "within": "Within:"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("errors")
    backend = SqliteBackend(tmp / "search.sqlite3")
    backend.upsert(ALL)
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp / "home")})
    with live_server(create_app({"SETTINGS": settings, "BACKEND": backend, "TESTING": True})) as base:
        yield base


def _on_first_screen(page, selector: str, height: int = PHONE["height"]) -> None:  # noqa: ANN001
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    scroll = page.evaluate("window.scrollY")
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box, scroll)


def _first_screen(page, name: str) -> Path:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))  # the viewport: what the visitor sees without scrolling
    return path


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_unknown_place_is_said_beside_the_where_field_on_a_phone(site: str, lang: str) -> None:
    words = WORDS[lang]
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale=words["locale"], is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{site}/?lang={lang}")
        page.fill("#q", "jardin")
        page.fill("#where", "Atlantis")
        page.click(".search-submit")
        page.wait_for_selector("#error-where")
        error = page.locator("#error-where")
        assert words["where"] in error.inner_text()
        assert page.locator("#where").input_value() == "Atlantis"  # kept as typed
        assert page.locator("#q").input_value() == "jardin"
        assert page.get_attribute("#where", "aria-invalid") == "true"
        assert page.get_attribute("#where", "aria-describedby") == "error-where"
        _on_first_screen(page, "#where")
        _on_first_screen(page, "#error-where")
        _first_screen(page, f"form-error-{lang}-phone-where")

        # A misspelling offers the right name; following it searches.
        page.fill("#where", "Rennnes")
        page.click(".search-submit")
        page.wait_for_selector("#error-where a")
        _on_first_screen(page, "#error-where a")
        page.click("#error-where a")
        page.wait_for_load_state()
        assert page.locator("#error-where").count() == 0
        assert page.locator("#where").input_value() == "Rennes"
        context.close()

        desktop = browser.new_context(viewport=DESKTOP, locale=words["locale"])
        page = desktop.new_page()
        page.goto(f"{site}/?lang={lang}&q=jardin&where=Atlantis")
        _on_first_screen(page, "#error-where", DESKTOP["height"])
        _first_screen(page, f"form-error-{lang}-desktop-where")
        desktop.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_error_in_the_filters_drawer_is_on_the_first_screen(site: str, lang: str) -> None:
    words = WORDS[lang]
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale=words["locale"], is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{site}/?lang={lang}&where=Rennes&radius_km=5000")
        error = page.locator("#error-radius_km")
        assert error.inner_text().startswith(words["within"])  # the field's label, not "radius_km"
        assert "radius_km" not in page.locator("main").inner_text()
        assert page.get_attribute("#radius_km", "aria-describedby") == "error-radius_km"
        _on_first_screen(page, "#error-radius_km")
        _first_screen(page, f"form-error-{lang}-phone-radius")
        context.close()
