"""The OpenAPI document at /api/v1/openapi.json: valid, complete, and true to the behaviour.

Validity is checked with openapi-spec-validator; then every operation is called with each
value of every enum (and with a valid and an invalid value of every other parameter), and
each answer is checked against the schema the document gives for its status and media type
(jsonschema, draft 2020-12, formats checked). Schemathesis fuzzing is in
tests/test_openapi_schemathesis.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import TestResponse

from search_app import ratelimit
from search_app.filters import PARAMETERS
from search_app.openapi import build_document
from search_app.params import DATE_ZONE
from tests.site_samples import BEACH, NOW

DOCUMENT = build_document()

# Values that make each non-enum parameter valid; parameters needing a companion get it.
VALID = {
    "q": "plage",
    "country": "FR",
    "near": "Rennes",
    "radius_km": "50",
    "region": "bretagne",
    "remote": "true",
    "date_from": (NOW + timedelta(days=1)).astimezone(DATE_ZONE).date().isoformat(),
    "date_to": (NOW + timedelta(days=60)).astimezone(DATE_ZONE).date().isoformat(),
    "organization": "Les Amis du Littoral",
    "partner": "amis-littoral",
    "page": "2",
    "per_page": "2",
    "vol_loc": "35000",
    "vol_dist": "40",
    "num": "3",
    "start": "2",
    "category": "Environment",
    "key": "any-key",
}
COMPANIONS = {"nearest": {"near": "Rennes"}, "distance": {"vol_loc": "Rennes"}}
INVALID = {
    "q": "x" * 201,
    "country": "Narnia",
    "near": "Nowhere-Imaginary-Zz",
    "radius_km": "0",
    "region": "!!!",
    "cause": "nope",
    "remote": "perhaps",
    "date_from": "2025-02-30",
    "date_to": "31/12/2025",
    "organization": "???",
    "partner": "p" * 201,
    "sort": "cheapest",
    "page": "0",
    "per_page": "101",
    "lang": "de",
    "vol_loc": "Nowhere-Imaginary-Zz",
    "vol_dist": "-1",
    "num": "0",
    "start": "0",
    "output": "html",
    "timeperiod": "next_year",
    "category": "Zzqx",
}


def _operations() -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["get"]) for path, item in DOCUMENT["paths"].items()]


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def check_response(path: str, response: TestResponse) -> None:
    """The response's status, media type, headers and body are as the document says."""
    operation = DOCUMENT["paths"][path]["get"]
    status = str(response.status_code)
    assert status in operation["responses"], f"{path}: undocumented status {status}"
    spec = _resolve(operation["responses"][status])
    assert response.mimetype in spec["content"], f"{path}: undocumented media type {response.mimetype}"
    for header, header_spec in spec.get("headers", {}).items():
        if header == "Retry-After" or header in response.headers:
            assert header in response.headers, header
            Draft202012Validator(header_spec["schema"]).validate(int(response.headers[header]))
    schema = spec["content"][response.mimetype]["schema"]
    if response.mimetype == "application/json":
        root = {"components": DOCUMENT["components"], **schema}
        validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(response.get_json()), key=str)
        assert not errors, f"{path}: {errors[0]}"


def _url(path: str) -> str:
    return path.replace("{id}", BEACH.id)


def test_document_is_valid_openapi() -> None:
    validate_spec(DOCUMENT)
    assert DOCUMENT["openapi"].startswith("3.1")
    schemas = DOCUMENT["components"]["schemas"]
    for name in ("Opportunity", "Location", "Organization", "Facet", "SearchResponse", "Error"):
        assert name in schemas
        Draft202012Validator.check_schema(schemas[name])


