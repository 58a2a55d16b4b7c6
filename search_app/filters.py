"""The search parameters, each declared once; every surface of a search is generated from here.

One ``SearchParameter`` per query parameter, in the order of the OpenAPI document: its parser
(error messages and bounds), its OpenAPI schema and description, its ``volunteer-hub search``
option, how the site's search form treats it, its chip (the removable label of an active
filter), whether the embeddable widget passes it on, and the All for Good (``/api/volopps``)
parameter that feeds it. From this list come ``parse_search`` (the site, the API, the feeds,
the widget and the CLI), the OpenAPI parameters (``search_app.openapi``), the CLI options
(``volunteer_hub.cli.search``), the form's hidden fields and the chips (``search_app.public``),
the widget's parameters (``search_app.discover``) and the AFG parsing (``search_app.volopps``).

Plain field filters land in ``SearchQuery.filters`` under the parameter's name; each backend
translates that name (``FILTER_COLUMNS`` / ``FILTER_FIELDS``) and tests/test_conformance.py
holds the two together. docs/search.md, "Adding a search filter", is the recipe.

Importing this module does not import Flask (every ``volunteer-hub`` command imports it for the
``search`` options): labels are ``search_app.lazy_text`` strings, and what needs the request, the
site's links or flask_babel (the chips) imports it when called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Literal

from indexer.base import SORTS, SearchQuery
from search_app.lazy_text import lazy_gettext as _
from search_app.params import (
    DATE_ZONE,
    DEFAULT_PER_PAGE,
    DEFAULT_RADIUS_KM,
    LANGUAGES,
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    MAX_RESULT_WINDOW,
    MAX_TEXT_LENGTH,
    Args,
    ParameterError,
    ParsedSearch,
    param_boolean,
    param_date,
    param_integer,
    param_place,
    param_text,
    param_value,
    param_values,
    positive_number,
)
from search_app.when import PRESETS, preset_window, today_in_zone
from volunteer_hub.core.gazetteer import default_gazetteer
from volunteer_hub.core.practical import COMMITMENT_LEVELS, practical_label
from volunteer_hub.core.regions import find_region, region_label
from volunteer_hub.core.taxonomy import CAUSES, cause_label
from volunteer_hub.core.textfold import slugify

Schema = dict[str, Any]
Chip = dict[str, str]  # {"label", "url"}: the url is the current search without that filter


@dataclass
class Parsing:
    """What a parameter's parser reads and writes: the args, and the search being built."""

    args: Args
    parsed: ParsedSearch
    for_site: bool
    country: str | None = None  # ISO code of the ``country`` parameter: where a typed place lies

    @property
    def query(self) -> SearchQuery:
        return self.parsed.query


@dataclass(frozen=True)
class CliOption:
    """The parameter's ``volunteer-hub search`` option; ``dest`` is always the parameter name.

    ``kind``: ``value`` (``--flag VALUE``), ``list`` (repeatable), ``switch`` (no value: sends
    ``1``), ``words`` (the positional keywords, joined by spaces).
    """

    flag: str
    help: str | None = None
    kind: Literal["value", "list", "switch", "words"] = "value"
    type: Callable[[str], Any] = str
    choices: tuple[str, ...] | None = None

    def values(self, value: Any) -> list[str]:
        """The query-string values an argparse value stands for (none when not given)."""
        if self.kind == "words":
            return [" ".join(value)]
        if self.kind == "list":
            return [str(v) for v in value]
        if self.kind == "switch":
            return ["1"] if value else []
        return [] if value is None else [str(value)]


@dataclass(frozen=True)
class SearchParameter:
    name: str
    parse: Callable[[Parsing], None] | None  # None: read elsewhere (``lang``: i18n)
    schema: Schema | None = None  # OpenAPI schema; None: not an API parameter (the site's own)
    description: str = ""  # OpenAPI description
    repeatable: bool = False  # a list: repeated (or comma-separated); OpenAPI style=form, explode
    facets: bool = True  # also a parameter of GET /api/v1/facets (paging and order are not)
    cli: CliOption | None = None
    # The search form (partials/search_form.html): ``form`` is the input that shows it (an error
    # on it marks that input); ``form_handles``: the form deals with it without an input of its own
    # (a new search resets page and lang; extra regions ride via public._hidden_fields). A new
    # search from the form carries every other parameter as a hidden input.
    form: str | None = None
    form_handles: bool = False
    chips: Callable[[ParsedSearch], list[Chip]] | None = None
    widget: bool = False  # passed from /widget/builder to /widget and on to the search page
    site_error: str | None = None  # the visitor-facing message when it is invalid (lazy string)

    @property
    def api(self) -> bool:
        return self.schema is not None


