"""All for Good's query parameters, read as leniently as All for Good read them.

``GET /api/volopps`` serves clients written for All for Good (AFG) in 2009-2011: a gadget, a
Facebook app, partner widgets. AFG never refused a request for a value it did not understand
(``frontend/search.py``, ``frontend/solr_search.py``): numbers were clamped, unknown option
values fell back to the default, a repeated parameter's LAST value won, and a place, provider or
category it could not find simply matched nothing. This module does the same, so nothing here
raises: a request is always answered, empty when it names something that does not exist.

``/api/v1`` stays strict (``search_app.filters``, ``search_app.params``): leniency is for this
compatibility endpoint only.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from indexer.base import SearchQuery
from search_app.params import (
    DATE_ZONE,
    MAX_DATE,
    MAX_RADIUS_KM,
    MAX_RESULT_WINDOW,
    MAX_TEXT_LENGTH,
    MIN_DATE,
    Args,
    names_a_place,
)
from volunteer_hub.core.places import SearchPlace, UnknownPlace, resolve_place
from volunteer_hub.core.taxonomy import CAUSES, OTHER, map_categories
from volunteer_hub.core.textfold import fold

MILES_TO_KM = 1.609344
DEFAULT_VOL_DIST_MILES = 25.0  # AFG's default radius
MAX_VOL_DIST_MILES = math.floor(MAX_RADIUS_KM / MILES_TO_KM)  # 621 miles: our 1000 km cap
TIMEPERIODS = ("today", "this_weekend", "this_week", "this_month")


def period_days(period: str, today: date) -> tuple[date, date]:
    """The first and last day of an AFG ``timeperiod``, counted from ``today`` (weeks end on Sunday)."""
    weekday = today.weekday()  # Monday 0 .. Sunday 6
    if period == "today":
        return today, today
    if period == "this_weekend":
        if weekday == 6:  # Sunday: what is left of this weekend is today
            return today, today
        saturday = today + timedelta(days=5 - weekday)
        return saturday, saturday + timedelta(days=1)
    if period == "this_week":
        return today, today + timedelta(days=6 - weekday)
    if period == "this_month":
        return today, today.replace(day=monthrange(today.year, today.month)[1])
    raise ValueError(f"unknown time period {period!r}")


DEFAULT_NUM = 10
MAX_NUM = 100  # AFG allowed 999; ours is /api/v1's page size cap. Larger asks are clamped to it.
# start + num - 1 may reach this far: a misaligned window is read from two pages of ``num``.
MAX_END = MAX_RESULT_WINDOW - MAX_NUM
# The parameters we read, in AFG's documentation order; ``key`` is accepted and ignored.
PARAMETERS = (
    "q",
    "vol_loc",
    "vol_dist",
    "num",
    "start",
    "output",
    "timeperiod",
    "vol_startdate",
    "vol_enddate",
    "category",
    "type",
    "vol_provider",
    "provider",
    "sort",
    "key",
)
OUTPUTS = ("json", "rss")  # anything else (AFG's debug "html", "xml"...) gets JSON
# AFG's sort names (its own and the Solr fields it passed through) -> ours. Others: relevance.
SORTS = {
    "relevance": "relevance",
    "r": "relevance",
    "score": "relevance",
    "date": "soonest",
    "startdate": "soonest",
    "eventrangestart": "soonest",
    "distance": "nearest",
    "geo_distance": "nearest",
}
# ``vol_loc`` values AFG gave a meaning of their own.
VIRTUAL = "virtual"  # remote opportunities only (AFG searched at 0.0,0.0: items without a place)
ANYWHERE = "anywhere"  # no place at all
ALL = "all"  # category=all, type=all: no filter
# "category:Education" (or categories:) inside q: AFG rewrote it into a category filter.
_CATEGORY_IN_Q = re.compile(r'(?i)(?<!\S)categor(?:y|ies):(?:"([^"]*)"|(\S+))')
_LAT_LON_ZOOM = re.compile(r"^\s*([-+]?\d{1,2}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*\d{1,2}\s*$")
_INTEGER = re.compile(r"^[-+]?[0-9]{1,9}$")  # AFG: int(value), then clamped
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_US_ZIP_SHAPE = re.compile(r"^\d{5}(?:-\d{4})?$")


@dataclass
class VolOppsRequest:
    """A read ``/api/volopps`` request: the search, the 0-based offset, the count, the output.

    ``nothing`` is set when the request names a place, provider or category that does not exist:
    AFG answered those with an empty list, and so do we (without searching).
    """

    query: SearchQuery
    offset: int = 0
    num: int = DEFAULT_NUM
    output: str = "json"
    nothing: bool = False


def last(args: Args, name: str) -> str:
    """The last non-empty value of ``name`` (AFG: "repeated args are ignored, LAST ONE wins")."""
    values = [v.strip() for v in args.getlist(name) if v and v.strip()]
    return values[-1] if values else ""


def parse_volopps(args: Args, *, today: date | None = None, lang: str = "fr") -> VolOppsRequest:
    """AFG query parameters -> our ``SearchQuery``; never raises (see the module's docstring)."""
    today = today or datetime.now(DATE_ZONE).date()
    wanted = VolOppsRequest(query=SearchQuery(lang=lang))
    query = wanted.query
    text, q_categories = _split_q(last(args, "q"))
    query.text = _first_words(text, MAX_TEXT_LENGTH)
    _read_place(args, wanted)
    _read_dates(args, query, today)
    names = q_categories + [part for raw in args.getlist("category") for part in raw.split(",")]
    _read_categories(names, wanted)
    if last(args, "type").lower() == VIRTUAL:
        query.filters["remote"] = True
    provider = last(args, "vol_provider") or last(args, "provider")
    if provider and provider.lower() != ALL:
        if len(provider) > MAX_TEXT_LENGTH:
            wanted.nothing = True
        query.filters["partner"] = provider.lower()[:MAX_TEXT_LENGTH]

    sort = SORTS.get(last(args, "sort").lower(), "relevance")
    query.sort = sort if sort != "nearest" or query.near is not None else "relevance"
    wanted.num = _clamped(last(args, "num"), DEFAULT_NUM, 1, MAX_NUM)
    wanted.offset = _clamped(last(args, "start"), 1, 1, MAX_END - wanted.num + 1) - 1
    output = last(args, "output").lower()
    wanted.output = output if output in OUTPUTS else "json"
    return wanted


def _split_q(q: str) -> tuple[str, list[str]]:
    """Keywords and the ``category:X`` names written inside them."""
    names = [quoted or bare for quoted, bare in _CATEGORY_IN_Q.findall(q)]
    return " ".join(_CATEGORY_IN_Q.sub(" ", q).split()), names


def _first_words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary (a cut word would match nothing)."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    return head[: head.rfind(" ")].rstrip() if " " in head else text[:limit]


def _read_place(args: Args, wanted: VolOppsRequest) -> None:
    """``vol_loc`` (and ``vol_dist`` in miles): a point, ``virtual``, ``anywhere`` or nothing."""
    query = wanted.query
    vol_loc = last(args, "vol_loc")
    if not vol_loc or vol_loc.lower() == ANYWHERE:
        return
    if vol_loc.lower() == VIRTUAL:
        query.filters["remote"] = True
        return
    place = _place(vol_loc)
    if place is None:
        wanted.nothing = True  # AFG's testapi: a bogus place gives an empty result
        return
    query.regions = list(place.regions)  # a region (or a département's) as /api/v1's ``near`` reads it
    if place.point is not None:
        query.near = place.point
        query.radius_km = place.radius_km or _miles(last(args, "vol_dist")) * MILES_TO_KM


def _place(text: str) -> SearchPlace | None:
    """``vol_loc`` read as /api/v1's ``near`` (AFG's 'lat,lon,zoom' too), then as a US ZIP code:
    a region, a département, a city, a postcode or a point; None when unknown."""
    if len(text) > MAX_TEXT_LENGTH or not names_a_place(text):
        return None
    zoomed = _LAT_LON_ZOOM.match(text)
    if zoomed:
        text = f"{zoomed.group(1)},{zoomed.group(2)}"
    try:
        return resolve_place(text)  # a five-digit code is French first: our visitors are
    except UnknownPlace:
        pass
    if _US_ZIP_SHAPE.match(text.replace(" ", "")):
        try:
            return resolve_place(text.replace(" ", "")[:5], country="US")
        except UnknownPlace:
            return None
    return None


def _miles(value: str) -> float:
    """``vol_dist``: a positive number of miles, clamped to our 1000 km cap; else AFG's default."""
    try:
        miles = float(value)
    except ValueError:
        return DEFAULT_VOL_DIST_MILES
    if not math.isfinite(miles) or miles <= 0:
        return DEFAULT_VOL_DIST_MILES  # AFG: "if vol_dist < 1: default"
    return min(miles, MAX_VOL_DIST_MILES)


def _read_dates(args: Args, query: SearchQuery, today: date) -> None:
    """``timeperiod`` (wins, as in AFG), else ``vol_startdate``/``vol_enddate`` (YYYY-MM-DD).

    As in AFG, a start without an end is that one day, an end without a start is ignored, and a
    value that is not a date is ignored; days are France's (the site's), like ``/api/v1``'s.
    """
    period = last(args, "timeperiod").lower()
    start = _day(last(args, "vol_startdate"))
    if period in TIMEPERIODS:
        first, final = period_days(period, today)
    elif start is not None:  # an unknown timeperiod ("everything", "all") sets no window
        end = _day(last(args, "vol_enddate")) or start
        first, final = min(start, end), max(start, end)
    else:
        return
    query.date_from = datetime.combine(first, time.min, tzinfo=DATE_ZONE)
    query.date_to = datetime.combine(final, time.max, tzinfo=DATE_ZONE)


def _day(value: str) -> date | None:
    if not _ISO_DATE.match(value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def _read_categories(names: list[str], wanted: VolOppsRequest) -> None:
    """AFG category names (or our cause codes) -> causes; any one matches.

    An unknown name matches nothing, like AFG's ``categories:(name)``: it drops out of the
    list, and a list of unknown names only gives an empty result. ``all`` means no filter.
    """
    names = [name.strip() for name in names if name.strip()]
    if not names or any(name.lower() == ALL for name in names):
        return
    causes: list[str] = []
    for name in names:
        if len(name) > MAX_TEXT_LENGTH:
            continue
        codes = [name.lower()] if name.lower() in CAUSES else map_categories([name])
        if codes == [OTHER] and fold(name) not in {"other", "autre", "autres", OTHER}:
            continue  # matched no cause at all
        causes.extend(code for code in codes if code not in causes)
    if causes:
        wanted.query.causes = causes
    else:
        wanted.nothing = True


def _clamped(value: str, default: int, low: int, high: int) -> int:
    """A whole number clamped into [low, high]; ``default`` when it is not one (AFG's min_max)."""
    if not _INTEGER.match(value):
        return default
    return max(low, min(int(value), high))


# -- OpenAPI ------------------------------------------------------------------------------------
def _text(description: str) -> tuple[dict[str, object], str]:
    return {"type": "string"}, description


# Each parameter's OpenAPI schema and description (search_app.openapi reads them). The schemas
# are as lenient as the parsing: no value of these is ever refused.
PARAMETER_DOCS: dict[str, tuple[dict[str, object], str]] = {
    "q": _text(
        f"Keywords (the first {MAX_TEXT_LENGTH} characters). 'category:Name' inside it filters by category."
    ),
    "vol_loc": _text(
        "A place: 'lat,lon' (or AFG's 'lat,lon,zoom'), a French postcode, a US ZIP code, a city "
        "('Santa Cruz, CA'); 'virtual': remote opportunities only; 'anywhere': no place. "
        "An unknown place gives an empty list."
    ),
    "vol_dist": (
        {"type": "number", "default": DEFAULT_VOL_DIST_MILES},
        f"Radius around `vol_loc` in MILES; above {MAX_VOL_DIST_MILES} it is clamped, "
        "anything not a positive number means the default.",
    ),
    "num": (
        {"type": "integer", "default": DEFAULT_NUM},
        f"Number of results, clamped to 1..{MAX_NUM}.",
    ),
    "start": (
        {"type": "integer", "default": 1},
        f"1-based index of the first result, clamped to 1..{MAX_END} - num + 1.",
    ),
    "output": (
        {"type": "string", "default": "json", "examples": list(OUTPUTS)},
        "'rss' for RSS 2.0 with fp: elements; anything else JSON.",
    ),
    "timeperiod": (
        {"type": "string", "examples": list(TIMEPERIODS)},
        "Available today, this weekend, this week (to Sunday) or this month, counted from today "
        "in France; it wins over vol_startdate/vol_enddate. Other values ('everything') are ignored.",
    ),
    "vol_startdate": _text("Available on or after this day (YYYY-MM-DD); alone, that one day."),
    "vol_enddate": _text("Available on or before this day (YYYY-MM-DD); ignored without vol_startdate."),
    "category": (
        {"type": "array", "items": {"type": "string"}},
        "All for Good category names ('Education', 'Hunger') or our cause codes; repeatable or "
        "comma-separated, any one matches. Unknown names match nothing; 'all' means no filter.",
    ),
    "type": _text("'virtual': remote opportunities only; other values are ignored."),
    "vol_provider": _text("Only this partner feed's opportunities (its id, `provider` in items)."),
    "provider": _text("Same as vol_provider (which wins when both are given)."),
    "sort": (
        {"type": "string", "default": "relevance", "examples": list(SORTS)},
        "relevance (also 'r', 'score'), date (soonest start first; also 'eventrangestart', "
        "'startdate') or distance (needs `vol_loc`; also 'geo_distance'). Other values: relevance.",
    ),
    "key": _text("All for Good API key: accepted and ignored."),
}
