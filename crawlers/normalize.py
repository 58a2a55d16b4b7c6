"""Raw records (any format) -> ``Opportunity``: one set of rules for every partner.

Rejections are ``ParseProblem``s with severity "error" (the item is not indexed); fixes we
made or doubts we have are "warning"s. Both reach the run report and ``validate``.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

from crawlers.formats.base import ParseProblem, RawLocation, RawOpportunity
from crawlers.formats.textdates import parse_text_date
from crawlers.geocheck import PointChecker
from crawlers.limits import over_limits
from volunteer_hub.core.gazetteer import OfflineGazetteer, us_state_code, us_zip
from volunteer_hub.core.html import sanitize, summarize, to_text
from volunteer_hub.core.opportunity import Compensation, Location, Opportunity, Organization, make_id
from volunteer_hub.core.practical import infer_practical
from volunteer_hub.core.regions import region_for_postal_code
from volunteer_hub.core.taxonomy import map_categories
from volunteer_hub.core.textfold import fold
from volunteer_hub.core.zones import country_zone, zone_of

# Remote from the text: strong phrases always count; "online"/"en ligne" alone ("register
# online", "inscription en ligne") only when the item names no physical place.
_REMOTE_WORDS = re.compile(
    r"\b(a distance|teletravail|telebenevolat|remote|virtual volunteer\w*|virtually|from home"
    r"|from your home|depuis chez (?:vous|soi)|de chez (?:vous|soi)|mission en ligne|benevolat en ligne"
    r"|online volunteer\w*)\b"
)
_PLACE_NOISE = re.compile(r"\s+(?:town|village|city|county|ville|commune)$", re.I)
_WEAK_REMOTE_WORDS = re.compile(r"\b(en ligne|online|virtual)\b")
_FR_WORDS = frozenset(
    "le la les des du une un et pour avec dans sur nous vous est aux au ou qui que sont être votre vos nos "
    "notre pas par ce cette ces son ses leur leurs mais chez entre aussi très plus bénévole bénévoles "
    "association aider aide mission heures semaine jeunes enfants personnes".split()
)
_EN_WORDS = frozenset(
    "the and for with you your our are to of in on will this that be is it we they their from at by an "
    "as or can help need needed volunteer volunteers hours week people children who what".split()
)
_FRENCH_SPEAKING = frozenset(
    {"FR", "BE", "CH", "LU", "MC", "RE", "GP", "MQ", "GF", "YT", "NC", "PF", "SN", "CI"}
)
_LANGUAGE_NAMES = {"english": "en", "anglais": "en", "french": "fr", "francais": "fr", "français": "fr"}
_BARE_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGIT = re.compile(r"\d")
_HAS_TIME = re.compile(r"\d\s*(?:h|:)|\d\s*[ap]\.?m\b", re.I)
MAX_SPAN_YEARS = 20
_gazetteer: OfflineGazetteer | None = None
_point_checker: PointChecker | None = None


def gazetteer() -> OfflineGazetteer:
    global _gazetteer
    if _gazetteer is None:
        _gazetteer = OfflineGazetteer()
    return _gazetteer


def point_checker() -> PointChecker:
    global _point_checker
    if _point_checker is None:
        _point_checker = PointChecker(gazetteer())
    return _point_checker


@dataclass
class NormalizeContext:
    partner: str
    default_country: str | None = None
    default_timezone: str = "Europe/Paris"
    cause_overrides: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # ``validate``: what the crawl repairs or keeps (an unreadable date, an end before the start,
    # an unknown French postcode, a mission already over) is an error the partner must fix.
    strict: bool = False


def normalize(raw: RawOpportunity, ctx: NormalizeContext) -> tuple[Opportunity | None, list[ParseProblem]]:
    """Return the normalized opportunity (None when rejected) and the problems found."""
    problems: list[ParseProblem] = []
    item = raw.source_id or raw.url

    def problem(message: str, field_name: str, severity: str = "error", reason: str | None = None) -> None:
        problems.append(
            ParseProblem(
                message, item=item, line=raw.line, field=field_name, severity=severity, reason=reason
            )
        )

    for field_name, message in over_limits(raw):  # size caps first: nothing else reads a huge item
        problem(message, field_name)
    if problems:
        return None, problems
    title = " ".join(to_text(raw.title or "").split())
    if not title:
        problem("the item has no title", "title")
    url = (raw.url or "").strip()
    if not url:
        problem("the item has no link to its detail page (where volunteers sign up)", "url")
    elif urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        problem(f"the detail link {url[:100]!r} is not an http(s) URL", "url")
    if not item:
        problem("the item has neither an id nor a link, so it cannot be tracked across crawls", "id")
    if any(p.severity == "error" for p in problems):
        return None, problems

    # Places first: an event's local times are read in the time zone of where it happens.
    place_problems: list[ParseProblem] = []

    def place_problem(message: str, field_name: str, severity: str = "error") -> None:
        place_problems.append(
            ParseProblem(message, item=item, line=raw.line, field=field_name, severity=severity)
        )

    default_country = ctx.default_country or raw.default_country
    locations = [loc for loc in (_location(r, default_country, place_problem) for r in raw.locations) if loc]
    for loc in locations:
        french = loc.country == "FR" and loc.postal_code
        if french and not gazetteer().knows_french_postal_code(loc.postal_code):
            place_problem(
                f"the postcode {loc.postal_code!r} is not a French postcode"
                + ("" if ctx.strict else "; the place was read from the town name"),
                "locations",
                "error" if ctx.strict else "warning",
            )
    tz = _zone(event_zone(raw, locations, ctx))
    dates = {}
    for name in ("start", "end", "posted", "updated", "expires"):
        value = getattr(raw, name)
        parsed = parse_date(value, tz, end_of_day=name in ("end", "expires"))
        if value and parsed is None:
            problem(
                f"could not understand the {name} date {str(value)[:60]!r} (not a real date?)"
                + ("" if ctx.strict else "; it was ignored"),
                name,
                "error" if ctx.strict else "warning",
            )
        if parsed is not None and parsed.year < 100:
            parsed = _four_digit_year(parsed, ctx.now, name, str(value), problem)
        if parsed is not None and tz is not None and parsed.utcoffset() == timedelta(0):
            # "Z"/"+00:00" serializes an instant, it does not say the local time: express it in
            # the event's zone (the same instant) so that its day and hour read right there.
            parsed = parsed.astimezone(tz)
        dates[name] = parsed
    _drop_implausible_end(dates, ctx.now, problem)
    _check_order(dates, ctx.strict, problem)
    problems.extend(place_problems)

    description = sanitize(raw.description)
    plain = to_text(description)
    full_text = f"{title}\n{plain}"
    remote = bool(raw.remote) or (raw.remote is None and _remote_text(fold(full_text), bool(locations)))
    if not locations and not remote:
        problem(
            "no place given and not marked as remote; it will only be found by keyword",
            "locations",
            "warning",
        )

    opp = Opportunity(
        id=make_id(ctx.partner, str(item)),
        partner=ctx.partner,
        source_id=str(item),
        url=url,
        title=title[:300],
        description=description,
        summary=summarize(plain),
        organization=Organization(
            name=" ".join((raw.organization_name or "").split()),
            url=_http_url(raw.organization_url),
            description=" ".join(to_text(raw.organization_description or "").split())[:2000],
            logo=_http_url(raw.organization_logo),
            ids={k: v for k, v in raw.organization_ids.items() if v},
        ),
        causes=map_categories(raw.categories, full_text, ctx.cause_overrides),
        locations=locations,
        remote=remote,
        start=dates["start"],
        end=dates["end"],
        open_ended=bool(raw.open_ended)
        if raw.open_ended is not None
        else not (dates["start"] or dates["end"]),
        posted=dates["posted"] or dates["updated"],
        updated=dates["updated"] or dates["posted"],
        expires=dates["expires"],
        language=_declared_language(raw.language) or detect_language(full_text, _default_language(ctx)),
        skills=[s.strip() for s in raw.skills if s and s.strip()],
        min_age=_int(raw.min_age),
        commitment_hours_per_week=_float(raw.commitment_hours_per_week),
        schedule=" ".join((raw.schedule or "").split()),
        open_to_minors=_open_to_minors(raw),
        accessible=raw.accessible,
        close_to_transport=raw.close_to_transport,
        recurrence=raw.recurrence,
        time_of_week=list(dict.fromkeys(raw.time_of_week)),
        groups=raw.groups,
        family_friendly=raw.family_friendly,
        requirements=[" ".join(r.split()) for r in raw.requirements if r and r.strip()],
        compensation=_compensation(raw, problem),
        image=_http_url(raw.image),
    )
    infer_practical(opp, full_text)  # what the feed left unknown, from the text and the dates
    opp.content_hash = opp.compute_hash()
    over = opp.expiry()
    if ctx.strict and over is not None and over < ctx.now:
        # The crawl stores it as expired (never shown); a partner checking a feed wants to know.
        problem(f"the mission is already over (it ended on {over.date().isoformat()})", "end")
    if opp.compensation is not None and is_paid(opp.compensation):
        amount, unit = opp.compensation.amount, opp.compensation.unit
        problem(
            "the mission is paid"
            + (f" ({amount:g} per {unit})" if amount and unit else f" ({amount:g})" if amount else "")
            + "; only unpaid volunteering is listed",
            "compensation",
            reason="paid",
        )
    # A paid (or wrongly paid) mission is never listed; other errors reject only in ``validate``.
    rejected = any(p.severity == "error" and (ctx.strict or p.field == "compensation") for p in problems)
    if rejected:
        return None, problems
    return opp, problems


_COMPENSATION_UNITS = {
    **dict.fromkeys(("hour", "heure", "heures"), "hour"),
    **dict.fromkeys(("day", "jour", "jours"), "day"),
    **dict.fromkeys(("month", "mois"), "month"),
    **dict.fromkeys(("year", "an", "ans", "annee", "année", "années"), "year"),
}  # API Engagement's parseCompensationUnit
_COMPENSATION_KINDS = {"gross": "gross", "brut": "gross", "net": "net"}


def _compensation(raw: RawOpportunity, problem) -> Compensation | None:  # noqa: ANN001
    """What the volunteer is paid, as the feed states it; None when it states nothing or 0.

    A negative amount is an error (API Engagement refuses it); an unknown unit or kind is dropped
    with a warning. ``raw.paid`` alone (FPXML ``<paid>Yes</paid>``) is a compensation of unknown amount.
    """
    amount_text = str(raw.compensation_amount).strip() if raw.compensation_amount is not None else ""
    amount = _float(amount_text)
    if amount_text and amount is None:
        problem(
            f"the compensation amount {amount_text[:30]!r} is not a number; it was ignored",
            "compensation",
            "warning",
        )
    if amount is not None and amount < 0:
        problem(
            f"the compensation amount {amount:g} is negative (a positive number is expected)", "compensation"
        )
        return None
    if not amount and not raw.paid:
        return None
    unit = _COMPENSATION_UNITS.get((raw.compensation_unit or "").strip().lower())
    if raw.compensation_unit and unit is None:
        problem(
            f"unknown compensation unit {raw.compensation_unit[:30]!r} (hour, day, month, year)",
            "compensation",
            "warning",
        )
    kind = _COMPENSATION_KINDS.get((raw.compensation_kind or "").strip().lower())
    if raw.compensation_kind and kind is None:
        problem(
            f"unknown compensation type {raw.compensation_kind[:30]!r} (gross, net)",
            "compensation",
            "warning",
        )
    return Compensation(amount=amount or None, unit=unit, kind=kind)


def is_paid(compensation: Compensation) -> bool:
    """Paid: a positive amount, or a feed that says "paid" without one."""
    return compensation.amount is None or compensation.amount > 0


def _open_to_minors(raw: RawOpportunity) -> bool | None:
    """As the feed states it, else from a stated minimum age (under 18: minors are welcome)."""
    if raw.open_to_minors is not None:
        return raw.open_to_minors
    min_age = _int(raw.min_age)
    return None if min_age is None or min_age <= 0 else min_age < 18


def _check_order(dates: dict[str, datetime | None], strict: bool, problem) -> None:  # noqa: ANN001
    """An end before the start is an error for ``validate``; the crawl ignores the end (the item then
    ends with its start day) rather than lose the item."""
    start, end = dates.get("start"), dates.get("end")
    if start is None or end is None or end >= start:
        return
    message = f"the end {end.isoformat()} is before the start {start.isoformat()}"
    if strict:
        problem(message, "end")
    else:
        problem(message + "; the end was ignored", "end", "warning")
        dates["end"] = None


def _four_digit_year(parsed: datetime, now: datetime, name: str, value: str, problem) -> datetime:  # noqa: ANN001
    """A year below 100 is a two-digit year padded to four ("0009-04-20" in AmeriCorps' 2009 feed,
    listed "2008-11-13"): read as 20yy, or 19yy when that would be more than 50 years ahead (a
    listing's dates are never 2,000 years old, so the year-9 reading only made it expired)."""
    year = 2000 + parsed.year
    if year > now.year + 50:
        year -= 100
    fixed = parsed.replace(year=year)  # y and y + 1900/2000 share their leap years (y < 100)
    problem(
        f"the {name} date {value.strip()[:30]!r} has a two-digit year; "
        f"it was read as {fixed.date().isoformat()}",
        name,
        "warning",
    )
    return fixed


def _drop_implausible_end(dates: dict[str, datetime | None], now: datetime, problem) -> None:  # noqa: ANN001
    """An end more than ``MAX_SPAN_YEARS`` after the start (or now) is a typo, not a commitment:
    "5590-01-01" for a 2009 AmeriCorps term kept it live for ever. Without it, a dated item
    ends with its start day (``Opportunity.expiry``)."""
    end, start = dates.get("end"), dates.get("start")
    if end is None:
        return
    base = start or now
    if end.year > base.year + MAX_SPAN_YEARS:
        problem(
            f"the end date {end.date().isoformat()} is more than {MAX_SPAN_YEARS} years after "
            f"{'the start' if start else 'today'}; it was ignored",
            "end",
            "warning",
        )
        dates["end"] = None


def event_zone(raw: RawOpportunity, locations: list[Location], ctx: NormalizeContext) -> str:
    """The zone naive date/times are read in: the feed's own, the first place's, the partner's
    country's, the format's convention, else the context default (Europe/Paris)."""
    if raw.timezone and _zone(raw.timezone):
        return raw.timezone
    for loc in locations:
        found = zone_of(loc)
        if found:
            return found
    partner_zone = country_zone(ctx.default_country) if ctx.default_country else None
    return partner_zone or raw.default_timezone or ctx.default_timezone


def _location(raw: RawLocation, default_country: str | None, problem) -> Location | None:  # noqa: ANN001
    loc = Location(
        name=_clean(raw.name),
        street=_clean(raw.street),
        city=_clean(raw.city),
        postal_code=_clean(raw.postal_code),
        region=_clean(raw.region),
        country=_country(raw.country),
        lat=_float(raw.lat),
        lon=_float(raw.lon),
    )
    _check_range(loc, problem)
    named = _country_name(loc.city) if not (loc.postal_code or loc.region or loc.street) else None
    if named and loc.country in (None, named):
        loc.country, loc.city = named, None  # "India" in the city field is the country, not a town
    stated_country = loc.country
    if not loc.country:
        # The place's own evidence before any default: "Dartmouth, MA 02748" is in the US.
        loc.country = (
            gazetteer().infer_country(city=loc.city, region=loc.region, postal_code=loc.postal_code)
            or default_country
        )
    if loc.country == "FR" and loc.postal_code:
        region = region_for_postal_code(loc.postal_code)
        if region:
            loc.region = region.name_fr
    if loc.country == "US":
        _check_us_zip(loc, problem)
    if loc.lat is not None and (loc.city or loc.postal_code):
        point_checker().check(loc, problem)
    if loc.lat is None and (loc.city or loc.postal_code):
        place = _geocode(loc)
        if place:
            loc.lat, loc.lon = place.lat, place.lon
            loc.city = loc.city or place.name
            loc.postal_code = loc.postal_code or place.postal_code
            loc.country = loc.country or place.country
            if not loc.region and place.region_slug and place.country == "FR":
                region = region_for_postal_code(place.postal_code or "")
                loc.region = region.name_fr if region else loc.region
    if not any((loc.name, loc.street, loc.city, loc.postal_code, loc.region, loc.lat, stated_country)):
        return None
    return loc


def _country_name(city: str | None) -> str | None:
    """The ISO code when a "city" is a country's name ("India", "Costa Rica"), else None."""
    if not city or len(city) <= 3:  # "USA", "FRA": codes, and short town names, stay cities
        return None
    return gazetteer().country_code(city)


def _check_us_zip(loc: Location, problem) -> None:  # noqa: ANN001
    """Flag a ZIP code that belongs to another state than the one stated (Glenview, CA 60025)."""
    zip_code = us_zip(loc.postal_code)
    state = us_state_code(loc.region)
    if zip_code is not None and state and zip_code.state != state:
        problem(
            f"ZIP code {zip_code.code} is in {zip_code.state} ({zip_code.city}), not in {state} as stated; "
            "the state or the ZIP code is wrong",
            "locations",
            "warning",
        )


def _geocode(loc: Location):  # noqa: ANN202
    """Geocode, retrying "Ho, Volta Region" / "Mukono town" as "Ho" / "Mukono"."""
    geocode = gazetteer().geocode
    place = geocode(city=loc.city, postal_code=loc.postal_code, country=loc.country, region=loc.region)
    if place is None and loc.city:
        simpler = _PLACE_NOISE.sub("", loc.city.split(",")[0]).strip()
        if simpler and simpler != loc.city:
            place = geocode(city=simpler, postal_code=loc.postal_code, country=loc.country, region=loc.region)
    return place


def _remote_text(folded: str, has_place: bool) -> bool:
    return bool(_REMOTE_WORDS.search(folded) or (not has_place and _WEAK_REMOTE_WORDS.search(folded)))


def _country(value: object) -> str | None:
    """ISO alpha-2 from a code, ISO3 code or English name ("USA" -> "US", "South Africa" -> "ZA")."""
    cleaned = _clean(value)
    if not cleaned:
        return None
    code = gazetteer().country_code(cleaned)
    if code:
        return code
    # Upper-case first: "aß".upper() is "ASS", three letters (found by the property test).
    upper = cleaned.upper()
    return upper if len(upper) == 2 and upper.isascii() and upper.isalpha() else None


def _check_range(loc: Location, problem) -> None:  # noqa: ANN001
    """Drop 0,0 and impossible points; swap a point that is only valid as (lon, lat)."""
    if loc.lat is None or loc.lon is None:
        loc.lat = loc.lon = None
        return
    if (loc.lat, loc.lon) == (0.0, 0.0):
        problem("coordinates 0,0 are not a real place; they were dropped", "locations", "warning")
        loc.lat = loc.lon = None
    elif not (-90 <= loc.lat <= 90 and -180 <= loc.lon <= 180):
        if -90 <= loc.lon <= 90 and -180 <= loc.lat <= 180:
            problem(
                f"coordinates {loc.lat},{loc.lon} are longitude,latitude; they were swapped",
                "locations",
                "warning",
            )
            loc.lat, loc.lon = loc.lon, loc.lat
        else:
            problem(
                f"coordinates {loc.lat},{loc.lon} are not a real place; they were dropped",
                "locations",
                "warning",
            )
            loc.lat = loc.lon = None


def parse_date(value: object, tz: ZoneInfo | None = None, end_of_day: bool = False) -> datetime | None:
    """ISO 8601, RFC 822, or French/English text ("le 3 mars 2026 à 14h"); naive -> ``tz``.

    A bare day ("2027-06-30") is midnight, or 23:59:59 with ``end_of_day`` (an end date means
    "until the end of that day"). Explicit offsets are kept as given.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
        if end_of_day:
            parsed = parsed.replace(hour=23, minute=59, second=59)
    else:
        text = str(value).strip()
        parsed = None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if end_of_day and _BARE_DAY.match(text):
                parsed = parsed.replace(hour=23, minute=59, second=59)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = parse_text_date(text)
                if parsed is not None and end_of_day and not _HAS_TIME.search(text):
                    parsed = parsed.replace(hour=23, minute=59, second=59)
                if parsed is None and len(text) <= 80 and _DIGIT.search(text):
                    parsed = dateparser.parse(
                        text, languages=["fr", "en"], settings={"RETURN_AS_TIMEZONE_AWARE": False}
                    )
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz or UTC)
    return parsed


def detect_language(text: str, default: str = "fr") -> str:
    """ "fr" or "en" from function words and French accents; ``default`` when the text says nothing."""
    lowered = text.lower()
    words = re.findall(r"[a-zà-ÿœ']+", lowered)
    fr = sum(w in _FR_WORDS for w in words) + sum(w.startswith(("l'", "d'", "qu'")) for w in words)
    fr += len(re.findall(r"[éèêàùçœ]", lowered)) // 3
    en = sum(w in _EN_WORDS for w in words) + sum(w.endswith(("'s", "n't")) for w in words)
    if fr == en:
        return default
    return "en" if en > fr else "fr"


def _declared_language(value: str | None) -> str | None:
    """A feed's language tag ("en-US", "fr_FR", "French") as a two-letter code, or None."""
    if not value or not value.strip():
        return None
    text = value.strip().lower()
    if text in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[text]
    code = re.split(r"[-_]", text)[0]
    return code if len(code) == 2 and code.isalpha() else None


def _default_language(ctx: NormalizeContext) -> str:
    return "fr" if (ctx.default_country or "FR") in _FRENCH_SPEAKING else "en"


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _clean(value: object) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def _float(value: object) -> float | None:
    try:
        return float(str(value).replace(",", ".")) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: object) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None


def _http_url(value: str | None) -> str | None:
    if value and urlparse(value.strip()).scheme in ("http", "https"):
        return value.strip()
    return None
