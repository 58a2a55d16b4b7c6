"""The site's features on both search backends (embedded SQLite and a real Elasticsearch node):
organization pages, similar opportunities, 410 alternatives, sitemap, feeds, widget, date presets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from search_app import create_app
from tests.helpers import titles
from tests.site_samples import ALL, BEACH, EXPIRED, GARDEN, HOMEWORK, LIVE, MEALS
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database

pytestmark = pytest.mark.conformance


@pytest.fixture(name="client")
def client_fixture(search_backend, tmp_path: Path) -> FlaskClient:  # noqa: ANN001
    report = search_backend.upsert(ALL)
    assert report.ok
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    app = create_app({
        "SETTINGS": settings, "BACKEND": search_backend, "DATABASE": Database.from_settings(settings),
        "TESTING": True,
    })
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
