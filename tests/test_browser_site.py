"""The public site in Debian Chromium (Playwright): French and English journeys on a phone and a
desktop viewport (search, filters and facets, detail page, favourites, share link, counted
redirect, feed subscription, widget), axe-core accessibility checks, and the search page weight.

Partner sites are answered inside the browser (``page.route``): nothing leaves 127.0.0.1.
Screenshots go to test-output/screenshots/, axe and weight summaries to test-output/.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.browser import AXE, SCREENSHOTS, TILE_PNG, VIEWPORTS, chromium, live_server, screenshot
from tests.site_samples import ALL, BEACH, GARDEN, HOMEWORK
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.public_models import OpportunityActivity

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = SCREENSHOTS.parent


WORDS = {
    "fr": {
        "search": "Rechercher",
        "copied": "Lien copié",
        "save": "Ajouter à mes favoris",
        "saved": "Retirer de mes favoris",
        "locale": "fr-FR",
        "results": "missions",
    },
    "en": {
        "search": "Search",
        "copied": "Link copied",
        "save": "Save to my favourites",
        "saved": "Remove from my favourites",
        "locale": "en-GB",
        "results": "opportunities",
    },
}


TILES_SERVED: list[str] = []


@pytest.fixture(scope="module")
def tiles() -> Iterator[str]:
    """A local tile server on 127.0.0.1 (another port: another origin, as a real one would be)."""
    app = Flask("tiles")

    @app.get("/tiles/<int:z>/<int:x>/<int:y>.png")
    def tile(z: int, x: int, y: int) -> tuple[bytes, int, dict[str, str]]:
        TILES_SERVED.append(f"{z}/{x}/{y}")
        return TILE_PNG, 200, {"Content-Type": "image/png"}

    with live_server(app) as base:
        yield base


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, tiles: str) -> Iterator[tuple[str, Database]]:
    tmp = tmp_path_factory.mktemp("site")
    backend = SqliteBackend(tmp / "search.sqlite3")
    backend.upsert(ALL)
    settings = load_settings(
        {"VOLUNTEER_HUB_HOME": str(tmp / "home"), "VOLUNTEER_HUB_MAP_TILES": tiles + "/tiles/{z}/{x}/{y}.png"}
    )
    database = Database.from_settings(settings)
    with database.session() as s:
        s.add(Partner(id="amis-littoral", name="Réseau Littoral Breton", url="https://feeds.example.org/rss"))
        s.commit()
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": database, "TESTING": True})
    with live_server(app) as base:
        yield base, database


def _clicks(database: Database, opportunity_id: str) -> int:
    with database.session() as s:
        total = s.scalar(
            select(func.coalesce(func.sum(OpportunityActivity.clicks), 0)).where(
                OpportunityActivity.opportunity_id == opportunity_id
            )
        )
    return int(total or 0)


def _csp_watch(page) -> list[str]:  # noqa: ANN001
    """Console messages about Content-Security-Policy violations (there must be none)."""
    violations: list[str] = []

    def watch(msg) -> None:  # noqa: ANN001
        if "Content Security Policy" in msg.text:
            violations.append(msg.text)

    page.on("console", watch)
    return violations


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_search_journey(site: tuple[str, Database], lang: str, device: str) -> None:
    base, database = site
    words = WORDS[lang]
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS[device], locale=words["locale"])
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        violations = _csp_watch(page)
        landed: list[str] = []

        def partner_site(route) -> None:  # noqa: ANN001
            landed.append(route.request.url)
            route.fulfill(status=200, content_type="text/html", body="<h1>Partner sign-up</h1>")

        page.route(re.compile(r"^https://[a-z-]+\.example\.org/.*"), partner_site)

        # Search from a place, with a radius.
        page.goto(f"{base}/?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        screenshot(page, f"site-{lang}-{device}-search")
        page.fill("#where", "Rennes")
        page.click("details.drawer > summary")  # the other filters are in a drawer
        page.select_option("#radius_km", "100")
        page.click(f"form.search-form button[type=submit]:has-text('{words['search']}')")
        page.wait_for_load_state()
        assert "radius_km=100" in page.url
        titles = page.locator("li.card h3 a").all_inner_texts()
        assert sorted(titles) == sorted([BEACH.title, HOMEWORK.title, GARDEN.title])
        assert page.locator(".meta-distance").count() == 3

        # The count and the first result are on the first screen.
        for selector in ("#results-heading", "li.card"):
            box = page.locator(selector).first.bounding_box()
            assert box and box["y"] + box["height"] <= VIEWPORTS[device]["height"], selector

        # Sort by distance (next to the count: choosing sorts), then narrow with the cause facet.
        with page.expect_navigation():
            page.select_option("#sort", "nearest")
        assert "sort=nearest" in page.url
        assert page.locator("li.card h3 a").first.inner_text() in (HOMEWORK.title, GARDEN.title)  # in Rennes
        facet = page.locator("#refine .facet-link", has_text="Environ").first
        if device == "phone":
            page.click("a.refine-jump")
        facet.click()
        page.wait_for_load_state()
        assert "cause=environnement" in page.url
        assert sorted(page.locator("li.card h3 a").all_inner_texts()) == sorted([BEACH.title, GARDEN.title])
        screenshot(page, f"site-{lang}-{device}-results")

        # Subscribe to the search: the feed link carries the same parameters.
        rss = page.locator("a[type='application/rss+xml']").get_attribute("href")
        assert rss and "cause=environnement" in rss and "where=Rennes" in rss
        feed = page.request.get(base + rss)
        assert feed.ok and "application/rss+xml" in feed.headers["content-type"]
        assert BEACH.title in feed.text() and HOMEWORK.title not in feed.text()

        # The detail page, with the distance from Rennes.
        page.locator("li.card h3 a", has_text=BEACH.title).click()
        page.wait_for_load_state()
        assert "near=" in page.url
        assert re.search(r"6[0-9][.,][0-9] km", page.locator(".facts").inner_text())
        screenshot(page, f"site-{lang}-{device}-detail")

        # Share: the copy button puts the canonical link on the clipboard.
        copy = page.locator("button[data-copy='share-url']")
        assert copy.is_visible()
        copy.click()
        page.locator(".copy-status", has_text=words["copied"]).wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == f"{base}/o/{BEACH.id}"
        assert page.locator("a.share-email").get_attribute("href").startswith("mailto:?subject=")

        # Favourites, kept in the browser and shown from the API.
        fav = page.locator("button.fav-button")
        assert fav.inner_text() == words["save"]
        fav.click()
        assert fav.get_attribute("aria-pressed") == "true" and fav.inner_text() == words["saved"]
        page.goto(f"{base}/favourites")
        page.locator("#favourites li.card").first.wait_for()
        assert page.locator("#favourites li.card h2 a").inner_text() == BEACH.title
        page.locator("#favourites .card-org", has_text="Les Amis du Littoral").wait_for()
        screenshot(page, f"site-{lang}-{device}-favourites")
        page.go_back()
        page.wait_for_load_state()

        # Apply: counted, and sent to the stored URL only.
        before = _clicks(database, BEACH.id)
        page.locator("a.button-apply").first.click()
        page.wait_for_url(re.compile(r"^https://amis-littoral\.example\.org/"))
        assert landed[-1] == BEACH.url
        assert _clicks(database, BEACH.id) == before + 1

        assert violations == [], violations
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_widget_embedded_in_another_site(site: tuple[str, Database], device: str) -> None:
    base, _database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS[device], locale="fr-FR")
        page = context.new_page()
        violations = _csp_watch(page)
        # The builder: choose a cause, preview, copy the snippet.
        page.goto(f"{base}/widget/builder")
        page.select_option("#w-cause", "environnement")
        page.fill("#w-where", "Bretagne")
        page.click(".builder-form button[type=submit]")
        page.wait_for_load_state()
        snippet = page.locator("#snippet").input_value()
        assert snippet.startswith('<iframe src="') and "cause=environnement" in snippet
        preview = page.frame_locator("iframe.widget-preview")
        preview.locator(".widget-link").first.wait_for()
        shown = [t.splitlines()[0] for t in preview.locator(".widget-link").all_inner_texts()]
        assert sorted(shown) == sorted([BEACH.title, GARDEN.title])
        screenshot(page, f"site-fr-{device}-widget-builder")

        # A city's site pastes the snippet: the widget shows,
        # while the ordinary pages refuse to be framed.
        city_page = (
            "<!doctype html><title>Ville</title><h1>Mairie</h1>"
            + snippet
            + f'<iframe id="search" src="{base}/" title="search"></iframe>'
        )
        # Another origin on this machine (a second server on 127.0.0.1, another port).
        city_app = Flask("city")
        city_app.add_url_rule("/benevolat", "city", lambda: city_page)
        with live_server(city_app) as city:
            page.goto(f"{city}/benevolat")
            widget = page.frame_locator("iframe[src*='/widget']")
            widget.locator(".widget-link").first.wait_for()
            assert widget.locator(".widget-link").count() == 2
            page.wait_for_timeout(500)
            # The ordinary pages refuse to be framed (frame-ancestors 'none').
            assert page.frame_locator("#search").locator("form.search-form").count() == 0
            screenshot(page, f"site-fr-{device}-widget-embedded")
        assert any("frame-ancestors" in v for v in violations), "the search page was not refused in a frame"
        assert not [v for v in violations if "frame-ancestors" not in v], violations
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_report_poster_organization_and_gone_pages(site: tuple[str, Database], device: str) -> None:
    from tests.site_samples import EXPIRED
    from volunteer_hub.store.public_models import ProblemReport

    base, database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS[device], locale="en-GB")
        page = context.new_page()
        violations = _csp_watch(page)
        # Report a problem (a <details> form, no JavaScript needed).
        page.goto(f"{base}/o/{GARDEN.id}?lang=en")
        page.click("#report summary")
        page.check("#reason-expired")
        page.fill("#report-comment", "Le jardin est fermé pour l'hiver.")
        screenshot(page, f"site-en-{device}-report-form")
        page.click(".report-form button[type=submit]")
        page.wait_for_load_state()
        page.locator(".report .notice").wait_for()
        with database.session() as s:
            reports = [(r.opportunity_id, r.reason) for r in s.scalars(select(ProblemReport))]
        assert (GARDEN.id, "expired") in reports

        # The printable poster, as printed.
        page.click("text=Printable poster")
        page.wait_for_load_state()
        assert page.locator("svg.qr").is_visible()
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        screenshot(page, f"site-en-{device}-poster-print")
        page.emulate_media(media="screen")

        # The organization page, then an expired opportunity.
        page.goto(f"{base}/org/les-amis-du-littoral")
        assert page.locator("li.card").count() == 2
        screenshot(page, f"site-en-{device}-organization")
        response = page.goto(f"{base}/o/{EXPIRED.id}")
        assert response is not None and response.status == 410
        assert page.locator("li.card", has_text=BEACH.title).count() == 1
        screenshot(page, f"site-en-{device}-gone")
        assert violations == [], violations
        context.close()


def test_everything_works_without_javascript(site: tuple[str, Database]) -> None:
    """JavaScript only enhances: without it the buttons it drives stay hidden, the rest works."""
    base, database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS["phone"], java_script_enabled=False)
        page = context.new_page()
        page.route(
            re.compile(r"^https://[a-z-]+\.example\.org/.*"),
            lambda route: route.fulfill(status=200, content_type="text/html", body="ok"),
        )
        page.goto(f"{base}/?lang=fr")
        page.fill("#where", "Rennes")
        page.click("form.search-form button[type=submit]")
        page.wait_for_load_state()
        page.locator("li.card h3 a", has_text=GARDEN.title).click()
        page.wait_for_load_state()
        assert not page.locator("button.fav-button").is_visible()
        assert not page.locator("button[data-copy]").is_visible()
        assert page.locator("#share-url").input_value() == f"{base}/o/{GARDEN.id}"
        before = _clicks(database, GARDEN.id)
        page.locator("a.button-apply").first.click()
        page.wait_for_url(re.compile(r"^https://amis-littoral\.example\.org/"))
        assert _clicks(database, GARDEN.id) == before + 1
        page.goto(f"{base}/favourites?lang=fr")
        assert page.locator(".js-hint").is_visible()
        screenshot(page, "site-fr-phone-favourites-nojs")
        context.close()


# -- accessibility ------------------------------------------------------------------------------
AXE_PAGES = {
    "search": "/",
    "results": "/?where=Rennes&radius_km=100&cause=environnement&sort=nearest",
    "detail": f"/o/{BEACH.id}?near=Rennes",
    "empty": "/?q=zzzz&where=Rennes&radius_km=5",
    "organization": "/org/les-amis-du-littoral",
    "gone": f"/o/{ALL[-1].id}",
    "poster": f"/o/{BEACH.id}/poster",
    "favourites": "/favourites",
    "widget": "/widget?cause=environnement",
    "widget-builder": "/widget/builder?cause=environnement",
}


def test_axe_core_finds_no_serious_violation(site: tuple[str, Database]) -> None:
    """axe-core (node_modules, from npm) on the search, results and detail pages, fr and en,
    phone and desktop. The run uses a context that bypasses CSP only so axe can be injected."""
    assert AXE.is_file(), "run scripts/install.sh (npm install axe-core)"
    base, _database = site
    summary: dict[str, dict[str, object]] = {}
    serious: list[str] = []
    with chromium() as browser:
        for device, viewport in VIEWPORTS.items():
            for lang in ("fr", "en"):
                context = browser.new_context(viewport=viewport, bypass_csp=True)
                page = context.new_page()
                for name, path in AXE_PAGES.items():
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{base}{path}{sep}lang={lang}")
                    page.add_script_tag(path=str(AXE))
                    run = page.evaluate(
                        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
                        " return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
                        " impact: v.impact, nodes: v.nodes.length,"
                        " targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}; }"
                    )
                    assert run["passes"] > 10  # axe really ran its rules on the page
                    result = run["violations"]
                    key = f"{name}-{lang}-{device}"
                    summary[key] = {"rules_passed": run["passes"], "violations": result}
                    serious += [
                        f"{key}: {v['id']} ({v['impact']}) {v['targets']}"
                        for v in result
                        if v["impact"] in ("serious", "critical")
                    ]
                context.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "axe-results.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    assert serious == [], "\n".join(serious)


# -- weight -------------------------------------------------------------------------------------
WEIGHT_PAGES = {"home": "/", "results": "/?where=Rennes&radius_km=100", "detail": f"/o/{BEACH.id}"}


def test_page_weight_on_a_phone_and_a_desktop(site: tuple[str, Database]) -> None:
    """What a first visit loads (every request the browser makes, gzipped as a server would send
    it), recorded in test-output/page-weight.json. The search page stays under 50 KB gzipped on
    both sizes: Leaflet (about 42 KB) loads only when the map is shown."""
    base, _database = site
    weights: dict[str, dict[str, object]] = {}
    with chromium() as browser:
        for device, viewport in VIEWPORTS.items():
            for name, path in WEIGHT_PAGES.items():
                context = browser.new_context(viewport=viewport, locale="fr-FR")  # an empty cache
                page = context.new_page()
                files: dict[str, int] = {}

                def count(response, files: dict[str, int] = files) -> None:  # noqa: ANN001
                    if response.url.startswith(base) and response.status == 200:
                        files[response.url.replace(base, "")] = len(gzip.compress(response.body()))

                page.on("response", count)
                page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                weights[f"{name}-{device}"] = {
                    "requests": len(files),
                    "gzip_bytes": sum(files.values()),
                    "files": files,
                }
                context.close()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "page-weight.json").write_text(json.dumps(weights, indent=2))
    for device in VIEWPORTS:
        results = weights[f"results-{device}"]
        assert results["gzip_bytes"] < 50_000, results  # type: ignore[operator]
        assert not any("leaflet" in url for url in results["files"]), results  # type: ignore[union-attr]
        assert any(url.endswith(".css") for url in results["files"])  # type: ignore[union-attr]


# -- map ----------------------------------------------------------------------------------------
def test_results_map_in_step_with_the_list(site: tuple[str, Database]) -> None:
    """Desktop: the map beside the list, tiles from the configured (local) tile server, nearby
    results grouped at country scale, a card's hover lights its pin, a pin (mouse or keyboard)
    brings its card forward."""
    from playwright.sync_api import expect

    base, _database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="en-GB")
        page = context.new_page()
        violations = _csp_watch(page)
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith("http://127.0.0.1") else outside.append(r.url))
        TILES_SERVED.clear()
        page.goto(f"{base}/?lang=en")  # Saint-Malo, Rennes (two), Lyon, and one remote
        page.wait_for_load_state("networkidle")
        # The list first: the map (and Leaflet) comes when asked, then opens by itself next time.
        assert not page.locator("#results-map").is_visible()
        assert "L" not in page.evaluate("Object.keys(window)")
        page.click("button.map-toggle")
        page.locator("#results-map .map-pin").first.wait_for()
        page.reload()
        page.locator("#results-map .map-pin").first.wait_for()
        assert page.locator("#results-map").is_visible()
        # Country scale: Saint-Malo and Rennes (60 km apart) share one numbered circle.
        cluster = page.locator("#results-map .map-cluster")
        expect(cluster).to_have_count(1)
        assert cluster.inner_text() == "3"
        page.wait_for_load_state("networkidle")
        assert TILES_SERVED and outside == [], outside
        cluster.click()  # zooms in: Saint-Malo apart, Rennes's two (same place) still together
        expect(page.locator(f"#results-map .map-pin[title='{BEACH.title}']")).to_have_count(1)
        expect(cluster).to_have_text("2")
        # The two at the same place: choosing their circle lists them.
        cluster.click()
        page.locator(".leaflet-popup button", has_text=GARDEN.title).click()
        assert GARDEN.title in page.locator("li.card.is-chosen").inner_text()
        # A card's hover lights its pin.
        page.locator("li.card", has_text=GARDEN.title).hover()
        assert page.locator("#results-map .map-pin.is-active").count() == 1
        # Keyboard: a pin is a button; Enter on it brings its card forward and focuses its link.
        pin = page.locator(f"#results-map .map-pin[title='{BEACH.title}']")
        assert pin.get_attribute("role") == "button" and pin.get_attribute("tabindex") == "0"
        pin.focus()
        page.keyboard.press("Enter")
        expect(page.locator("li.card.is-chosen", has_text=BEACH.title)).to_have_count(1)
        assert page.evaluate("document.activeElement.textContent") == BEACH.title
        assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()
        screenshot(page, "site-en-desktop-results-map")
        assert violations == [], violations
        context.close()


def test_phone_map_is_loaded_only_when_asked(site: tuple[str, Database]) -> None:
    base, _database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS["phone"], locale="fr-FR")
        page = context.new_page()
        scripts: list[str] = []
        page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
        page.goto(f"{base}/?where=Rennes&radius_km=100&lang=fr")
        page.wait_for_load_state("networkidle")
        assert not any("leaflet" in url for url in scripts)  # the list first, light
        assert not page.locator("#results-map").is_visible()
        toggle = page.locator("button.map-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        page.locator("#results-map .map-pin").first.wait_for()
        assert toggle.get_attribute("aria-expanded") == "true" and any("leaflet" in url for url in scripts)
        screenshot(page, "site-fr-phone-results-map")
        context.close()


def test_detail_page_has_a_small_map(site: tuple[str, Database]) -> None:
    base, _database = site
    with chromium() as browser:
        context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="fr-FR")
        page = context.new_page()
        violations = _csp_watch(page)
        page.goto(f"{base}/o/{BEACH.id}?lang=fr")
        page.locator(".detail-map").scroll_into_view_if_needed()  # Leaflet loads when the map is seen
        page.locator(".detail-map .map-pin").first.wait_for()
        assert (
            page.locator(".detail-map .map-pin").get_attribute("title") == "Saint-Malo (35400)"
            or page.locator(".detail-map .map-pin").count() == 1
        )
        # One apply button, a facts panel with the age, the source as a link.
        assert page.locator("a.button-apply").count() == 1
        facts = page.locator(".facts").inner_text()
        assert "Dès 16 ans" in facts and "Français" in facts
        assert page.locator(".facts a", has_text="Réseau Littoral Breton").count() == 1
        assert violations == [], violations
        context.close()


def test_near_me_fills_where_with_the_position(site: tuple[str, Database]) -> None:
    base, _database = site
    with chromium() as browser:
        context = browser.new_context(
            viewport=VIEWPORTS["phone"], locale="en-GB", geolocation={"latitude": 48.1113, "longitude": -1.68}
        )
        context.grant_permissions(["geolocation"], origin=base)
        page = context.new_page()
        page.goto(f"{base}/?lang=en")
        with page.expect_navigation():
            page.click("button[data-near-me]")
        assert "where=48.1113%2C-1.6800" in page.url
        assert page.locator(".meta-distance").count() >= 1
        context.close()


# Issue 15's full set of screenshots (every page, both sizes, both languages, with axe): see
# tests/test_browser_screenshots.py.