# -- parsers --------------------------------------------------------------------------------
def text_schema(description: str, **extra: Any) -> Schema:
    return {"type": "string", "maxLength": MAX_TEXT_LENGTH, "description": description, **extra}


def _radius(args: Args) -> float:
    return positive_number(
        args, "radius_km", default=DEFAULT_RADIUS_KM, maximum=MAX_RADIUS_KM, unit="kilometres",
        limit=f"{MAX_RADIUS_KM:g}",
    )  # fmt: skip


def _parse_q(p: Parsing) -> None:
    p.query.text = param_text(p.args, "q")


def _parse_exact(p: Parsing) -> None:
    p.query.exact = param_boolean(p.args, "exact") is True


def _exact_chip(parsed: ParsedSearch) -> list[Chip]:
    from search_app import links  # the site's links need Flask: imported when a chip is made

    if not parsed.query.exact:
        return []
    return [{"label": str(_("Exact words only")), "url": links.without("exact")}]


def _parse_country(p: Parsing) -> None:
    value = param_text(p.args, "country")
    if value:
        p.country = default_gazetteer().country_code(value)
        if p.country is None:
            raise ParameterError(
                "country", "expected an ISO 3166-1 code ('FR', 'US') or an English country name"
            )


def _read_place(p: Parsing, name: str) -> None:
    """The place typed in ``name`` (``near``, the site's ``where``), one reading for all surfaces: a region
    joins the region filter, a département is its circle in its region, anything else a point."""
    place = param_place(param_value(p.args, name), name, country=p.country, lang=p.query.lang)
    p.parsed.place = place
    for slug in place.regions:
        if slug not in p.query.regions:
            p.query.regions.append(slug)
    if place.is_region:
        p.parsed.where_region = place.regions[0]
    if place.point is not None:
        p.query.near, p.parsed.place_label = place.point, place.label
        p.query.radius_km = place.radius_km or _radius(p.args)


def _parse_near(p: Parsing) -> None:
    if param_value(p.args, "near"):
        _read_place(p, "near")


def _parse_radius(p: Parsing) -> None:
    _radius(p.args)  # validated even without a place
    place = p.parsed.place
    if place is not None and place.kind in ("region", "department") and not p.for_site:
        if param_value(p.args, "radius_km"):  # the site's form always sends its radius: ignored there
            kind = "a region" if place.is_region else "a département"
            raise ParameterError(
                "radius_km",
                f"near={place.query!r} is {kind} ({place.label}), searched whole; a radius applies around"
                " a city, a postal code or 'lat,lon'",
            )


def _parse_region(p: Parsing) -> None:
    regions: list[str] = list(p.query.regions)  # a region typed in ``near`` is already there
    for raw in p.args.getlist("region"):
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
    p.query.regions = regions


def _parse_where(p: Parsing) -> None:
    """The site's free "where": read as ``near`` is (an explicit ``near`` wins)."""
    if param_value(p.args, "where") and p.parsed.place is None:
        _read_place(p, "where")


def _parse_cause(p: Parsing) -> None:
    causes: list[str] = []
    for raw in param_values(p.args, "cause"):
        code = raw.lower()
        if code not in CAUSES:
            raise ParameterError("cause", f"unknown cause {raw!r}; known causes: {', '.join(sorted(CAUSES))}")
        if code not in causes:
            causes.append(code)
    p.query.causes = causes


def _parse_remote(p: Parsing) -> None:
    remote = param_boolean(p.args, "remote")
    if remote is not None:
        p.query.filters["remote"] = remote


def _parse_date_from(p: Parsing) -> None:
    p.query.date_from = param_date(p.args, "date_from")


def _parse_date_to(p: Parsing) -> None:
    p.query.date_to = param_date(p.args, "date_to", end_of_day=True)
    if p.query.date_from and p.query.date_to and p.query.date_to < p.query.date_from:
        raise ParameterError("date_to", "must not be before date_from")


