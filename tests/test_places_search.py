"""One meaning for a typed place (issue 15), on both search backends: the site's "where", the API's
``near`` and All for Good's ``vol_loc`` read "Bretagne", "Ille-et-Vilaine", "Atlantis" or "London"
the same way; unknown places are said so (never a same-name village abroad); links are absolute."""

from __future__ import annotations

from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from search_app import create_app
from tests.helpers import titles
from tests.site_samples import ALL, BEACH, GARDEN, HOMEWORK, MEALS
from volunteer_hub.core.config import load_settings

pytestmark = pytest.mark.conformance

BRETAGNE = {BEACH.id, HOMEWORK.id, GARDEN.id}  # Saint-Malo and Rennes


@pytest.fixture(name="client")
def client_fixture(search_backend, tmp_path: Path) -> FlaskClient:  # noqa: ANN001
    assert search_backend.upsert(ALL).ok
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    app = create_app({"SETTINGS": settings, "BACKEND": search_backend, "TESTING": True, "API_RATE_LIMIT": 0})
    return app.test_client()


def _api(client: FlaskClient, query: str, status: int = 200) -> dict[str, Any]:
    response = client.get(f"/api/v1/opportunities?{query}")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _ids(body: dict[str, Any]) -> set[str]:
    return {item["id"] for item in body["items"]}


def test_near_a_region_finds_what_the_site_where_finds(client: FlaskClient) -> None:
    site = client.get("/?where=Bretagne")
    assert site.status_code == 200
    body = _api(client, "near=Bretagne")
    assert _ids(body) == BRETAGNE
    assert sorted(titles(site.get_data(as_text=True))) == sorted(i["title"] for i in body["items"])
    place = body["place"]
    assert (place["query"], place["known"], place["kind"], place["name"]) == (
        "Bretagne",
        True,
        "region",
        "Bretagne",
    )
    assert place["regions"] == ["bretagne"] and place["lat"] is None and place["radius_km"] is None
    # English names too, and the facets endpoint reads it the same way.
    assert _ids(_api(client, "near=Brittany&lang=en")) == BRETAGNE
    facets = client.get("/api/v1/facets?near=Bretagne").get_json()
    assert facets["total"] == 3 and facets["place"]["kind"] == "region"


def test_near_a_departement_is_its_circle_in_its_region(client: FlaskClient) -> None:
    body = _api(client, "near=Ille-et-Vilaine")
    assert _ids(body) == BRETAGNE
    place = body["place"]
    assert (
        place["kind"] == "department"
        and place["name"] == "Ille-et-Vilaine"
        and place["regions"] == ["bretagne"]
    )
    assert place["radius_km"] > 40 and place["lat"] is not None  # the circle reaching its farthest commune
    assert _ids(_api(client, "near=Rh%C3%B4ne")) == {MEALS.id}


def test_a_city_is_a_point_and_radius(client: FlaskClient) -> None:
    body = _api(client, "near=Rennes&radius_km=10&sort=nearest")
    assert _ids(body) == {HOMEWORK.id, GARDEN.id}
    assert body["place"]["kind"] == "city" and body["place"]["radius_km"] == 10
    assert body["place"]["regions"] == []


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("near=Bretagne&radius_km=10", "radius_km", "is a region"),
        ("near=Finist%C3%A8re&radius_km=10", "radius_km", "is a département"),
        ("near=Bretagne&sort=nearest", "sort", "'Bretagne' is a region"),
        ("near=Springfield&country=Narnia", "country", "ISO 3166-1"),
    ],
)
def test_combinations_that_mean_nothing_are_400s_saying_why(
    client: FlaskClient, query: str, parameter: str, words: str
) -> None:
    error = _api(client, query, 400)["error"]
    assert error["parameter"] == parameter and words in error["message"]


