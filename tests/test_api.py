"""The JSON API (/api/v1) on a real SQLite index; fixtures come from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from indexer.practical import FACET_VALUES as PRACTICAL_FACETS
from search_app import create_app
from search_app.filters import query_from_args
from search_app.serialize import search_payload
from tests.helpers import FailingBackend
from tests.site_samples import BEACH, EXPIRED, GARDEN, HOMEWORK, LIVE, MEALS, TRANSLATION
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.pictures import PictureCache


def search(client: FlaskClient, query: str = "", **kwargs: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/opportunities{query}", **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body: dict[str, Any]) -> set[str]:
    return {item["id"] for item in body["items"]}


def facet(body: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"][name]}


def test_body_shape(client: FlaskClient) -> None:
    body = search(client, "?q=dechets")
    assert list(body) == ["total", "page", "per_page", "place", "items", "facets"]
    assert body["place"] is None  # no place asked
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 20)
    assert set(body["facets"]) == {"cause", "region", *PRACTICAL_FACETS}
    assert body["facets"]["cause"] == [{"value": "environnement", "label": "Environnement", "count": 1}]
    [item] = body["items"]
    # An absolute link: an API answer is read away from the site (an app, a partner's page).
    # ``picture``: none kept for it (tests/test_pictures.py covers a kept one).
    assert item == {**BEACH.to_dict(), "picture": None, "detail_url": f"http://localhost/o/{BEACH.id}"}
    assert "distance_km" not in item


def test_keyword_search_folds_accents(client: FlaskClient) -> None:
    assert ids(search(client, "?q=dechets")) == {BEACH.id}
    assert ids(search(client, "?q=D%C3%A9chet")) == {BEACH.id}
    assert ids(search(client, "?q=homework")) == {HOMEWORK.id}


def test_expired_opportunities_are_never_returned(client: FlaskClient) -> None:
    body = search(client, "?per_page=100")
    assert body["total"] == len(LIVE) and EXPIRED.id not in ids(body)
    assert search(client, "?q=termine")["total"] == 0
    assert client.get(f"/api/v1/opportunities/{EXPIRED.id}").status_code == 404


def test_filters(client: FlaskClient) -> None:
    assert ids(search(client, "?cause=environnement")) == {BEACH.id, GARDEN.id}
    assert ids(search(client, "?cause=environnement&cause=education")) == {BEACH.id, GARDEN.id, HOMEWORK.id}
    assert ids(search(client, "?cause=sante,education")) == {MEALS.id, HOMEWORK.id}
    brittany = {BEACH.id, HOMEWORK.id, GARDEN.id}
    for region in ("bretagne", "Bretagne", "BRETAGNE", "Brittany", "r%C3%A9gion-bretagne"):
        assert ids(search(client, f"?region={region}")) == brittany, region
    assert ids(search(client, "?region=Auvergne-Rh%C3%B4ne-Alpes")) == {MEALS.id}
    assert search(client, "?region=Atlantide")["total"] == 0  # unknown names are slugified, not refused
    assert ids(search(client, "?remote=true")) == {TRANSLATION.id}
    assert ids(search(client, "?remote=no")) == {o.id for o in LIVE} - {TRANSLATION.id}
    assert ids(search(client, "?organization=les+amis+du+LITTORAL")) == {BEACH.id, GARDEN.id}
    assert ids(search(client, "?partner=passerelles")) == {TRANSLATION.id, MEALS.id}


def test_dates_window(client: FlaskClient) -> None:
    day = (BEACH.start.date()).isoformat()  # type: ignore[union-attr]
    body = search(client, f"?date_from={day}&date_to={day}&per_page=100")
    # Overlapping that day: the beach clean-up, the ongoing and undated ones, the meals (3 -> 30 days).
    assert ids(body) == {BEACH.id, HOMEWORK.id, TRANSLATION.id, MEALS.id}


def test_near(client: FlaskClient) -> None:
    body = search(client, "?near=48.1113,-1.68&radius_km=10&sort=nearest")
    assert ids(body) == {HOMEWORK.id, GARDEN.id}
    assert all(item["distance_km"] is not None and item["distance_km"] < 1 for item in body["items"])
    assert ids(search(client, "?near=35400&radius_km=10")) == {BEACH.id}
    assert ids(search(client, "?near=Lyon")) == {MEALS.id}


def test_facet_counts(client: FlaskClient) -> None:
    body = search(client)
    assert facet(body, "cause") == {
        "environnement": 2,
        "education": 1,
        "numerique": 1,
        "humanitaire": 1,
        "solidarite-insertion": 1,
        "sante": 1,
        "vivre-ensemble": 1,
    }
    assert facet(body, "region") == {"bretagne": 3, "auvergne-rhone-alpes": 1}
    filtered = search(client, "?region=bretagne")
    assert facet(filtered, "cause") == {"environnement": 2, "education": 1, "vivre-ensemble": 1}
    assert facet(filtered, "region") == {"bretagne": 3, "auvergne-rhone-alpes": 1}  # own filter ignored


def test_facet_labels_follow_the_language(client: FlaskClient) -> None:
    labels = {f["value"]: f["label"] for f in search(client, "?lang=en")["facets"]["region"]}
    assert labels["bretagne"] == "Brittany"
    body = search(client, headers={"Accept-Language": "en"})
    assert {f["value"]: f["label"] for f in body["facets"]["cause"]}["environnement"] == "Environment"
    labels = {f["value"]: f["label"] for f in search(client)["facets"]["region"]}
    assert labels["bretagne"] == "Bretagne"


def test_pagination(client: FlaskClient) -> None:
    pages = [search(client, f"?per_page=2&page={n}&sort=newest") for n in (1, 2, 3, 4)]
    assert [len(p["items"]) for p in pages] == [2, 2, 1, 0]
    assert all(p["total"] == len(LIVE) and p["per_page"] == 2 for p in pages)
    seen = [item["id"] for p in pages for item in p["items"]]
    assert sorted(seen) == sorted(o.id for o in LIVE)
    assert pages[0]["items"][0]["id"] == TRANSLATION.id  # newest first


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("cause=nope", "cause"),
        ("cause=environnement&cause=bogus", "cause"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=999999", "page"),
        ("date_from=2025-13-01", "date_from"),
        ("date_from=01/02/2025", "date_from"),
        ("date_from=2025-03-02&date_to=2025-03-01", "date_to"),
        ("remote=maybe", "remote"),
        ("sort=cheapest", "sort"),
        ("sort=nearest", "sort"),
        ("near=Nowhere-Town-Imaginary-Zz", "near"),
        ("near=Lyon&radius_km=-3", "radius_km"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client: FlaskClient, query: str, parameter: str) -> None:
    response = client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and error["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_get_one(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/opportunities/{HOMEWORK.id}")
    assert response.status_code == 200
    assert response.get_json() == {**HOMEWORK.to_dict(), "picture": None}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    missing = client.get("/api/v1/opportunities/nope-1234")
    assert missing.status_code == 404 and "error" in missing.get_json()
    assert missing.headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_api_paths_and_methods_answer_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["message"]
    response = client.post("/api/v1/opportunities")
    assert response.status_code == 405 and response.get_json()["error"]["message"]


def test_cli_payload_is_the_api_body(client: FlaskClient, backend: Any, tmp_path: Path) -> None:
    params = [("q", "plage"), ("cause", "environnement"), ("near", "Saint-Malo"), ("radius_km", "50")]
    query = query_from_args(params)
    body = search(client, "?q=plage&cause=environnement&near=Saint-Malo&radius_km=50")
    expected = search_payload(
        backend.search(query), query, base_url="http://localhost/", pictures=PictureCache(tmp_path)
    )
    assert body == {**expected, "place": body["place"]}
    assert body["place"]["kind"] == "city" and body["place"]["name"] == "Saint-Malo"
    assert body["items"][0]["distance_km"] is not None


def test_backend_outage_is_a_503(tmp_path: Path) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    app = create_app({"SETTINGS": settings, "BACKEND": FailingBackend(), "TESTING": True})
    response = app.test_client().get("/api/v1/opportunities")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.get_json()["error"]["message"]
    assert response.headers["Retry-After"]
