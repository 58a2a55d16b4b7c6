"""What the search page says about how it understood the words typed (``partials/understood.html``)."""

from __future__ import annotations

from typing import Any

from flask import request

from indexer.base import SearchResult
from search_app import links
from search_app.params import ParsedSearch


def understood_context(parsed: ParsedSearch | None, result: SearchResult | None) -> dict[str, Any] | None:
    """Widened words with a link to the exact words only, an applied correction, or a suggestion."""
    if parsed is None or result is None or not parsed.query.text:
        return None
    keep = [(k, v) for k, v in request.args.items(multi=True) if k not in ("exact", "page", "lang", "q")]
    plan = result.plan
    return {
        "widened_with": list(plan.widened_with) if plan and not parsed.query.exact else [],
        "exact_url": links.search_url([("q", parsed.query.text), *keep, ("exact", "1")]),
        "exact": parsed.query.exact,
        "widen_url": links.search_url([("q", parsed.query.text), *keep]),
        "corrected": result.corrected,
        "corrected_from": result.corrected_from,
        "suggestion": result.suggestion,
        "suggestion_url": links.search_url([("q", result.suggestion), *keep]) if result.suggestion else None,
    }
