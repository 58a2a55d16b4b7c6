"""Query-string parameters -> ``SearchQuery``, shared by the site and the JSON API.

Every invalid value raises ``ParameterError`` naming the parameter, so the API can answer a
precise 400 and the site can point at the offending form field. Empty values count as
absent: HTML forms submit every field, filled or not.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from indexer.base import SORTS, SearchQuery
from volunteer_hub.core.gazetteer import parse_place_query
from volunteer_hub.core.regions import find_region
from volunteer_hub.core.taxonomy import CAUSES
from volunteer_hub.core.textfold import slugify

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 1000.0
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_TEXT_LENGTH = 200
# Elasticsearch refuses from + size beyond index.max_result_window (10,000 by default);
# both backends get the same limit so they answer the same pages.
MAX_RESULT_WINDOW = 10_000
REPEATABLE = frozenset({"cause", "region"})  # list parameters: repeated or comma-separated
LANGUAGES = ("fr", "en")  # languages of labels (facets); the site's i18n knows the same two
# Parameters of a search that mean nothing for facet counts alone (GET /api/v1/facets ignores them).
FACET_IGNORED = frozenset({"sort", "page", "per_page"})

# Days the index can compare (its far past is 1970; year 1 would underflow once made UTC).
MIN_DATE = date(1970, 1, 1)
MAX_DATE = date(9999, 12, 31)
DATE_ZONE = ZoneInfo("Europe/Paris")  # date_from/date_to name days as the site's visitors live them

_TRUE = {"1", "true", "yes", "on"}  # "on": an HTML checkbox without a value attribute
_FALSE = {"0", "false", "no", "off"}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DIGITS = re.compile(r"^[0-9]{1,9}$")  # int() alone would also take "+5", "1_0" and "٥"


class Args(Protocol):
    """The read side of a werkzeug ``MultiDict`` (``request.args``)."""

    def get(self, key: str, default: str | None = None) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class ParameterError(ValueError):
    """An invalid query parameter; ``parameter`` names it, ``message`` says why (in English)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass
class ParsedSearch:
    query: SearchQuery
    place_label: str | None = None  # human label of the place searched around, if any
    where_region: str | None = None  # region slug when the site's "where" field named a region


