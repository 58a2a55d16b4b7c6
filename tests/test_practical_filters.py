"""The practical filters where people use them: the API and its facets, the search page's "practical"
group, a search's RSS feed, and an embedded index built before the filters existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.base import SearchQuery
from indexer.sqlite_backend import PRACTICAL_COLUMNS, SqliteBackend
from tests.helpers import page
from tests.site_samples import NOW, RENNES, site_opportunity

WHEELCHAIR = site_opportunity(
    "amis-littoral", "pmr-1", "Accueil au musée maritime", locations=[RENNES], accessible=True,
    open_to_minors=True, min_age=16, recurrence="recurring", time_of_week=["weekends"],
    commitment_hours_per_week=3,
)  # fmt: skip
STAIRS = site_opportunity(
    "amis-littoral", "stairs-1", "Tri au grenier de la ressourcerie", locations=[RENNES], accessible=False,
    recurrence="one-off", time_of_week=["weekdays", "evenings"], commitment_hours_per_week=12,
)  # fmt: skip


@pytest.fixture
def practical_client(backend: SqliteBackend, client: FlaskClient) -> FlaskClient:
    assert backend.upsert([WHEELCHAIR, STAIRS]).ok
    return client


def test_the_api_filters_and_counts_practical_facts(practical_client: FlaskClient) -> None:
    body = practical_client.get("/api/v1/opportunities?accessible=true&lang=en").get_json()
    assert [item["id"] for item in body["items"]] == [WHEELCHAIR.id]
    item = body["items"][0]
    assert (item["accessible"], item["open_to_minors"], item["min_age"]) == (True, True, 16)
    assert (item["recurrence"], item["time_of_week"]) == ("recurring", ["weekends"])
    assert body["facets"]["accessible"] == [{"value": "true", "label": "Wheelchair accessible", "count": 1}]
    recurrence = {f["value"]: f["count"] for f in body["facets"]["recurrence"]}
    assert recurrence == {"recurring": 1}  # the other filters apply to this facet

    evenings = practical_client.get("/api/v1/opportunities?time_of_week=evenings,weekends").get_json()
    assert {item["id"] for item in evenings["items"]} == {WHEELCHAIR.id, STAIRS.id}
    facets = practical_client.get("/api/v1/facets?minors=1").get_json()
    assert facets["total"] == 1 and facets["facets"]["minors"][0]["label"] == "Ouvert aux mineurs"


@pytest.mark.parametrize(
    "query",
    [
        "minors=maybe",
        "recurrence=sometimes",
        "time_of_week=night",
        "time_of_week=weekends,lunch",
        "commitment=5",
    ],
)
def test_a_bad_practical_value_is_a_400_naming_its_parameter(
    practical_client: FlaskClient, query: str
) -> None:
    response = practical_client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == query.split("=")[0]
    assert practical_client.get(f"/?{query}").status_code == 400


def test_the_search_page_has_a_compact_practical_group(practical_client: FlaskClient) -> None:
    html = page(practical_client, "/?lang=fr")
    assert "Infos pratiques" in html and "Accessible PMR" in html and "En soirée" in html
    filtered = page(practical_client, "/?accessible=true&lang=en")
    assert "Wheelchair accessible" in filtered
    assert "Accueil au musée maritime" in filtered and "Tri au grenier" not in filtered
    assert 'aria-current="true"' in filtered  # the selected value, whose link removes it


def test_a_searchs_feed_applies_the_practical_filters(practical_client: FlaskClient) -> None:
    rss = page(practical_client, "/feeds/search.rss?accessible=false")
    assert "Tri au grenier de la ressourcerie" in rss and "Accueil au musée maritime" not in rss


def test_an_index_from_before_the_practical_columns_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    backend = SqliteBackend(path)
    assert backend.upsert([WHEELCHAIR, STAIRS]).ok
    backend.close()
    with sqlite3.connect(path) as conn:  # the layout an existing deployment has
        conn.execute("DROP INDEX doc_facets")
        for column, _kind in PRACTICAL_COLUMNS:
            conn.execute(f"ALTER TABLE doc DROP COLUMN {column}")
    reopened = SqliteBackend(path)
    found = reopened.search(SearchQuery(filters={"accessible": True}, now=NOW))
    assert [hit.opportunity.id for hit in found.hits] == [WHEELCHAIR.id]
    evenings = reopened.search(SearchQuery(filters={"time_of_week": ("evenings",)}, now=NOW))
    assert [hit.opportunity.id for hit in evenings.hits] == [STAIRS.id]


def test_commitment_filters_by_hours_per_week_everywhere(practical_client: FlaskClient) -> None:
    body = practical_client.get("/api/v1/opportunities?commitment=light&lang=en").get_json()
    assert [item["id"] for item in body["items"]] == [WHEELCHAIR.id]
    assert body["items"][0]["commitment_hours_per_week"] == 3
    levels = {f["value"]: f["label"] for f in body["facets"]["commitment"]}
    assert levels == {"light": "Up to 4 hours a week", "intensive": "Over 10 hours a week"}
    spec = practical_client.get("/api/v1/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/opportunities"]["get"]["parameters"]}
    assert params["commitment"]["schema"]["enum"] == ["light", "regular", "intensive"]
    html = page(practical_client, "/?commitment=intensive&lang=fr")
    assert "Plus de 10 h par semaine" in html  # its chip and facet value
    assert "Tri au grenier de la ressourcerie" in html and "Accueil au musée maritime" not in html
    rss = page(practical_client, "/feeds/search.rss?commitment=intensive")
    assert "Tri au grenier" in rss and "Accueil au musée" not in rss


def test_an_index_from_before_the_commitment_column_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    backend = SqliteBackend(path)
    assert backend.upsert([WHEELCHAIR, STAIRS]).ok
    backend.close()
    with sqlite3.connect(path) as conn:  # the layout of the release before the commitment filter
        conn.execute("DROP INDEX doc_facets")
        conn.execute("ALTER TABLE doc DROP COLUMN commitment")
    reopened = SqliteBackend(path)
    found = reopened.search(SearchQuery(filters={"commitment": "intensive"}, now=NOW))
    assert [hit.opportunity.id for hit in found.hits] == [STAIRS.id]
    assert [(f.value, f.count) for f in found.facets["commitment"]] == [("light", 1), ("intensive", 1)]
