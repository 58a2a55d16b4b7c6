"""Reading query-string values: the shared value parsers, limits and ``ParameterError``.

Every invalid value raises ``ParameterError`` naming the parameter, so the API can answer a
precise 400 and the site can point at the offending form field. Empty values count as
absent: HTML forms submit every field, filled or not. Which parameters a search has, and
what each one means, is declared once in ``search_app.filters``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from indexer.base import SearchQuery
from volunteer_hub.core.places import SearchPlace, UnknownPlace, resolve_place
from volunteer_hub.core.places import names_a_place as names_a_place  # the site and volopps read it here

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 1000.0
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_TEXT_LENGTH = 200
# Elasticsearch refuses from + size beyond index.max_result_window (10,000 by default);
# both backends get the same limit so they answer the same pages.
MAX_RESULT_WINDOW = 10_000
LANGUAGES = ("fr", "en")  # languages of labels (facets); the site's i18n knows the same two

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
    """An invalid query parameter; ``parameter`` names it, ``message`` says why (in English);
    ``suggestion``: a value that would work (a close spelling of an unknown place)."""

    def __init__(self, parameter: str, message: str, suggestion: str | None = None) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.suggestion = suggestion


@dataclass
class ParsedSearch:
    query: SearchQuery
    place_label: str | None = None  # human label of the place searched around, if any
    where_region: str | None = None  # region slug when the place typed (where/near) named a region
    place: SearchPlace | None = None  # how the typed place (where/near) was understood


def parse_language(args: Args) -> str | None:
    """The explicit ``lang`` parameter ("fr" or "en"), None when absent; anything else is a 400."""
    value = param_value(args, "lang").lower()
    if not value:
        return None
    if value not in LANGUAGES:
        raise ParameterError("lang", f"expected one of: {', '.join(LANGUAGES)}")
    return value


def reject_repeated(args: Args, allowed: Iterable[str]) -> None:
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


def param_values(args: Args, name: str) -> list[str]:
    """A repeatable parameter; each occurrence may also hold a comma-separated list."""
    out: list[str] = []
    for raw in args.getlist(name):
        out.extend(part.strip() for part in raw.split(",") if part.strip())
    return out


def param_boolean(args: Args, name: str) -> bool | None:
    value = param_value(args, name).lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ParameterError(name, "expected 1/true/yes or 0/false/no")


def param_place(text: str, name: str, *, country: str | None = None, lang: str = "fr") -> SearchPlace:
    """The place typed as ``text`` in parameter ``name`` (``volunteer_hub.core.places``): a region,
    a département, a city, a postal code or a point; a clear 400 naming ``name`` when unknown."""
    if len(text) > MAX_TEXT_LENGTH:
        raise ParameterError(name, f"too long (at most {MAX_TEXT_LENGTH} characters)")
    try:
        return resolve_place(text, country=country, lang=lang)
    except UnknownPlace as err:
        message = (
            f"unknown place {text!r}: give 'lat,lon', a French postal code, a commune, département or region,"
            " or a city abroad of 100,000 inhabitants or more; for a smaller place abroad, name its country"
            " ('Springfield, IL', 'Atlantis, ZA') or give `country`"
        )
        if err.abroad:
            message += f" (the only {text!r} we know is {err.abroad!r}, abroad)"
        if err.suggestion:
            message += f"; did you mean {err.suggestion!r}?"
        raise ParameterError(name, message, err.suggestion) from None


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


def param_date(args: Args, name: str, *, end_of_day: bool = False) -> datetime | None:
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
