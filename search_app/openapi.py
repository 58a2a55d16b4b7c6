"""The OpenAPI 3.1 document of the JSON API, served at ``/api/v1/openapi.json``.

The query parameters come from the registry that also parses them (``search_app.filters``),
the rest from the same constants the code uses (``search_app.params``, the cause taxonomy and, for
All for Good's ``/api/volopps``, ``search_app.volopps_params`` and ``search_app.volopps_format``),
so limits, defaults and enums cannot drift from the behaviour.
tests/test_openapi.py validates the document and checks real answers against its schemas;
tests/test_openapi_schemathesis.py fuzzes the app with it.
"""

from __future__ import annotations

import copy
from typing import Any

from indexer.practical import FACET_VALUES as PRACTICAL_FACETS
from search_app import volopps_format, volopps_params
from search_app.filters import PARAMETERS, RECURRENCES, TIMES_OF_WEEK, SearchParameter
from search_app.params import LANGUAGES, MAX_PER_PAGE
from search_app.ratelimit import DEFAULT_LIMIT, DEFAULT_PERIOD
from volunteer_hub.core.taxonomy import CAUSES

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null (OpenAPI 3.1: a type list)."""
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    return out


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_DATE_TIME = {"type": "string", "format": "date-time"}

LOCATION = {
    "type": "object",
    "description": "One place an opportunity happens at; every field may be null.",
    "additionalProperties": False,
    "required": ["name", "street", "city", "postal_code", "region", "country", "lat", "lon"],
    "properties": {
        "name": _nullable({"type": "string"}),
        "street": _nullable({"type": "string"}),
        "city": _nullable({"type": "string"}),
        "postal_code": _nullable({"type": "string"}),
        "region": _nullable({"type": "string", "description": "Region name as published (e.g. 'Bretagne')."}),
        "country": _nullable({"type": "string", "description": "ISO 3166-1 alpha-2, upper case."}),
        "lat": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
        "lon": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
    },
}

SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["partner", "id", "url"],
    "properties": {
        "partner": {"type": "string", "description": "Id of the partner that published this copy."},
        "id": {"type": "string", "description": "The copy's own id (its page redirects here)."},
        "url": {"type": "string", "description": "That partner's page for the opportunity."},
    },
}

ORGANIZATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "url", "description", "logo", "ids"],
    "properties": {
        "name": {"type": "string"},
        "url": _nullable({"type": "string"}),
        "description": {"type": "string", "description": "Plain text, as the partner describes it."},
        "logo": _nullable({"type": "string", "description": "http(s) URL of the organization's logo."}),
        "ids": {
            "type": "object",
            "description": "Official identifiers by scheme: rna, siren, siret (France), ein, guidestar (US).",
            "additionalProperties": {"type": "string"},
        },
    },
}

COMPENSATION = {
    "type": "object",
    "description": "Money paid to the volunteer. Paid missions are not listed, so null in practice.",
    "additionalProperties": False,
    "required": ["amount", "unit", "kind"],
    "properties": {
        "amount": _nullable({"type": "number"}),
        "unit": _nullable({"type": "string", "enum": ["hour", "day", "month", "year", None]}),
        "kind": _nullable({"type": "string", "enum": ["gross", "net", None]}),
    },
}

_UNKNOWN = " Null when the partner does not say."

_OPPORTUNITY_PROPERTIES: dict[str, Any] = {
    "id": {"type": "string", "description": "Stable id: '<partner>-<hash>'."},
    "partner": {"type": "string", "description": "Id of the partner feed the record came from."},
    "source_id": {"type": "string", "description": "The partner's own id for the opportunity."},
    "url": {"type": "string", "description": "The partner's page for the opportunity (sign-up)."},
    "title": {"type": "string"},
    "description": {"type": "string", "description": "Sanitized HTML (safe subset)."},
    "summary": {"type": "string", "description": "Plain text, at most about 300 characters."},
    "organization": _ref("Organization"),
    "causes": {"type": "array", "items": {"type": "string", "enum": list(CAUSES)}},
    "locations": {"type": "array", "items": _ref("Location")},
    "remote": {"type": "boolean"},
    "start": _nullable(_DATE_TIME),
    "end": _nullable(_DATE_TIME),
    "open_ended": {"type": "boolean"},
    "posted": _nullable(_DATE_TIME),
    "updated": _nullable(_DATE_TIME),
    "expires": _nullable(_DATE_TIME),
    "language": {"type": "string"},
    "skills": {"type": "array", "items": {"type": "string"}},
    "min_age": _nullable({"type": "integer", "minimum": 0}),
    "commitment_hours_per_week": _nullable({"type": "number", "minimum": 0}),
    "schedule": {"type": "string"},
    "open_to_minors": _nullable(
        {"type": "boolean", "description": "Volunteers under 18 welcome." + _UNKNOWN}
    ),
    "accessible": _nullable({"type": "boolean", "description": "Reduced-mobility access." + _UNKNOWN}),
    "close_to_transport": _nullable({"type": "boolean", "description": "Near public transport." + _UNKNOWN}),
    # The practical facts: the filters of the same names (issue 13, docs/quality.md).
    "recurrence": _nullable({"type": "string", "enum": [*RECURRENCES, None]}),
    "time_of_week": {"type": "array", "items": {"type": "string", "enum": list(TIMES_OF_WEEK)}},
    "skills_based": _nullable({"type": "boolean", "description": "Asks for professional skills." + _UNKNOWN}),
    "groups": _nullable({"type": "boolean", "description": "Suitable for a group." + _UNKNOWN}),
    "family_friendly": _nullable({"type": "boolean", "description": "Suitable for families." + _UNKNOWN}),
    "requirements": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Prerequisites, as listed.",
    },
    "compensation": {"anyOf": [_ref("Compensation"), {"type": "null"}]},
    "image": _nullable({"type": "string", "description": "http(s) URL of the listing's picture."}),
    "first_seen": _nullable(_DATE_TIME),
    "last_seen": _nullable(_DATE_TIME),
    "last_verified": _nullable(_DATE_TIME),  # the link checker last found its page answering
    "content_hash": {"type": "string"},
    "other_sources": {
        "type": "array",
        "description": (
            "The same opportunity as published by other partners (same organization, place and "
            "day, near-identical title); search lists it once, under this record."
        ),
        "items": _ref("Source"),
    },
}

_PICTURE_SIZE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "width", "height"],
    "properties": {
        "url": {"type": "string", "format": "uri", "description": "Absolute, on this site (/img/...)."},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
    },
}
PICTURE = _nullable(
    {
        "type": "object",
        "description": "Our own resized copy of the listing's picture (else of its organization's logo), "
        "fetched and checked by the site; null when none is kept. Show this, not `image`.",
        "additionalProperties": False,
        "required": ["kind", "card"],
        "properties": {
            "kind": {"type": "string", "enum": ["image", "logo"]},
            "card": _PICTURE_SIZE,
            "detail": _PICTURE_SIZE,
        },
    }
)

OPPORTUNITY = {
    "type": "object",
    "description": "A normalized volunteer opportunity (docs/opportunity.md).",
    "additionalProperties": False,
    "required": list(_OPPORTUNITY_PROPERTIES),
    "properties": {**_OPPORTUNITY_PROPERTIES, "picture": PICTURE},
}

SEARCH_HIT = {
    "type": "object",
    "description": "An opportunity in search results: the record plus our page for it, and the "
    "distance to the searched place when the search had `near`.",
    "additionalProperties": False,
    "required": [*_OPPORTUNITY_PROPERTIES, "detail_url"],
    "properties": {
        **_OPPORTUNITY_PROPERTIES,
        "detail_url": {
            "type": "string",
            "format": "uri",
            "description": "Our page for the opportunity, absolute: <site>/o/<id> (the configured public URL"
            " when there is one, else the host the request was made to).",
        },
        "picture": PICTURE,
        "distance_km": _nullable(
            {"type": "number", "minimum": 0, "description": "Only present when the search had `near`."}
        ),
    },
}

FACET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "label", "count"],
    "properties": {
        "value": {"type": "string", "description": "The filter value: a cause, a region, true..."},
        "label": {"type": "string", "description": "Human label in the requested language."},
        "count": {"type": "integer", "minimum": 1},
    },
}

FACETS = {
    "type": "object",
    "description": "Multi-select facets: each counts every filter but its own. The practical facets "
    "(minors ... family) list only values with a count: `true` for a yes/no filter.",
    "additionalProperties": False,
    "required": ["cause", "region", *PRACTICAL_FACETS],
    "properties": {
        "cause": {"type": "array", "items": _ref("Facet")},
        "region": {"type": "array", "items": _ref("Facet")},
        **{name: {"type": "array", "items": _ref("Facet")} for name in PRACTICAL_FACETS},
    },
}

PLACE = _nullable(
    {
        "type": "object",
        "description": "How `near` was understood; null without `near`. A region is searched whole (its slugs"
        " join `region`); a département is its communes' circle within its region; anything else is a point"
        " searched around within `radius_km`.",
        "additionalProperties": False,
        "required": [
            "query",
            "known",
            "kind",
            "name",
            "label",
            "country",
            "regions",
            "lat",
            "lon",
            "radius_km",
        ],  # noqa: E501
        "properties": {
            "query": {"type": "string", "description": "`near` as given."},
            "known": {"const": True, "description": "Always true: an unknown place is a 400."},
            "kind": {"type": "string", "enum": ["region", "department", "city", "postal_code", "point"]},
            "name": {"type": "string", "description": "Its name ('Bretagne', 'Finistère', 'London')."},
            "label": {
                "type": "string",
                "description": "How the site names it ('London, GB', 'Rennes (35000)').",
            },
            "country": _nullable({"type": "string", "description": "ISO 3166-1 alpha-2."}),
            "regions": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Region slugs it filters on (a region's, a département's).",
            },
            "lat": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
            "lon": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
            "radius_km": _nullable({"type": "number", "exclusiveMinimum": 0}),
        },
    }
)

SEARCH_RESPONSE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["total", "page", "per_page", "place", "items", "facets"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "place": _ref("Place"),
        "items": {"type": "array", "items": _ref("SearchHit"), "maxItems": MAX_PER_PAGE},
        "facets": _ref("Facets"),
    },
}

FACETS_RESPONSE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["total", "lang", "place", "facets"],
    "properties": {
        "total": {"type": "integer", "minimum": 0, "description": "Opportunities matching every filter."},
        "lang": {"type": "string", "enum": list(LANGUAGES)},
        "place": _ref("Place"),
        "facets": _ref("Facets"),
    },
}

ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "additionalProperties": False,
            "required": ["message"],
            "properties": {
                "parameter": {"type": "string", "description": "The offending query parameter (400 only)."},
                "message": {"type": "string"},
                "suggestion": {
                    "type": "string",
                    "description": "A value that would work: a close spelling of an unknown place ('Lyon').",
                },
            },
        }
    },
}

VOLOPP = volopps_format.ITEM_SCHEMA
VOLOPPS_RESPONSE = volopps_format.response_schema(_ref("VolOpp"), volopps_params.MAX_NUM)


def _param(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "allowEmptyValue": True,  # empty values count as absent (HTML forms send every field)
        "schema": schema,
        "description": description,
        **extra,
    }


def _query_parameter(parameter: SearchParameter) -> dict[str, Any]:
    assert parameter.schema is not None
    extra = {"style": "form", "explode": True, "allowEmptyValue": False} if parameter.repeatable else {}
    return _param(parameter.name, parameter.schema, parameter.description, **extra)


# Generated from the registry (search_app.filters), in its order.
_FILTERS = [_query_parameter(p) for p in PARAMETERS if p.api and p.facets]
_PAGING = [_query_parameter(p) for p in PARAMETERS if p.api and not p.facets]

# All for Good's parameters (search_app.volopps_params declares them, lenient as it reads them).
_VOLOPPS_PARAMETERS = [
    _param(
        name,
        *volopps_params.PARAMETER_DOCS[name],
        **({"style": "form", "explode": True} if name == "category" else {}),
    )
    for name in volopps_params.PARAMETERS
]


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


RESPONSES = {
    "BadRequest": _json("Error", "A query parameter is invalid; `error.parameter` names it."),
    "NotFound": _json("Error", "No such live opportunity (unknown, expired or removed)."),
    "TooManyRequests": {
        **_json("Error", "The client went over its rate limit."),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before the next request.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
    },
    "Unavailable": {
        **_json("Error", "The search engine is unavailable; retry later."),
        "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    },
}

_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {"description": "Requests allowed per period.", "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "Requests left right now.", "schema": {"type": "integer"}},
}


def _ok(schema: str, description: str) -> dict[str, Any]:
    return {**_json(schema, description), "headers": _RATE_LIMIT_HEADERS}


def _errors(*codes: str) -> dict[str, Any]:
    names = {"400": "BadRequest", "404": "NotFound", "429": "TooManyRequests", "503": "Unavailable"}
    return {code: {"$ref": f"#/components/responses/{names[code]}"} for code in codes}


def build_document(server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI document; ``server_url`` is where the app is mounted (its script root)."""
    search_parameters = [*_FILTERS, *_PAGING]
    document = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "volunteer-hub API",
            "version": API_VERSION,
            "description": (
                "Read-only search of volunteer opportunities aggregated from partner organizations, "
                "in French or English. Open to any origin (CORS). Every invalid query parameter is a "
                "400 whose `error.parameter` names it. Each client IP may send "
                f"{DEFAULT_LIMIT} requests every {DEFAULT_PERIOD:g} seconds by default (token bucket); "
                "beyond, a 429 with `Retry-After`. Empty parameters count as absent; unknown "
                "parameters are ignored; a parameter that is not a list may be given only once."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": server_url or "/"}],
        "paths": {
            "/api/v1/opportunities": {
                "get": {
                    "operationId": "searchOpportunities",
                    "summary": "Search live opportunities",
                    "parameters": search_parameters,
                    "responses": {
                        "200": _ok("SearchResponse", "A page of results with the facets."),
                        **_errors("400", "429", "503"),
                    },
                }
            },
            "/api/v1/opportunities/{id}": {
                "get": {
                    "operationId": "getOpportunity",
                    "summary": "One live opportunity",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "The opportunity's id, as in search results.",
                        }
                    ],
                    "responses": {
                        "200": _ok("Opportunity", "The opportunity."),
                        "301": {
                            "description": (
                                "The id is another partner's copy of a listed opportunity: "
                                "`Location` is the listed one (which names this copy in `other_sources`)."
                            ),
                            "headers": {"Location": {"schema": {"type": "string"}}},
                        },
                        **_errors("404", "429", "503"),
                    },
                }
            },
            "/api/v1/facets": {
                "get": {
                    "operationId": "facets",
                    "summary": "Cause and region counts for any combination of filters",
                    "description": "Every filter of the search; `sort`, `page` and `per_page` are ignored.",
                    "parameters": list(_FILTERS),
                    "responses": {
                        "200": _ok("FacetsResponse", "The counts, labels in the requested language."),
                        **_errors("400", "429", "503"),
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        },
                        **_errors("429"),
                    },
                }
            },
            "/api/volopps": {
                "get": {
                    "operationId": "volopps",
                    "summary": "All for Good compatible search",
                    "description": "The parameters and answer shapes of the All for Good `volopps` API.",
                    "parameters": _VOLOPPS_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "AFG JSON, or RSS 2.0 with `fp:` elements when `output=rss`.",
                            "headers": _RATE_LIMIT_HEADERS,
                            "content": {
                                "application/json": {"schema": _ref("VolOppsResponse")},
                                "application/rss+xml": {"schema": {"type": "string"}},
                            },
                        },
                        **_errors("429", "503"),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Opportunity": OPPORTUNITY,
                "Location": LOCATION,
                "Organization": ORGANIZATION,
                "Compensation": COMPENSATION,
                "Source": SOURCE,
                "SearchHit": SEARCH_HIT,
                "Place": PLACE,
                "Facet": FACET,
                "Facets": FACETS,
                "SearchResponse": SEARCH_RESPONSE,
                "FacetsResponse": FACETS_RESPONSE,
                "Error": ERROR,
                "VolOpp": VOLOPP,
                "VolOppsResponse": VOLOPPS_RESPONSE,
            },
            "responses": RESPONSES,
        },
    }
    return copy.deepcopy(document)  # callers may change it without touching the module's schemas
