"""Every GET route of the app, every parameter it may read, hostile values: never a 500.

The routes come from ``app.url_map`` (a new page is fuzzed without touching this file); the
parameters are the search registry's (``search_app.filters.PARAMETERS``) plus the ones pages read
on their own. Any 2xx, 3xx or 4xx is fine: a visitor gets an answer, never "Something went wrong".
The API is also covered by Schemathesis over its OpenAPI document (test_openapi_schemathesis.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from search_app.filters import BY_NAME
from search_app.volopps_params import PARAMETERS as VOLOPPS_PARAMETERS
from tests.site_samples import BEACH

# Parameters read outside the registry (pages, the widget, the console, the AFG API).
OWN_PARAMETERS = (
    "q", "page", "per_page", "limit", "when", "near", "radius_km", "sort", "lang", "next", "format",
    "cause", "region", "reported", "where",
)  # fmt: skip
PARAMETERS = tuple(dict.fromkeys([*BY_NAME, *OWN_PARAMETERS, *VOLOPPS_PARAMETERS]))

# Raw (already percent-encoded) query-string values: what a hostile client can put on the wire.
HOSTILE = (
    "",
    "9" * 40,  # a huge number
    "5" * 5000,  # beyond int()'s digit limit
    quote("²"),  # unicode digits: str.isdigit() says yes, int() says no
    "%00",  # NUL
    "%01%1f%7f",  # control characters
    "a%0D%0ASet-Cookie:%20x=1",  # CRLF
    "x" * 10_240,  # 10 KB
    "..%2F..%2Fetc%2Fpasswd",
    "%2500",  # a literal "%00"
    "%2C",  # ","
    "%FF%FE",  # not UTF-8
)

# Values for the path's own variables (a live opportunity, a real organization...).
PATH_VALUES = {
    "opportunity_id": BEACH.id,
    "slug": "les-amis-du-littoral",
    "fmt": "rss",
    "token": "not-a-token",
    "partner_id": "amis-littoral",
    "run_id": 1,
    "posting_id": "1",
    "filename": "site.css",
    "name": "0123456789abcdef0123-160.webp",  # a partner picture (search_app.pictures), not cached
}


def get_routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in ("static", "admin_assets.static"):
            continue
        if rule.endpoint == "public.feed":
            for fmt in ("rss", "atom"):
                yield rule, rule.build({**PATH_VALUES, "fmt": fmt}, append_unknown=False)[1]
            continue
        yield rule, rule.build(PATH_VALUES, append_unknown=False)[1]


def parameters_read(app: Flask, path: str) -> set[str]:
    """The names the route at ``path`` reads by name from any ``MultiDict`` (its query string, or a
    copy the view made of it), found by asking it once with every read recorded."""
    read: set[str] = set()
    originals = {name: getattr(MultiDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    def recording(name: str) -> Callable[..., Any]:
        def method(self: MultiDict[str, str], key: str, *args: Any, **kwargs: Any) -> Any:
            read.add(str(key))
            return originals[name](self, key, *args, **kwargs)

        return method

    try:
        for name in originals:
            setattr(MultiDict, name, recording(name))
        app.test_client().get(path)
    finally:
        for name, method in originals.items():
            setattr(MultiDict, name, method)
    return read


def queries(names: Iterable[str]) -> Iterator[str]:
    """Every parameter alone with every hostile value, then repeated with clashing values; and
    every hostile value in all parameters at once (for views that pass the whole query on)."""
    for name in names:
        for value in HOSTILE:
            yield f"{name}={value}"
        yield f"{name}=1&{name}=%C2%B2&{name}=&{name}=x"
    for value in HOSTILE:
        yield "&".join(f"{name}={value}" for name in PARAMETERS)
    yield "=x&&=&%00=%00"  # nameless pairs


def test_no_route_answers_500_to_hostile_parameters(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, recorded below
    client: FlaskClient = app.test_client()
    routes = list(get_routes(app))
    assert any(rule.endpoint == "public.search" for rule, _ in routes)
    assert any(rule.endpoint.startswith("admin.") for rule, _ in routes)
    failures: list[str] = []
    count = 0
    for _rule, path in routes:
        names = sorted((parameters_read(app, path) | {"lang", "next"}) - {app.config["SESSION_COOKIE_NAME"]})
        for query in queries(names):
            response = client.get(f"{path}?{query}")
            count += 1
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{response.status_code} GET {path}?{query[:80]}")
    assert count < 5_000
    assert not failures, f"{len(failures)} of {count} requests failed:\n" + "\n".join(failures[:40])


def test_the_probe_finds_what_a_search_reads(app: Flask) -> None:
    read = parameters_read(app, "/widget")
    assert {"limit", "q", "cause", "when", "near", "per_page"} <= read
    assert "limit" not in parameters_read(app, "/")


@pytest.mark.parametrize("path", ["/", "/widget", "/feeds/search.rss", "/api/v1/opportunities"])
def test_fuzzer_sees_a_crash(app: Flask, path: str) -> None:
    """The fuzzer's oracle works: a view that raises is counted as a 500, not as an answer."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.before_request
    def explode() -> None:
        raise RuntimeError("boom")

    assert app.test_client().get(f"{path}?q=x").status_code == 500