def test_an_unknown_place_is_never_a_namesake_abroad(client: FlaskClient) -> None:
    error = _api(client, "near=Atlantis", 400)["error"]
    assert error["parameter"] == "near"
    assert "unknown place 'Atlantis'" in error["message"] and "'Atlantis, ZA'" in error["message"]
    assert "ZA" not in str(client.get("/?where=Atlantis").get_data(as_text=True).split("<main")[-1])
    # Asked for: the country in the text or in ``country`` takes the small place abroad.
    asked = _api(client, "near=Atlantis,+ZA")
    assert asked["place"]["country"] == "ZA" and asked["total"] == 0
    assert _api(client, "near=Atlantis&country=US")["place"]["country"] == "US"
    # A close spelling is suggested.
    error = _api(client, "near=Lyonn", 400)["error"]
    assert error["suggestion"] == "Lyon" and "did you mean 'Lyon'?" in error["message"]
    assert _ids(_api(client, "near=Lyon")) == {MEALS.id}


@pytest.mark.parametrize(
    ("typed", "country"),
    [("London", "GB"), ("New York", "US"), ("Montréal", "CA"), ("Bruxelles", "BE"), ("Genève", "CH")],
)
def test_big_cities_abroad_still_work(client: FlaskClient, typed: str, country: str) -> None:
    place = _api(client, f"near={typed}")["place"]
    assert place["kind"] == "city" and place["country"] == country


def test_the_site_says_it_does_not_know_the_place_beside_the_field(client: FlaskClient) -> None:
    response = client.get("/?where=Atlantis&q=jardin")
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    form = html.split('id="search-form"')[1].split("</form>")[0]
    where = form.split('id="where"')[1]
    # The input keeps what was typed, says it is invalid, and its message follows it, in French.
    tag = where.split(">")[0]
    assert (
        'value="Atlantis"' in tag and 'aria-invalid="true"' in tag and 'aria-describedby="error-where"' in tag
    )
    assert where.index('id="error-where"') < where.index('class="drawer"')
    assert "Où : nous ne connaissons pas ce lieu" in where and "Atlantis, ZA" not in html
    english = unescape(client.get("/?where=Atlantis&lang=en").get_data(as_text=True))
    assert "Where: we don't know this place" in english
    # A close spelling is a link to that search, the rest of the search kept.
    html = unescape(client.get("/?where=Rennnes&q=devoirs&lang=fr").get_data(as_text=True))
    assert "Vouliez-vous dire « Rennes » ?" in html and "/?q=devoirs&where=Rennes" in html
    assert client.get("/?where=Rennes&q=devoirs").status_code == 200


def test_volopps_reads_places_the_same_and_stays_lenient(client: FlaskClient) -> None:
    def items(query: str) -> list[dict[str, Any]]:
        response = client.get(f"/api/volopps?{query}")
        assert response.status_code == 200
        return response.get_json()["items"]

    assert {i["title"] for i in items("vol_loc=Bretagne")} == {BEACH.title, HOMEWORK.title, GARDEN.title}
    assert items("vol_loc=Atlantis") == []  # unknown: nothing, as All for Good answered
    assert {i["title"] for i in items("vol_loc=Lyon")} == {MEALS.title}


def test_links_in_api_answers_are_absolute(client: FlaskClient, tmp_path: Path, search_backend) -> None:  # noqa: ANN001
    [item] = _api(client, "q=plage")["items"]
    assert item["detail_url"] == f"http://localhost/o/{BEACH.id}"
    assert client.get(item["detail_url"].removeprefix("http://localhost")).status_code == 200
    settings = load_settings(
        {
            "VOLUNTEER_HUB_HOME": str(tmp_path / "public"),
            "VOLUNTEER_HUB_PUBLIC_URL": "https://benevoles.example.org",
        }
    )
    public = create_app(
        {"SETTINGS": settings, "BACKEND": search_backend, "TESTING": True, "API_RATE_LIMIT": 0}
    )
    [item] = _api(public.test_client(), "q=plage")["items"]
    assert item["detail_url"] == f"https://benevoles.example.org/o/{BEACH.id}"
    [afg] = public.test_client().get("/api/volopps?q=plage").get_json()["items"]
    assert afg["xml_url"] == f"https://benevoles.example.org/o/{BEACH.id}"
