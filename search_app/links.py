"""Search-page URLs derived from the current one: facet toggles, pagination, language switch.

Links are built from the request's own parameters (so everything the visitor chose is
kept) with the facet lists rewritten in normalized form.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from flask import request, url_for
from werkzeug.datastructures import MultiDict

from search_app.params import ParsedSearch

Pairs = list[tuple[str, str]]


def _pairs(args: MultiDict[str, str], drop: Iterable[str] = ()) -> Pairs:
    dropped = set(drop)
    return [(k, v) for k, v in args.items(multi=True) if k not in dropped and v.strip()]


def search_url(pairs: Pairs) -> str:
    return with_query(url_for("public.search"), pairs)


def with_query(base: str, pairs: Pairs) -> str:
    """``base`` with ``pairs`` as its query string (none: ``base`` alone)."""
    return f"{base}?{urlencode(pairs)}" if pairs else base


def toggle_cause(parsed: ParsedSearch, code: str) -> str:
    """The current search with cause ``code`` added, or removed when already selected."""
    causes = list(parsed.query.causes)
    causes = [c for c in causes if c != code] if code in causes else [*causes, code]
    pairs = _pairs(request.args, drop=("cause", "page", "lang"))
    return search_url(pairs + [("cause", c) for c in causes])


def toggle_region(parsed: ParsedSearch, slug: str) -> str:
    """The current search with region ``slug`` added, or removed when already selected."""
    regions = list(parsed.query.regions)
    drop = ["region", "page", "lang"]
    typed = parsed.place.regions if parsed.place else ()  # from a place typed in "where" (or near)
    if slug in regions:
        regions.remove(slug)
        if slug in typed:
            drop += ["where", "near", "radius_km"]
    # A region typed in "where" stays in "where" rather than being duplicated as region=.
    regions = [r for r in regions if r not in typed]
    pairs = _pairs(request.args, drop=drop)
    return search_url(pairs + [("region", r) for r in regions])


def toggle_value(name: str, selected: Iterable[str], value: str) -> str:
    """The current search with ``value`` of the list parameter ``name`` added, or removed when selected."""
    chosen = list(selected)
    chosen = [v for v in chosen if v != value] if value in chosen else [*chosen, value]
    pairs = _pairs(request.args, drop=(name, "page", "lang"))
    return search_url(pairs + [(name, v) for v in chosen])


def with_value(name: str, value: str | None) -> str:
    """The current search with ``name=value`` (replacing it; None removes it), back to page 1."""
    pairs = _pairs(request.args, drop=(name, "page", "lang"))
    return search_url(pairs + ([(name, value)] if value is not None else []))


def without(*names: str) -> str:
    """The current search without the given parameters (and back to page 1)."""
    return search_url(_pairs(request.args, drop=(*names, "page", "lang")))


def page_url(page: int) -> str:
    pairs = _pairs(request.args, drop=("page", "lang"))
    return search_url(pairs + ([("page", str(page))] if page > 1 else []))


def language_url(lang: str) -> str:
    """The current page (same path and parameters) in ``lang``."""
    pairs = _pairs(request.args, drop=("lang",)) + [("lang", lang)]
    return f"{request.script_root}{request.path}?{urlencode(pairs)}"
