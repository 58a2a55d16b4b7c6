"""Issue 15's visitor pages without a browser: the vendored Leaflet matches package.json, the map
tile setting and its CSP allowance, cards that read in two lines, the detail facts, "similar" by
cause, distance and language, the home page, the organization page's figures."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app.display import card_summary, map_point, map_points
from search_app.maps import tile_origin
from tests.helpers import page, titles
from tests.site_samples import BEACH, GARDEN, HOMEWORK, LYON, SAINT_MALO, site_opportunity
from volunteer_hub.core.config import OSM_TILES, ConfigError, load_settings
from volunteer_hub.core.opportunity import Opportunity, Organization
from volunteer_hub.core.taxonomy import CAUSES

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "search_app" / "static"


def test_vendored_leaflet_is_the_version_package_json_pins() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["leaflet"]
    vendored = STATIC / "vendor" / "leaflet"
    assert (vendored / "VERSION").read_text().strip() == pinned
    assert f"Leaflet {pinned}" in (vendored / "leaflet.js").read_text()[:300]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/leaflet"]["version"] == pinned
    assert (vendored / "leaflet.css").is_file() and (vendored / "images" / "marker-icon.png").is_file()


def test_every_cause_has_an_illustration() -> None:
    for code in CAUSES:
        assert (STATIC / "causes" / f"{code}.svg").read_text().startswith("<svg"), code


def test_map_tiles_setting(tmp_path: Path) -> None:
    home = str(tmp_path)
    assert load_settings({"VOLUNTEER_HUB_HOME": home}).map_tiles == OSM_TILES
    own = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert load_settings({"VOLUNTEER_HUB_HOME": home, "VOLUNTEER_HUB_MAP_TILES": own}).map_tiles == own
    for bad in ("javascript:alert(1)//{z}{x}{y}", "https://tiles.example.org/map.png"):
        with pytest.raises(ConfigError, match="VOLUNTEER_HUB_MAP_TILES"):
            load_settings({"VOLUNTEER_HUB_HOME": home, "VOLUNTEER_HUB_MAP_TILES": bad})
    assert tile_origin(OSM_TILES) == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"


def test_tile_server_allowed_only_on_pages_with_a_map(client: FlaskClient) -> None:
    def images(url: str) -> str:
        policy = client.get(url).headers["Content-Security-Policy"]
        return re.search(r"img-src ([^;]*)", policy).group(1)  # type: ignore[union-attr]

    assert images("/?where=Rennes") == "'self' data: https://tile.openstreetmap.org"
    assert images(f"/o/{BEACH.id}") == "'self' data: https://tile.openstreetmap.org"
    assert images("/?remote=1") == "'self' data:"  # remote only: nothing to map
    assert images("/favourites") == "'self' data:"
    html = page(client, "/?remote=1")
    assert 'id="results-map"' not in html
    # The list needs no script: the map container is hidden until search.js shows it.
    assert re.search(r'<div class="results-map" id="results-map" hidden', page(client, "/?where=Rennes"))


def test_card_summary_keeps_list_items_apart_and_drops_repeated_facts() -> None:
    opp = replace(
        BEACH,
        description=(
            "<p>Lieu : Saint-Malo</p><ul><li>2 h a week</li><li>Training provided</li></ul>"
            "<p>Saint-Malo (35)</p><p>Bring gloves.</p><script>alert(1)</script>"
        ),
    )
    assert card_summary(opp) == "2 h a week · Training provided · Bring gloves."
    long = replace(BEACH, description="<p>" + "word " * 80 + "</p>")
    assert len(card_summary(long)) <= 171 and card_summary(long).endswith("…")


def test_language_badge_on_listings_in_another_language(client: FlaskClient) -> None:
    html = page(client, "/?lang=fr")
    card = html.split(f">{HOMEWORK.title}</a>")[1].split("</h3>")[0]
    assert 'class="lang-badge"' in card and "(En anglais)" in card
    assert 'class="lang-badge"' not in html.split(f">{GARDEN.title}</a>")[1].split("</h3>")[0]
    english = page(client, "/?lang=en")
    assert "(In French)" in english.split(f">{GARDEN.title}</a>")[1].split("</h3>")[0]


def test_detail_facts_panel_and_one_apply_button(client: FlaskClient, backend: SqliteBackend) -> None:
    opp = site_opportunity(
        "amis-littoral",
        "facts-1",
        "Accueil au refuge",
        organization=Organization(
            "Les Amis du Littoral", description="Protéger le littoral breton depuis 1990."
        ),
        causes=["animaux"],
        locations=[SAINT_MALO],
        open_to_minors=True,
        accessible=True,
        close_to_transport=True,
        recurrence="recurring",
        time_of_week=["weekends"],
        family_friendly=True,
        requirements=["Permis B"],
        schedule="Le samedi matin",
    )
    backend.upsert([opp])
    html = unescape(page(client, f"/o/{opp.id}?lang=fr"))
    facts = html.split('class="facts"')[1].split("</aside>")[0]
    for fact in (
        "Ouverte aux mineurs",
        "Accessible aux personnes à mobilité réduite",
        "Proche des transports en commun",
        "Régulière",
        "Le week-end",
        "Familles bienvenues",
        "Permis B",
        "Le samedi matin",
        "Français",
    ):
        assert fact in facts, fact
    assert len(re.findall(r'class="button button-primary button-apply"', html)) == 1
    assert f'<a href="{opp.url}" rel="nofollow noopener">Réseau Littoral Breton</a>' in html  # Source
    assert "Protéger le littoral breton depuis 1990." in html
    assert 'data-map="detail"' in html and "Saint-Malo" in html.split('data-points="')[1]


def test_similar_prefers_the_same_cause_nearby_in_the_same_language(
    client: FlaskClient, backend: SqliteBackend
) -> None:
    far_fr = site_opportunity(
        "passerelles", "far-fr", "Nettoyer les berges du Rhône", causes=["environnement"], locations=[LYON]
    )
    near_en = site_opportunity(
        "passerelles",
        "near-en",
        "Beach clean-up crew",
        language="en",
        causes=["environnement"],
        locations=[SAINT_MALO],
    )
    backend.upsert([far_fr, near_en])
    html = page(client, f"/o/{BEACH.id}?lang=fr")
    shown = titles(html.split('id="similar-heading"')[1].split("</section>")[0])
    assert shown[0] == GARDEN.title  # same cause, 65 km, French
    assert shown.index(far_fr.title) < shown.index(near_en.title)  # the language before the place
    assert BEACH.title not in shown


def test_home_page_invites(client: FlaskClient) -> None:
    html = unescape(page(client, "/?lang=fr"))
    assert 'class="hero"' in html and "Par cause" in html
    tiles = html.split('class="cause-tiles"')[1].split("</ul>")[0]
    assert (
        "/?cause=environnement" in tiles
        and "2 missions" in tiles
        and "/static/causes/environnement.svg" in tiles
    )
    orgs = html.split('id="orgs-heading"')[1].split("</section>")[0]
    assert "/org/les-amis-du-littoral" in orgs and "Restos du Rhône" in orgs
    searched = unescape(page(client, "/?q=jardin&lang=fr"))
    assert "hero-compact" in searched and "Par cause" not in searched


def test_search_form_is_one_bar_with_a_drawer(client: FlaskClient) -> None:
    html = page(client, "/?where=Rennes&cause=environnement&lang=en")
    assert 'id="q"' in html.split('class="drawer"')[0] and 'id="where"' in html.split('class="drawer"')[0]
    drawer = html.split('<details class="drawer"')[1].split("</details>")[0]
    for field in ('id="radius_km"', 'id="cause"', 'id="when"', 'id="date_from"', 'id="remote"'):
        assert field in drawer, field
    assert "Filters <span" in drawer and "(1)" in drawer  # one filter set in the drawer (cause)
    # Sort sits beside the count, outside the form but submitted with it.
    head = html.split('class="results-head"')[1].split('class="results-tools"')[0]
    assert 'id="sort" name="sort" form="search-form"' in head and "1 opportunity" in head
    # An invalid value opens the drawer at the faulty field.
    invalid = client.get("/?date_from=nope")
    assert invalid.status_code == 400 and '<details class="drawer" open>' in invalid.get_data(as_text=True)


def test_organization_page_hides_zero_visits(client: FlaskClient) -> None:
    html = page(client, "/org/les-amis-du-littoral?lang=en")
    assert "Visitors sent to its sign-up pages" not in html
    assert html.index('id="open-heading"') < html.index('id="figures-heading"')  # its missions first
    client.get(f"/go/{BEACH.id}")
    assert "Visitors sent to its sign-up pages" in page(client, "/org/les-amis-du-littoral?lang=en")


def test_opportunity_without_coordinates_has_no_map() -> None:
    opp: Opportunity = replace(HOMEWORK, locations=[])
    assert map_point(opp) is None and map_points(opp) == []
    assert map_point(BEACH) == (48.6493, -2.0257)