def _parse_when(p: Parsing) -> None:
    """The form's date preset (``weekend``, ``month``) as a window of days; explicit dates win."""
    preset = param_value(p.args, "when").lower()
    if not preset or preset == "dates":  # "dates": the form's own date fields
        return
    if preset not in PRESETS:
        raise ParameterError("when", f"expected one of: {', '.join(PRESETS)}")
    if p.query.date_from or p.query.date_to:
        return
    first, last = preset_window(preset, today_in_zone())
    p.query.date_from = datetime.combine(first, time.min, tzinfo=DATE_ZONE)
    p.query.date_to = datetime.combine(last, time.max, tzinfo=DATE_ZONE)


def _parse_organization(p: Parsing) -> None:
    organization = param_text(p.args, "organization")
    if organization:
        slug = slugify(organization)
        if not slug:
            raise ParameterError("organization", "must contain letters or digits")
        p.query.filters["organization"] = slug


def _parse_partner(p: Parsing) -> None:
    partner = param_text(p.args, "partner")
    if partner:
        p.query.filters["partner"] = partner


def _field_choice(name: str, choices: tuple[str, ...]) -> Callable[[Parsing], None]:
    """The parser of a plain field filter taking one of ``choices`` (case ignored)."""

    def parse(p: Parsing) -> None:
        value = param_value(p.args, name).lower()
        if not value:
            return
        if value not in choices:
            raise ParameterError(name, f"expected one of: {', '.join(choices)}")
        p.query.filters[name] = value

    return parse


def _field_flag(name: str) -> Callable[[Parsing], None]:
    """The parser of a yes/no practical filter: true keeps what says yes, false what says no."""

    def parse(p: Parsing) -> None:
        value = param_boolean(p.args, name)
        if value is not None:
            p.query.filters[name] = value

    return parse


def _parse_time_of_week(p: Parsing) -> None:
    values: list[str] = []
    for raw in param_values(p.args, "time_of_week"):
        value = raw.lower()
        if value not in TIMES_OF_WEEK:
            raise ParameterError("time_of_week", f"expected any of: {', '.join(TIMES_OF_WEEK)}")
        if value not in values:
            values.append(value)
    if values:
        p.query.filters["time_of_week"] = tuple(v for v in TIMES_OF_WEEK if v in values)


def _parse_sort(p: Parsing) -> None:
    value = param_value(p.args, "sort").lower() or "relevance"
    if value not in SORTS:
        raise ParameterError("sort", f"expected one of: {', '.join(SORTS)}")
    if value == "nearest" and p.query.near is None:
        if not p.for_site:
            place = p.parsed.place
            whole = f": {place.query!r} is a region" if place is not None else ""
            needs = "'nearest' needs a point (near: a city, a postal code or 'lat,lon')"
            raise ParameterError("sort", needs + whole)
        value = "relevance"  # a form can send it once its place was cleared
    p.query.sort = value


def _parse_page(p: Parsing) -> None:
    p.query.page = param_integer(p.args, "page", default=1, low=1)