def test_served_document_is_the_built_one(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json() == DOCUMENT
    validate_spec(response.get_json())


def test_every_parameter_of_the_issue_is_documented() -> None:
    def names(path: str) -> set[str]:
        return {p["name"] for p in DOCUMENT["paths"][path]["get"]["parameters"]}

    issue = {"q", "near", "radius_km", "region", "cause", "remote", "date_from", "date_to", "organization",
             "partner", "lang"}  # fmt: skip
    paging = {"sort", "page", "per_page"}
    declared = {p.name for p in PARAMETERS if p.api}  # the registry: every API parameter of a search
    assert issue | paging <= declared
    assert names("/api/v1/opportunities") == declared
    assert names("/api/v1/facets") == declared - paging
    assert names("/api/volopps") == {
        "q", "vol_loc", "vol_dist", "num", "start", "output", "timeperiod", "category", "sort", "key",
        "type", "vol_startdate", "vol_enddate", "vol_provider", "provider",
    }  # fmt: skip
    for path, operation in _operations():
        for parameter in operation.get("parameters", []):
            assert parameter["description"] and parameter["schema"], (path, parameter["name"])
        documented = {code for code in operation["responses"]}
        assert "429" in documented and "200" in documented, path


def test_documented_defaults_are_the_behaviour(client: FlaskClient) -> None:
    params = {p["name"]: p["schema"] for p in DOCUMENT["paths"]["/api/v1/opportunities"]["get"]["parameters"]}
    body = client.get("/api/v1/opportunities").get_json()
    assert (body["page"], body["per_page"]) == (params["page"]["default"], params["per_page"]["default"])

    def total(url: str) -> int:
        return client.get(url).get_json()["total"]

    radius = params["radius_km"]["default"]
    assert total("/api/v1/opportunities?near=Saint-Malo") == total(
        f"/api/v1/opportunities?near=Saint-Malo&radius_km={radius}"
    )
    assert total("/api/v1/opportunities?near=Saint-Malo") != total(
        f"/api/v1/opportunities?near=Saint-Malo&radius_km={radius * 4}"
    )

    def status(url: str) -> int:
        return client.get(url).status_code

    top = params["per_page"]["maximum"]
    assert (
        status(f"/api/v1/opportunities?per_page={top}"),
        status(f"/api/v1/opportunities?per_page={top + 1}"),
    ) == (
        200,
        400,
    )
    far = params["radius_km"]["maximum"]
    assert (
        status(f"/api/v1/facets?near=Lyon&radius_km={far}"),
        status(f"/api/v1/facets?near=Lyon&radius_km={far + 1}"),
    ) == (
        200,
        400,
    )
    # /api/volopps clamps what /api/v1 refuses (All for Good did): never a 400.
    for url in ("/api/volopps?num=101", "/api/volopps?vol_loc=Lyon&vol_dist=622", "/api/volopps?start=99999"):
        assert status(url) == 200, url


def _enum_values(schema: dict[str, Any]) -> list[str]:
    schema = schema.get("items", schema)
    values = list(schema.get("enum", []))
    for option in schema.get("anyOf", []):
        values += option.get("enum", [])
    if schema.get("type") == "boolean":
        values = ["true", "false"]
    return [str(v) for v in values]


CASES = [
    (path, parameter["name"], value)
    for path, operation in _operations()
    for parameter in operation.get("parameters", [])
    for value in (_enum_values(parameter["schema"]) or [VALID.get(parameter["name"], "x")])
    if parameter["in"] == "query"
]


@pytest.mark.parametrize(("path", "name", "value"), CASES, ids=[f"{p}:{n}={v}" for p, n, v in CASES])
def test_each_value_of_each_parameter_is_answered_as_documented(
    client: FlaskClient, path: str, name: str, value: str
) -> None:
    query = {name: value, **COMPANIONS.get(value, {})}
    response = client.get(_url(path), query_string=query)
    assert response.status_code == 200, (path, query, response.get_data(as_text=True)[:300])
    check_response(path, response)


# A parameter with an enum and no invalid value above (a filter added since): any other word.
INVALID.update(
    (p.name, "zz-not-a-value")
    for p in PARAMETERS
    if p.schema is not None and p.schema.get("enum") and p.name not in INVALID
)
INVALID_CASES = [
    (path, parameter["name"])
    for path, operation in _operations()
    for parameter in operation.get("parameters", [])
    if parameter["name"] in INVALID and parameter["name"] != "key" and path != "/api/volopps"
]
LENIENT = "/api/volopps"  # All for Good never refused a value; neither does its compatible endpoint
LENIENT_CASES = [p["name"] for p in DOCUMENT["paths"][LENIENT]["get"]["parameters"] if p["name"] in INVALID]


@pytest.mark.parametrize(("path", "name"), INVALID_CASES, ids=[f"{p}:{n}" for p, n in INVALID_CASES])
def test_each_invalid_parameter_is_a_documented_400(client: FlaskClient, path: str, name: str) -> None:
    response = client.get(_url(path), query_string={name: INVALID[name]})
    assert response.status_code == 400, (path, name)
    check_response(path, response)
    assert response.get_json()["error"]["parameter"] == name


@pytest.mark.parametrize("name", LENIENT_CASES)
def test_invalid_values_are_ignored_by_the_compatible_endpoint(client: FlaskClient, name: str) -> None:
    response = client.get(LENIENT, query_string={name: INVALID[name]})
    assert response.status_code == 200, name
    check_response(LENIENT, response)


def test_404_and_503_are_documented(client: FlaskClient) -> None:
    response = client.get("/api/v1/opportunities/nope-0000")
    assert response.status_code == 404
    check_response("/api/v1/opportunities/{id}", response)
    check_response("/api/v1/opportunities/{id}", client.get(_url("/api/v1/opportunities/{id}")))


def test_search_with_distance_and_rss_match_the_document(client: FlaskClient) -> None:
    response = client.get("/api/v1/opportunities?near=Rennes&radius_km=100&sort=nearest")
    assert response.get_json()["items"][0]["distance_km"] is not None
    check_response("/api/v1/opportunities", response)
    response = client.get("/api/volopps?output=rss")
    assert response.mimetype == "application/rss+xml"
    check_response("/api/volopps", response)


def test_429_is_documented(app: Flask) -> None:
    app.extensions[ratelimit.EXTENSION] = ratelimit.RateLimiter(1, 60)
    client = app.test_client()
    for path, _ in _operations():
        client.get(_url(path))
        response = client.get(_url(path))
        assert response.status_code == 429
        check_response(path, response)
