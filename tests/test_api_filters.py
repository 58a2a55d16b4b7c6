"""Every parameter of /api/v1/opportunities and /api/v1/facets, CORS and preflights (real SQLite index)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from search_app.params import DATE_ZONE
from tests.site_samples import BEACH, GARDEN, HOMEWORK, LIVE, MEALS, NOW, TRANSLATION


def get(client: FlaskClient, url: str, **kwargs: Any) -> dict[str, Any]:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def counts(body: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"][name]}


def day(days: int) -> str:
    return (NOW + timedelta(days=days)).astimezone(DATE_ZONE).date().isoformat()


# -- /api/v1/opportunities: each filter -------------------------------------------------------
def test_q(client: FlaskClient) -> None:
    assert ids(get(client, "/api/v1/opportunities?q=jardin")) == [GARDEN.id]
    assert ids(get(client, "/api/v1/opportunities?q=")) != []  # empty means no keyword filter


def test_near_and_radius_km(client: FlaskClient) -> None:
    # Saint-Malo is ~65 km from Rennes: 10 km finds the beach only, 100 km the Rennes ones too.
    assert set(ids(get(client, "/api/v1/opportunities?near=Saint-Malo&radius_km=10"))) == {BEACH.id}
    wide = get(client, "/api/v1/opportunities?near=Saint-Malo&radius_km=100&sort=nearest")
    assert ids(wide)[0] == BEACH.id and set(ids(wide)) == {BEACH.id, GARDEN.id, HOMEWORK.id}
    distances = [item["distance_km"] for item in wide["items"]]
    assert distances == sorted(distances) and 55 < distances[-1] < 75
    # The default radius is 25 km.
    assert set(ids(get(client, "/api/v1/opportunities?near=35000"))) == {HOMEWORK.id, GARDEN.id}
    assert set(ids(get(client, "/api/v1/opportunities?near=48.65,-2.03"))) == {BEACH.id}


def test_region_cause_remote(client: FlaskClient) -> None:
    assert set(ids(get(client, "/api/v1/opportunities?region=bretagne&cause=education"))) == {HOMEWORK.id}
    assert set(ids(get(client, "/api/v1/opportunities?region=bretagne&region=auvergne-rhone-alpes"))) == {
        BEACH.id,
        HOMEWORK.id,
        GARDEN.id,
        MEALS.id,
    }
    assert ids(get(client, "/api/v1/opportunities?remote=1&cause=numerique")) == [TRANSLATION.id]
    assert get(client, "/api/v1/opportunities?remote=true&region=bretagne")["total"] == 0


def test_date_from_and_date_to_alone(client: FlaskClient) -> None:
    later = set(ids(get(client, f"/api/v1/opportunities?date_from={day(15)}")))
    assert later == {GARDEN.id, HOMEWORK.id, TRANSLATION.id, MEALS.id}  # the beach day is over by then
    sooner = set(ids(get(client, f"/api/v1/opportunities?date_to={day(5)}")))
    assert sooner == {MEALS.id, HOMEWORK.id, TRANSLATION.id}  # beach and garden start later


def test_organization_and_partner(client: FlaskClient) -> None:
    assert set(ids(get(client, "/api/v1/opportunities?organization=Restos%20du%20Rh%C3%B4ne"))) == {MEALS.id}
    assert set(ids(get(client, "/api/v1/opportunities?partner=amis-littoral"))) == {BEACH.id, GARDEN.id}
    assert get(client, "/api/v1/opportunities?partner=nobody")["total"] == 0


def test_sorts(client: FlaskClient) -> None:
    soonest = ids(get(client, "/api/v1/opportunities?sort=soonest&remote=false"))
    assert soonest.index(MEALS.id) < soonest.index(BEACH.id) < soonest.index(GARDEN.id)
    newest = ids(get(client, "/api/v1/opportunities?sort=newest"))
    assert newest == [o.id for o in sorted(LIVE, key=lambda o: o.posted, reverse=True)]  # type: ignore[arg-type, return-value]
    relevance = ids(get(client, "/api/v1/opportunities?q=plage&sort=relevance"))
    assert relevance[0] == BEACH.id


def test_page_and_per_page(client: FlaskClient) -> None:
    first = get(client, "/api/v1/opportunities?per_page=3&sort=newest")
    second = get(client, "/api/v1/opportunities?per_page=3&page=2&sort=newest")
    assert (first["page"], first["per_page"], len(first["items"])) == (1, 3, 3)
    assert (second["page"], len(second["items"])) == (2, 2)
    assert not set(ids(first)) & set(ids(second))


def test_lang_parameter(client: FlaskClient) -> None:
    en = get(client, "/api/v1/opportunities?lang=en")
    assert {f["value"]: f["label"] for f in en["facets"]["cause"]}["sante"] == "Health"
    fr = get(client, "/api/v1/opportunities?lang=FR", headers={"Accept-Language": "en"})
    assert {f["value"]: f["label"] for f in fr["facets"]["cause"]}["sante"] == "Santé"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("lang=de", "lang"),
        ("near=Lyon&radius_km=abc", "radius_km"),
        ("near=Lyon&radius_km=5000", "radius_km"),
        ("near=Lyon&radius_km=nan", "radius_km"),
        ("near=" + "x" * 201, "near"),
        ("near=95.0,10.0", "near"),
        ("region=" + "b" * 201, "region"),
        ("region=---", "region"),
        ("cause=ENVIRONNEMENT,zzz", "cause"),
        ("remote=2", "remote"),
        ("date_to=tomorrow", "date_to"),
        ("date_to=2025-02-30", "date_to"),
        ("organization=%21%21%21", "organization"),
        ("organization=" + "o" * 201, "organization"),
        ("partner=" + "p" * 201, "partner"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("per_page=%2B5", "per_page"),
        ("per_page=1.5", "per_page"),
        ("sort=date", "sort"),
    ],
)
def test_more_bad_parameters(client: FlaskClient, query: str, parameter: str) -> None:
    for path in ("/api/v1/opportunities", "/api/v1/facets"):
        if path.endswith("facets") and parameter in ("page", "per_page", "sort"):
            continue  # facets ignore paging and order
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        error = response.get_json()["error"]
        assert error["parameter"] == parameter and error["message"]


# -- /api/v1/facets -----------------------------------------------------------------------------
def test_facets_without_filters(client: FlaskClient) -> None:
    body = get(client, "/api/v1/facets")
    assert list(body) == ["total", "lang", "place", "facets"]
    assert body["total"] == len(LIVE) and body["lang"] == "fr"
    assert counts(body, "region") == {"bretagne": 3, "auvergne-rhone-alpes": 1}
    assert counts(body, "cause")["environnement"] == 2


def test_facets_follow_every_filter(client: FlaskClient) -> None:
    body = get(client, "/api/v1/facets?q=plage")
    assert body["total"] == 1 and counts(body, "cause") == {"environnement": 1}
    body = get(client, "/api/v1/facets?cause=environnement")
    assert counts(body, "region") == {"bretagne": 2}
    assert counts(body, "cause")["education"] == 1  # multi-select: a facet ignores its own filter
    body = get(client, "/api/v1/facets?near=Lyon&radius_km=50")
    assert counts(body, "cause") == {"solidarite-insertion": 1, "sante": 1}
    assert get(client, "/api/v1/facets?remote=1")["total"] == 1
    assert get(client, f"/api/v1/facets?date_to={day(5)}")["total"] == 3
    assert get(client, "/api/v1/facets?partner=passerelles&organization=Passerelles")["total"] == 1
    # Paging and order mean nothing here and are ignored, even when invalid.
    assert get(client, "/api/v1/facets?page=0&per_page=x&sort=nope")["total"] == len(LIVE)


def test_facet_labels_in_the_requested_language(client: FlaskClient) -> None:
    en = get(client, "/api/v1/facets?lang=en")
    assert en["lang"] == "en"
    assert {f["value"]: f["label"] for f in en["facets"]["region"]}["bretagne"] == "Brittany"
    assert {f["value"]: f["label"] for f in en["facets"]["cause"]}["vivre-ensemble"] == "Living together"
    fr = get(client, "/api/v1/facets?lang=fr")
    assert {f["value"]: f["label"] for f in fr["facets"]["cause"]}["vivre-ensemble"] == "Vivre ensemble"
    assert get(client, "/api/v1/facets", headers={"Accept-Language": "en-GB"})["lang"] == "en"


# -- CORS ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/api/v1/opportunities", "/api/v1/facets", f"/api/v1/opportunities/{BEACH.id}"]
)
def test_cors_on_get_and_preflight(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://city.example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        path,
        headers={
            "Origin": "https://city.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    methods = {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "accept-language" in preflight.headers["Access-Control-Allow-Headers"].lower()
    assert int(preflight.headers["Access-Control-Max-Age"]) > 0


def test_no_cors_for_writes_and_the_site(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in client.post("/api/v1/opportunities").headers
    assert "Access-Control-Allow-Origin" not in client.get("/robots.txt").headers
    assert "Access-Control-Allow-Methods" not in client.options("/robots.txt").headers


def test_single_valued_parameters_given_twice_are_400(client: FlaskClient) -> None:
    for query, parameter in (("q=a&q=b", "q"), ("near=Lyon&near=Lyon", "near"), ("lang=fr&lang=en", "lang")):
        response = client.get(f"/api/v1/opportunities?{query}")
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == parameter
    assert client.get("/api/v1/opportunities?page=1&page=2").get_json()["error"]["parameter"] == "page"
    # Lists repeat freely, an empty repetition is no repetition, and facets ignore paging.
    assert get(client, "/api/v1/opportunities?cause=sante&cause=education&region=bretagne&region=corse")
    assert get(client, "/api/v1/opportunities?q=plage&q=")["total"] == 1
    assert get(client, "/api/v1/facets?page=1&page=2&sort=a&sort=b")["total"] == len(LIVE)


def test_dates_out_of_the_index_range_are_400(client: FlaskClient) -> None:
    for name, value in (("date_from", "0001-01-01"), ("date_to", "1969-12-31")):
        response = client.get(f"/api/v1/opportunities?{name}={value}")
        assert response.status_code == 400 and response.get_json()["error"]["parameter"] == name
    assert get(client, "/api/v1/opportunities?date_to=9999-12-31")["total"] == len(LIVE)