def _parse_per_page(p: Parsing) -> None:
    p.query.per_page = param_integer(p.args, "per_page", default=DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
    if p.query.offset + p.query.per_page > MAX_RESULT_WINDOW:
        raise ParameterError("page", f"too deep: only the first {MAX_RESULT_WINDOW} results can be paged")


def _asked_organization() -> str:
    """The ``organization`` parameter as the visitor typed it."""
    from flask import request

    return request.args.get("organization", "")


# -- chips ----------------------------------------------------------------------------------
def _place_chip(parsed: ParsedSearch) -> list[Chip]:
    from flask_babel import format_decimal

    from search_app import links

    if not parsed.place_label:
        return []
    km = format_decimal(parsed.query.radius_km or 0, format="#,##0.#")
    label = _("Within %(km)s km of %(place)s", km=km, place=parsed.place_label)
    return [{"label": str(label), "url": links.without("near", "where", "radius_km", "sort")}]


def _region_chips(parsed: ParsedSearch) -> list[Chip]:
    from search_app import links

    lang, regions = parsed.query.lang, parsed.query.regions
    place = parsed.place
    chips = []
    for slug in regions:
        if place is not None and slug in place.regions:
            if slug != place.regions[0] or not place.is_region:
                continue  # the other name of a typed region ("ca" for California), a département's region
            chips.append({"label": place.label, "url": links.without("near", "where", "radius_km", "sort")})
        else:
            chips.append({"label": region_label(slug, lang), "url": links.toggle_region(parsed, slug)})
    return chips


def _cause_chips(parsed: ParsedSearch) -> list[Chip]:
    from search_app import links

    lang, causes = parsed.query.lang, parsed.query.causes
    return [{"label": cause_label(c, lang), "url": links.toggle_cause(parsed, c)} for c in causes]


def _remote_chip(parsed: ParsedSearch) -> list[Chip]:
    from search_app import links

    remote = parsed.query.filters.get("remote")
    if remote is None:
        return []
    return [{"label": str(_("Remote only") if remote else _("On site only")), "url": links.without("remote")}]


_WHEN_LABELS = {"weekend": _("This weekend"), "month": _("This month")}


def _dates_chip(parsed: ParsedSearch) -> list[Chip]:
    from flask import request

    from search_app import links

    q = parsed.query
    if not (q.date_from or q.date_to):
        return []
    preset = (request.args.get("when") or "").strip().lower()
    has_dates = request.args.get("date_from") or request.args.get("date_to")
    label = _WHEN_LABELS[preset] if preset in _WHEN_LABELS and not has_dates else _dates_label(q)
    return [{"label": str(label), "url": links.without("when", "date_from", "date_to")}]


def _dates_label(q: SearchQuery) -> str:
    from search_app.display import day_text

    # Format the calendar days themselves: converting the bounds to a time zone could shift them.
    start = day_text(q.date_from.date()) if q.date_from else None
    end = day_text(q.date_to.date()) if q.date_to else None
    if start and end:
        return str(_("%(start)s – %(end)s", start=start, end=end))
    if start:
        return str(_("From %(start)s", start=start))
    return str(_("Until %(end)s", end=end))


def _value_chip(name: str, label: Callable[[str], str]) -> Callable[[ParsedSearch], list[Chip]]:
    """The chip of a plain field filter: ``label(value)``, removing the parameter."""

    def chips(parsed: ParsedSearch) -> list[Chip]:
        from search_app import links

        value = parsed.query.filters.get(name)
        return [] if value is None else [{"label": label(str(value)), "url": links.without(name)}]

    return chips


def _practical_chips(name: str) -> Callable[[ParsedSearch], list[Chip]]:
    """The chips of a practical filter: one per asked value ("no" said for a false yes/no filter)."""

    def chips(parsed: ParsedSearch) -> list[Chip]:
        from search_app import links

        value = parsed.query.filters.get(name)
        lang = parsed.query.lang
        if value is None:
            return []
        if isinstance(value, bool):
            label = practical_label(name, "true", lang)
            label = label if value else str(_("%(label)s: no", label=label))
            return [{"label": label, "url": links.without(name)}]
        values = value if isinstance(value, tuple) else (value,)
        url = links.toggle_value
        return [{"label": practical_label(name, v, lang), "url": url(name, values, v)} for v in values]

    return chips


# -- the registry ---------------------------------------------------------------------------

_PLACE_ERROR = _(
    "we don't know this place. Try a city, a postal code, a département or a region; for a place abroad,"
    " add its country (“Springfield, US”)."
)
RECURRENCES = ("one-off", "recurring")
TIMES_OF_WEEK = ("weekdays", "evenings", "weekends")
COMMITMENTS = tuple(level for level, _most in COMMITMENT_LEVELS)
_UNKNOWN_NEVER = " Unknown (not stated by the partner nor inferred at the measured precision) never matches."
_DATES_ERROR = _("please give dates as YYYY-MM-DD, the end not before the start.")

PARAMETERS: tuple[SearchParameter, ...] = (
    SearchParameter(
        "q",
        _parse_q,
        text_schema("Keywords"),
        "Keywords (accents and case ignored). French and English words of the same concept, and causes"
        " named, find each other (see `exact`); a query that finds nothing is searched again with its"
        " misspelled words corrected from the index's own words.",
        cli=CliOption("query", "keywords", kind="words"),
        form="q",
        widget=True,
        site_error=_("your search is too long. Please shorten it."),
    ),
    SearchParameter(
        "exact",
        _parse_exact,
        {"type": "boolean", "default": False},
        "true: search the words typed only, without the vocabulary's synonyms and causes.",
        cli=CliOption("--exact", "the words typed only, without synonyms", kind="switch"),
        form_handles=True,  # a new search from the form widens again
        chips=_exact_chip,
        widget=True,
    ),
    SearchParameter(
        "country",
        _parse_country,
        text_schema("Country", examples=["US"]),
        "Where the place in `near` lies: an ISO 3166-1 code ('US') or an English country name. Without it a"
        " place is looked for in France first, and abroad only among cities of 100,000 inhabitants or more"
        " (London, Montréal...): 'Springfield, IL' or 'Atlantis, ZA' in `near` name the country too.",
        cli=CliOption("--country", "the country of --near (ISO code), for a small place abroad"),
    ),
    SearchParameter(
        "near",
        _parse_near,
        text_schema("Place"),
        "Where: a French region ('Bretagne', 'Brittany'), US state or Canadian province ('California') is"
        " searched whole, as `region`; a French département ('Finistère') is its communes' circle within"
        " its region; a commune, a French postal code, a city abroad or 'lat,lon' is searched around"
        " (`radius_km`). The answer's `place` says how it was understood. An unknown place is a 400 naming"
        " `near` (with a close spelling when one exists); a same-name small place abroad is never taken"
        " unless its country is given (see `country`). `radius_km` with a region or a département is a 400.",
        cli=CliOption("--near", "a city, a postal code, a region or 'lat,lon'"),
        form="where",
        chips=_place_chip,
        site_error=_PLACE_ERROR,
    ),
    SearchParameter(
        "radius_km",
        _parse_radius,
        {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM, "default": DEFAULT_RADIUS_KM},
        "Radius around `near`, in kilometres (ignored without `near`; a 400 when `near` is a region or a"
        " département, which are searched whole).",
        cli=CliOption("--radius-km", type=float),
        form="radius_km",
        widget=True,
        site_error=_("please choose a distance from the list."),
    ),
    SearchParameter(
        "region",
        _parse_region,
        {"type": "array", "items": text_schema("Region")},
        "Region names (French or English) or slugs; repeatable, any one matches. "
        "Unknown names match nothing; a value without any letter or digit is a 400.",
        repeatable=True,
        cli=CliOption("--region", "region name or slug (repeatable)", kind="list"),
        form_handles=True,
        chips=_region_chips,
        widget=True,
    ),
    SearchParameter("where", _parse_where, form="where", widget=True, site_error=_PLACE_ERROR),
    SearchParameter(
        "cause",
        _parse_cause,
        {
            "type": "array",
            "items": {
                "anyOf": [{"type": "string", "enum": list(CAUSES)}, {"const": "", "description": "ignored"}]
            },
        },
        "Cause codes; repeatable or comma-separated, any one matches; empty values are ignored. "
        "An unknown code is a 400.",
        repeatable=True,
        cli=CliOption("--cause", "cause code (repeatable)", kind="list"),
        form="cause",  # the first; the others ride as hidden fields
        chips=_cause_chips,
        widget=True,
        site_error=_("this cause does not exist. Please pick one from the list."),
    ),
    SearchParameter(
        "remote",
        _parse_remote,
        {"type": "boolean"},
        "true: remote only; false: on-site only; absent: both. Also accepts 1/0, yes/no, on/off.",
        cli=CliOption("--remote", "remote opportunities only", kind="switch"),
        form="remote",
        chips=_remote_chip,
        widget=True,
    ),
    SearchParameter(
        "date_from",
        _parse_date_from,
        {"type": "string", "format": "date"},
        "Available on or after this day (France's time zone; 1970-01-01 to 9999-12-31); "
        "overlap with the opportunity's dates.",
        cli=CliOption("--from", "available from YYYY-MM-DD"),
        form="date_from",
        chips=_dates_chip,  # the window of date_from, date_to or a ``when`` preset: one chip
        site_error=_DATES_ERROR,
    ),
    SearchParameter(
        "date_to",
        _parse_date_to,
        {"type": "string", "format": "date"},
        "Available on or before this day; must not be before `date_from`.",
        cli=CliOption("--to", "available until YYYY-MM-DD"),
        form="date_to",
        site_error=_DATES_ERROR,
    ),
    SearchParameter("when", _parse_when, form="when"),  # the site's date presets (search_app.when)
    SearchParameter(
        "organization",
        _parse_organization,
        text_schema("Organization"),
        "Organization name (case and accents ignored); it must contain a letter or digit.",
        cli=CliOption("--organization"),
        chips=_value_chip("organization", lambda _slug: _asked_organization()),
        widget=True,
    ),
    SearchParameter(
        "partner",
        _parse_partner,
        text_schema("Partner id"),
        "Id of the source partner feed.",
        cli=CliOption("--partner"),
        chips=_value_chip("partner", str),
        widget=True,
    ),
    SearchParameter(
        "language",
        _field_choice("language", LANGUAGES),
        {"type": "string", "enum": list(LANGUAGES)},
        "Only opportunities written in this language; absent: any.",
        cli=CliOption("--language", "only opportunities written in this language", choices=LANGUAGES),
        chips=_value_chip("language", {"fr": "Français", "en": "English"}.__getitem__),  # autonyms
        widget=True,
    ),
    # The practical filters (issue 13): the record's facts, read from the feed or inferred from its
    # text (docs/quality.md); each has facet counts (indexer.practical).
    SearchParameter(
        "minors",
        _field_flag("minors"),
        {"type": "boolean"},
        "true: open to minors (under 18); false: stated as adults only." + _UNKNOWN_NEVER,
        cli=CliOption("--minors", "open to minors only", kind="switch"),
        chips=_practical_chips("minors"),
        widget=True,
    ),
    SearchParameter(
        "accessible",
        _field_flag("accessible"),
        {"type": "boolean"},
        "true: accessible to people with reduced mobility; false: stated as not accessible." + _UNKNOWN_NEVER,
        cli=CliOption("--accessible", "accessible to people with reduced mobility only", kind="switch"),
        chips=_practical_chips("accessible"),
        widget=True,
    ),
    SearchParameter(
        "recurrence",
        _field_choice("recurrence", RECURRENCES),
        {"type": "string", "enum": list(RECURRENCES)},
        "one-off (a single date or a short event) or recurring (weekly, monthly...)." + _UNKNOWN_NEVER,
        cli=CliOption("--recurrence", "one-off or recurring", choices=RECURRENCES),
        chips=_practical_chips("recurrence"),
        widget=True,
    ),
    SearchParameter(
        "time_of_week",
        _parse_time_of_week,
        {"type": "array", "items": {"type": "string", "enum": list(TIMES_OF_WEEK)}},
        "When it happens: weekdays, evenings, weekends; repeatable or comma-separated, any one matches."
        + _UNKNOWN_NEVER,
        repeatable=True,
        cli=CliOption("--time-of-week", "when (repeatable)", "list", choices=TIMES_OF_WEEK),
        chips=_practical_chips("time_of_week"),
        widget=True,
    ),
    SearchParameter(
        "skills_based",
        _field_flag("skills_based"),
        {"type": "boolean"},
        "true: skills-based volunteering (pro bono, a qualification or expertise is asked)." + _UNKNOWN_NEVER,
        cli=CliOption("--skills-based", "skills-based opportunities only", kind="switch"),
        chips=_practical_chips("skills_based"),
        widget=True,
    ),
    SearchParameter(
        "groups",
        _field_flag("groups"),
        {"type": "boolean"},
        "true: suitable for a group (team building, groups welcome)." + _UNKNOWN_NEVER,
        cli=CliOption("--groups", "opportunities suitable for groups only", kind="switch"),
        chips=_practical_chips("groups"),
        widget=True,
    ),
    SearchParameter(
        "family",
        _field_flag("family"),
        {"type": "boolean"},
        "true: family-friendly (children welcome with their parents)." + _UNKNOWN_NEVER,
        cli=CliOption("--family", "family-friendly opportunities only", kind="switch"),
        chips=_practical_chips("family"),
        widget=True,
    ),
    SearchParameter(
        "commitment",
        _field_choice("commitment", COMMITMENTS),
        {"type": "string", "enum": list(COMMITMENTS)},
        "Hours per week the partner asks for: light (4 or fewer), regular (more than 4, up to 10), intensive"
        " (more than 10). Read from the feed's hours per week only; unknown never matches.",
        cli=CliOption(
            "--commitment", "hours per week: light (<= 4), regular (<= 10), intensive", choices=COMMITMENTS
        ),
        chips=_practical_chips("commitment"),
        widget=True,
    ),
    SearchParameter(
        "lang",
        None,  # the interface language: search_app.i18n, and the API's parse_language
        {"type": "string", "enum": list(LANGUAGES)},
        "Language of facet labels; default: the `lang` cookie, then Accept-Language, then French.",
        form_handles=True,
    ),
    SearchParameter(
        "sort",
        _parse_sort,
        {"type": "string", "enum": list(SORTS), "default": "relevance"},
        "Order: relevance, soonest (start date), newest (posted), nearest (needs `near`).",
        facets=False,
        cli=CliOption("--sort", choices=SORTS),
        form="sort",
    ),
    SearchParameter(
        "page",
        _parse_page,
        {"type": "integer", "minimum": 1, "default": 1},
        f"Page number; page x per_page may not go beyond the first {MAX_RESULT_WINDOW} results.",
        facets=False,
        cli=CliOption("--page", type=int),
        form_handles=True,
    ),
    SearchParameter(
        "per_page",
        _parse_per_page,
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
        "Results per page.",
        facets=False,
        cli=CliOption("--per-page", type=int),
    ),
)

BY_NAME = {p.name: p for p in PARAMETERS}
REPEATABLE = frozenset(p.name for p in PARAMETERS if p.repeatable)  # list parameters
FACET_IGNORED = frozenset(p.name for p in PARAMETERS if not p.facets)  # GET /api/v1/facets ignores them
WIDGET_PARAMS = tuple(p.name for p in PARAMETERS if p.widget)
FORM_HANDLED = frozenset(p.name for p in PARAMETERS if p.form or p.form_handles)  # the rest rides hidden


# -- generated behaviour --------------------------------------------------------------------
def parse_search(args: Args, *, lang: str = "fr", for_site: bool = False) -> ParsedSearch:
    """Build the ``SearchQuery`` the query-string ``args`` describe; ``ParameterError`` names any bad one.

    ``for_site`` enables the site's own parameters (the free "where" field: a region name
    becomes a region filter, anything else - city, postal code, "lat,lon" - a ``near``
    search) and forgives ``sort=nearest`` without a place, which a form can send once its
    place was cleared. Dates are days in France's time zone (``Europe/Paris``).
    """
    parsing = Parsing(args, ParsedSearch(SearchQuery(lang=lang)), for_site)
    for parameter in PARAMETERS:
        if parameter.parse is not None and (parameter.api or for_site):
            parameter.parse(parsing)
    return parsing.parsed


def query_from_args(
    args: Args | Iterable[tuple[str, str]] | Mapping[str, str], *, lang: str = "fr"
) -> SearchQuery:
    """The ``SearchQuery`` for API-style parameters (pairs, mapping or ``MultiDict``): for the CLI."""
    if not hasattr(args, "getlist"):
        from werkzeug.datastructures import MultiDict

        args = MultiDict(args)
    return parse_search(args, lang=lang).query  # type: ignore[arg-type]


def chips(parsed: ParsedSearch) -> list[Chip]:
    """A removable chip for every active filter, in the registry's order."""
    return [chip for p in PARAMETERS if p.chips is not None for chip in p.chips(parsed)]


def cli_pairs(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query-string pairs of parsed ``volunteer-hub search`` options (argparse's namespace)."""
    return [
        (p.name, value) for p in PARAMETERS if p.cli is not None for value in p.cli.values(values[p.name])
    ]


# The label a visitor knows a parameter by: the search form's own label where it has an input
# (partials/search_form.html), else the name of the filter; site errors name it.
_FIELD_LABELS = {
    "q": _("What"), "near": _("Where"), "where": _("Where"), "country": _("Country"),
    "radius_km": _("Within"), "region": _("Region"), "cause": _("Cause"), "remote": _("Remote only"),
    "date_from": _("From"), "date_to": _("To"), "when": _("When"), "organization": _("Organization"),
    "partner": _("Partner"), "language": _("Language"), "sort": _("Sort by"), "page": _("Page"),
    "per_page": _("Results per page"), "exact": _("Exact words only"), "recurrence": _("Frequency"),
    "time_of_week": _("Time of week"), "commitment": _("Commitment"),
}  # fmt: skip


def field_label(parameter: str, lang: str = "fr") -> str:
    """The label of ``parameter`` in the visitor's language ("Où" for ``where`` and ``near``)."""
    if parameter in _FIELD_LABELS:
        return str(_FIELD_LABELS[parameter])
    if parameter in BY_NAME and parameter not in ("lang",):
        return practical_label(parameter, "true", lang)  # the practical filters' own labels
    return parameter


def site_error(parameter: str) -> str | None:
    """The visitor-facing message for an invalid ``parameter``, when it has its own."""
    declared = BY_NAME.get(parameter)
    return str(declared.site_error) if declared and declared.site_error else None


def form_field(parameter: str) -> str:
    """The form input an error on ``parameter`` concerns (its own name when the form has none)."""
    declared = BY_NAME.get(parameter)
    return declared.form if declared and declared.form else parameter
