"""Issue 16's 500s and broken feeds from hostile query strings, one regression test each.

Each of these answered 500 (or an unparseable feed, or a search around a village in North
Macedonia) before; docs/reliability.md lists them with their tests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest
from flask.testing import FlaskClient
from lxml import etree

from indexer.sqlite_backend import SqliteBackend
from tests.helpers import titles
from tests.site_samples import BEACH, LIVE, NOW, SAINT_MALO, site_opportunity

ATOM = "{http://www.w3.org/2005/Atom}"


# -- when=garbage --------------------------------------------------------------------------------
WHEN_PAGES = ["/feeds/search.rss", "/feeds/search.atom", "/widget", "/", "/widget/builder"]


@pytest.mark.parametrize("path", WHEN_PAGES)
def test_an_unknown_date_preset_is_a_bad_request_not_a_crash(client: FlaskClient, path: str) -> None:
    response = client.get(f"{path}?when=garbage&lang=en")
    # The builder shows the error next to its form, with a 200; the others are a 400.
    assert response.status_code == (200 if path == "/widget/builder" else 400)
    if path.startswith("/feeds/"):
        message = response.get_data(as_text=True)
        assert message.startswith("Invalid parameter when: expected one of: weekend, month")


def test_date_presets_still_filter(client: FlaskClient) -> None:
    """The preset moved into the parameter registry: it still means a window of days."""
    for preset in ("weekend", "month"):
        assert client.get(f"/?when={preset}").status_code == 200
        assert client.get(f"/widget?when={preset}").status_code == 200
        feed = client.get(f"/feeds/search.rss?when={preset}")
        assert feed.status_code == 200 and feedparser.parse(feed.data).bozo == 0
    # Explicit dates win over a preset.
    explicit = client.get("/?date_from=2090-01-01&lang=en").get_data(as_text=True)
    both = client.get("/?when=weekend&date_from=2090-01-01&lang=en").get_data(as_text=True)
    assert titles(both) == titles(explicit) and titles(both) != titles(client.get("/").get_data(as_text=True))


# -- the widget's limit --------------------------------------------------------------------------
@pytest.mark.parametrize("limit", ["²", "٣", "5" * 5000, "9" * 40, "-1", "0", "21"])
def test_widget_limit_out_of_range_or_not_ascii_shows_the_default(client: FlaskClient, limit: str) -> None:
    response = client.get("/widget", query_string={"limit": limit})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("<li>") == min(5, len(LIVE))


def test_widget_limit_still_limits(client: FlaskClient) -> None:
    html = client.get("/widget?limit=2").get_data(as_text=True)
    assert html.count("<li>") == 2


# -- control characters in feeds -----------------------------------------------------------------
def feed_parses(body: bytes) -> None:
    etree.fromstring(body)  # raises on any character XML 1.0 cannot carry
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_control_characters_in_the_query_keep_the_feed_parseable(client: FlaskClient, fmt: str) -> None:
    response = client.get(f"/feeds/search.{fmt}?q=plage%00%01%1b%0b")
    assert response.status_code == 200
    feed_parses(response.data)
    title = feedparser.parse(response.data).feed.title
    assert "plage" in title and "\x00" not in title


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_control_characters_in_a_title_keep_the_feed_parseable(
    client: FlaskClient, backend: SqliteBackend, fmt: str
) -> None:
    odd = site_opportunity(
        "amis-littoral",
        "odd-1",
        "Nettoyage\x00 du port\x01\x1f de\ufffe Saint-Malo",
        summary="Gants\x0b fournis\x0c.",
        locations=[SAINT_MALO],
        posted=NOW,
        first_seen=NOW,
    )
    assert backend.upsert([odd]).ok
    response = client.get(f"/feeds/search.{fmt}?q=nettoyage+port")
    assert response.status_code == 200
    feed_parses(response.data)
    entries = feedparser.parse(response.data).entries
    assert [e.title for e in entries] == ["Nettoyage du port de Saint-Malo"]
    assert "Gants fournis." in entries[0].summary
    sitemap = client.get("/sitemap.xml")
    ET.fromstring(sitemap.data)  # the sitemap goes through the same serializer


# -- near=, --------------------------------------------------------------------------------------
@pytest.mark.parametrize("place", [",", " , ", "-", "'", "°", "%00", "²", ".,;"])
def test_a_place_without_letters_or_digits_is_unknown_in_the_api(client: FlaskClient, place: str) -> None:
    response = client.get("/api/v1/opportunities", query_string={"near": place})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "near" and "unknown place" in error["message"]
    afg = client.get("/api/volopps", query_string={"vol_loc": place})  # lenient, as All for Good was
    assert afg.status_code == 200 and afg.get_json()["items"] == []  # unknown: nothing, not a village


@pytest.mark.parametrize("name", ["near", "where"])
def test_a_place_without_letters_or_digits_is_a_field_error_on_the_site(
    client: FlaskClient, name: str
) -> None:
    response = client.get(f"/?{name}=,&lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "we don&#39;t know this place" in html and 'name="where"' in html and 'aria-invalid="true"' in html
    assert "Арачиново" not in html


def test_real_places_still_resolve(client: FlaskClient) -> None:
    assert client.get("/api/v1/opportunities?near=Saint-Malo").status_code == 200
    assert client.get("/api/v1/opportunities?near=35400").status_code == 200
    assert client.get("/api/v1/opportunities?near=48.6,-2.0").status_code == 200
    assert client.get("/api/volopps?vol_loc=Saint-Malo").status_code == 200
    html = client.get(f"/o/{BEACH.id}?near=,").get_data(as_text=True)  # a detail page ignores it
    assert "Арачиново" not in html
