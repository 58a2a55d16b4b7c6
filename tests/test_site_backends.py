"""The site's features on both search backends (embedded SQLite and a real Elasticsearch node):
organization pages, similar opportunities, 410 alternatives, sitemap, feeds, widget, date presets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from search_app import create_app
from tests.helpers import titles
from tests.site_samples import ALL, BEACH, EXPIRED, GARDEN, HOMEWORK, LIVE, MEALS, TRANSLATION
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database

pytestmark = pytest.mark.conformance


@pytest.fixture(name="client")
def client_fixture(search_backend, tmp_path: Path) -> FlaskClient:  # noqa: ANN001
    report = search_backend.upsert(ALL)
    assert report.ok
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    app = create_app(
        {
            "SETTINGS": settings,
            "BACKEND": search_backend,
            "DATABASE": Database.from_settings(settings),
            "TESTING": True,
        }
    )
    return app.test_client()


def _ok(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_site_features_on_every_backend(client: FlaskClient) -> None:
    # Organization page and its figures.
    client.get(f"/go/{BEACH.id}")
    org = _ok(client, "/org/les-amis-du-littoral")
    assert sorted(titles(org)) == sorted([BEACH.title, GARDEN.title])
    assert re.search(r"<dd>1</dd>", org)  # one visitor sent
    assert client.get("/org/nobody").status_code == 404

    # Similar opportunities and the 410 page's alternatives.
    similar = _ok(client, f"/o/{BEACH.id}").split('id="similar-heading"')[1]
    assert GARDEN.title in titles(similar)
    gone = client.get(f"/o/{EXPIRED.id}")
    assert gone.status_code == 410 and BEACH.title in titles(gone.get_data(as_text=True))

    # Sitemap: every live page, no expired one.
    sitemap = _ok(client, "/sitemap.xml")
    assert sitemap.count("<loc>http://localhost/o/") == len(LIVE) and EXPIRED.id not in sitemap

    # Feeds with the site's parameters.
    rss = ET.fromstring(client.get("/feeds/search.rss?where=Rennes&radius_km=10").data)
    assert sorted(i.findtext("title") for i in rss.iter("item")) == sorted([HOMEWORK.title, GARDEN.title])

    # Widget filtered by organization, and date presets.
    widget = _ok(client, "/widget?organization=Restos du Rhône")
    assert widget.count('class="widget-link"') == 1 and MEALS.title in widget
    assert _ok(client, "/?when=month").count('class="card"') >= 1


def _fresh(client: FlaskClient, lang: str) -> tuple[str, list[str]]:
    """The home page's fresh-missions heading and the titles listed under it."""
    html = _ok(client, f"/?lang={lang}")
    section = html.split('id="results-heading"')[1].split('class="region-picker"')[0]
    heading = re.sub(r"\s+", " ", section.split(">", 1)[1].split("</h2>")[0]).strip()
    return unescape(heading), titles(section)


def test_home_shows_fresh_missions_near_the_visitors_region(client: FlaskClient) -> None:
    """Region of the last search (a first-party cookie), else the one picked, else the country of the
    site language; a region without listings falls back, and the page says so."""
    brittany = [BEACH.title, GARDEN.title, HOMEWORK.title]  # newest first
    # No region known yet: France for the French site (the remote listing has no region), all in English.
    assert _fresh(client, "fr") == (
        "Nouvelles missions en France",
        [BEACH.title, MEALS.title, GARDEN.title, HOMEWORK.title],
    )
    heading, shown = _fresh(client, "en")
    assert heading == "New missions" and shown[0] == TRANSLATION.title and len(shown) == len(LIVE)
    # A search with a city remembers its region; the home page then lists that region's missions.
    _ok(client, "/?where=Lyon&lang=fr")
    assert _fresh(client, "fr") == ("Nouvelles missions près de Auvergne-Rhône-Alpes", [MEALS.title])
    assert "/?region=auvergne-rhone-alpes&amp;sort=newest" in _ok(client, "/?lang=fr")
    _ok(client, "/?where=35000&lang=en")  # a postal code in Brittany
    assert _fresh(client, "en") == ("New missions near Brittany", brittany)
    # The picker on the home page; a region without any listing falls back, honestly.
    response = client.post("/home/region", data={"region": "corse"})
    assert response.status_code == 303 and "region=corse" in response.headers["Set-Cookie"]
    assert _fresh(client, "fr")[0] == "Nouvelles missions en France"
    assert "Corse : pas encore de nouvelle mission." in unescape(_ok(client, "/?lang=fr"))
    assert "No new mission in Corsica yet." in _ok(client, "/?lang=en")
    # Forgetting: back to the country of the language.
    client.post("/home/region", data={"region": ""})
    assert _fresh(client, "fr")[0] == "Nouvelles missions en France"
    assert "Forget my region" not in _ok(client, "/?lang=en")