def parse_search(
    args: Args,
    *,
    lang: str = "fr",
    for_site: bool = False,
) -> ParsedSearch:
    """Build the ``SearchQuery`` the query-string ``args`` describe.

    ``for_site`` enables the site's free "where" field (a region name becomes a region
    filter, anything else - city, postal code, "lat,lon" - a ``near`` search) and forgives
    ``sort=nearest`` without a place, which a form can send once its place was cleared.
    Dates are days in France's time zone (``Europe/Paris``).
    """
    query = SearchQuery(lang=lang)
    parsed = ParsedSearch(query)

    query.text = param_text(args, "q")
    query.causes = _causes(args)
    query.regions = _regions(args)
    query.remote = _boolean(args, "remote")

    near = param_value(args, "near")
    radius = _radius(args)
    if near:
        query.near, parsed.place_label = _place(near, "near")
        query.radius_km = radius
    where = param_value(args, "where") if for_site else ""
    if where:
        region = find_region(where)
        if region:
            parsed.where_region = region.slug
            if region.slug not in query.regions:
                query.regions.append(region.slug)
        elif not near:
            query.near, parsed.place_label = _place(where, "where")
            query.radius_km = radius

    query.date_from = _date(args, "date_from")
    query.date_to = _date(args, "date_to", end_of_day=True)
    if query.date_from and query.date_to and query.date_to < query.date_from:
        raise ParameterError("date_to", "must not be before date_from")

    organization = param_text(args, "organization")
    if organization:
        query.organization = slugify(organization)
        if not query.organization:
            raise ParameterError("organization", "must contain letters or digits")
    query.partner = param_text(args, "partner") or None

    query.sort = _sort(args, has_place=query.near is not None, forgiving=for_site)
    query.page = param_integer(args, "page", default=1, low=1)
    query.per_page = param_integer(args, "per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
    if query.offset + query.per_page > MAX_RESULT_WINDOW:
        raise ParameterError("page", f"too deep: only the first {MAX_RESULT_WINDOW} results can be paged")
    return parsed


def query_from_args(
    args: Args | Iterable[tuple[str, str]] | Mapping[str, str], *, lang: str = "fr"
) -> SearchQuery:
    """The ``SearchQuery`` for API-style parameters (pairs, mapping or ``MultiDict``): for the CLI."""
    if not hasattr(args, "getlist"):
        args = MultiDict(args)
    return parse_search(args, lang=lang).query


def parse_language(args: Args) -> str | None:
    """The explicit ``lang`` parameter ("fr" or "en"), None when absent; anything else is a 400."""
    value = param_value(args, "lang").lower()
    if not value:
        return None
    if value not in LANGUAGES:
        raise ParameterError("lang", f"expected one of: {', '.join(LANGUAGES)}")
    return value


def reject_repeated(args: Args, allowed: Iterable[str] = REPEATABLE) -> None:
    """API strictness: a single-valued parameter given twice (with values) is a 400 naming it."""
    seen: set[str] = set()
    for name in getattr(args, "keys", lambda: [])():
        if name in seen or name in allowed:
            continue
        seen.add(name)
        if len([v for v in args.getlist(name) if v.strip()]) > 1:
            raise ParameterError(name, "given more than once")


def max_page(per_page: int) -> int:
    """The last page number a query with ``per_page`` may ask for."""
    return max(1, MAX_RESULT_WINDOW // per_page)


# -- single parameters ----------------------------------------------------------------------
def param_value(args: Args, name: str) -> str:
    return (args.get(name) or "").strip()


def param_text(args: Args, name: str) -> str:
    value = param_value(args, name)
    if len(value) > MAX_TEXT_LENGTH:
        raise ParameterError(name, f"too long (at most {MAX_TEXT_LENGTH} characters)")
    return value


def _values(args: Args, name: str) -> list[str]:
    """A repeatable parameter; each occurrence may also hold a comma-separated list."""
    out: list[str] = []
    for raw in args.getlist(name):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    return out


def _causes(args: Args) -> list[str]:
    causes: list[str] = []
    for raw in _values(args, "cause"):
        code = raw.lower()
        if code not in CAUSES:
            raise ParameterError("cause", f"unknown cause {raw!r}; known causes: {', '.join(sorted(CAUSES))}")
        if code not in causes:
            causes.append(code)
    return causes


def _regions(args: Args) -> list[str]:
    regions: list[str] = []
    for raw in args.getlist("region"):
        raw = raw.strip()
        if not raw:
            continue
        if len(raw) > MAX_TEXT_LENGTH:
            raise ParameterError("region", f"too long (at most {MAX_TEXT_LENGTH} characters)")
        region = find_region(raw)
        slug = region.slug if region else slugify(raw)
        if not slug:
            raise ParameterError("region", f"not a region name or slug: {raw!r}")
        if slug not in regions:
            regions.append(slug)
    return regions


def _boolean(args: Args, name: str) -> bool | None:
    value = param_value(args, name).lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParameterError(name, "expected 1/true/yes or 0/false/no")


def _place(text: str, name: str) -> tuple[tuple[float, float], str]:
    if len(text) > MAX_TEXT_LENGTH:
        raise ParameterError(name, f"too long (at most {MAX_TEXT_LENGTH} characters)")
    place = parse_place_query(text)
    if place is None:
        raise ParameterError(name, f"unknown place {text!r}; give 'lat,lon', a postal code or a city name")
    lat, lon, label = place
    return (lat, lon), label


def _radius(args: Args) -> float:
    return positive_number(
        args,
        "radius_km",
        default=DEFAULT_RADIUS_KM,
        maximum=MAX_RADIUS_KM,
        unit="kilometres",
        limit=f"{MAX_RADIUS_KM:g}",
    )


def positive_number(args: Args, name: str, *, default: float, maximum: float, unit: str, limit: str) -> float:
    """A finite number in (0, ``maximum``] from ``args[name]``; ``default`` when absent."""
    value = param_value(args, name)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ParameterError(name, f"expected a number of {unit}") from None
    if not math.isfinite(number) or not 0 < number <= maximum:
        raise ParameterError(name, f"must be greater than 0 and at most {limit}")
    return number


def _date(args: Args, name: str, *, end_of_day: bool = False) -> datetime | None:
    value = param_value(args, name)
    if not value:
        return None
    if not _ISO_DATE.match(value):
        raise ParameterError(name, "expected a date as YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ParameterError(name, "not a valid calendar date") from None
    if not MIN_DATE <= day <= MAX_DATE:
        raise ParameterError(name, f"must be between {MIN_DATE} and {MAX_DATE}")
    return datetime.combine(day, time.max if end_of_day else time.min, tzinfo=DATE_ZONE)


def _sort(args: Args, *, has_place: bool, forgiving: bool) -> str:
    value = param_value(args, "sort").lower() or "relevance"
    if value not in SORTS:
        raise ParameterError("sort", f"expected one of: {', '.join(SORTS)}")
    if value == "nearest" and not has_place:
        if forgiving:
            return "relevance"
        raise ParameterError("sort", "'nearest' needs a place (near)")
    return value


def param_integer(args: Args, name: str, *, default: int, low: int, high: int | None = None) -> int:
    value = param_value(args, name)
    if not value:
        return default
    if not _DIGITS.match(value):
        raise ParameterError(name, "expected a whole number")
    number = int(value)
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ParameterError(name, f"must be {bounds}")
    return number
