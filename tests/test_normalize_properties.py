"""Property tests (hypothesis) for dates, places and text in the normalizer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.formats.base import RawLocation, RawOpportunity
from crawlers.formats.textdates import parse_date_range, parse_text_date
from crawlers.normalize import NormalizeContext, normalize, parse_date

PARIS = ZoneInfo("Europe/Paris")
FR_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
EN_MONTHS = "January February March April May June July August September October November December".split()
FR_DAYS = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
EN_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
CTX = NormalizeContext(partner="prop", default_country="FR")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@FAST
@given(moments, st.booleans())
def test_french_text_dates_round_trip(moment: datetime, weekday: bool) -> None:
    day = "1er" if moment.day == 1 else str(moment.day)
    prefix = f"{FR_DAYS[moment.weekday()]} " if weekday else "le "
    text = f"{prefix}{day} {FR_MONTHS[moment.month - 1]} {moment.year} à {moment.hour}h{moment.minute:02d}"
    assert parse_text_date(text) == moment
    parsed = parse_date(text, PARIS)
    assert parsed is not None and parsed.replace(tzinfo=None) == moment and parsed.tzinfo is PARIS


@FAST
@given(moments)
def test_english_text_dates_round_trip(moment: datetime) -> None:
    hour12 = moment.hour % 12 or 12
    ampm = "am" if moment.hour < 12 else "pm"
    day = f"{EN_DAYS[moment.weekday()]}, {EN_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"
    text = f"{day} at {hour12}:{moment.minute:02d} {ampm}"
    assert parse_text_date(text) == moment


@FAST
@given(moments, st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15))
def test_iso_offsets_are_kept(moment: datetime, offset_minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    parsed = parse_date(aware.isoformat(), PARIS)
    assert parsed == aware and parsed.utcoffset() == aware.utcoffset()


@FAST
@given(moments, st.integers(min_value=0, max_value=400))
def test_ranges_start_before_end(start: datetime, days: int) -> None:
    end = start + timedelta(days=days)
    first, last = f"{start.day} {FR_MONTHS[start.month - 1]}", f"{end.day} {FR_MONTHS[end.month - 1]}"
    text = f"du {first} {start.year} au {last} {end.year}"
    found = parse_date_range(text)
    assert found is not None and found.start == start.replace(hour=0, minute=0)
    assert found.end == end.replace(hour=0, minute=0) and found.start <= found.end


@FAST
@given(st.text(max_size=80))
def test_any_text_date_is_none_or_aware(text: str) -> None:
    parsed = parse_date(text, PARIS)
    assert parsed is None or parsed.tzinfo is not None
    found = parse_date_range(text)
    assert found is None or found.end is None or found.start is None or found.start <= found.end


coordinate = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.text(max_size=12),
    st.sampled_from(["0", "0.0", "48.11", "-1.68", "1e400", "nan", "48,11", " 45.7 "]),
)
place_names = st.one_of(
    st.none(), st.text(max_size=30), st.sampled_from(["Rennes", "Paris", "Seoul", "Lyon 3e", ""])
)
postal_codes = st.one_of(
    st.none(), st.text(alphabet="0123456789AB ", max_size=6), st.sampled_from(["35000", "75011"])
)
countries = st.one_of(
    st.none(), st.sampled_from(["FR", "US", "USA", "France", "Uganda", "ZZ", "fr", ""]), st.text(max_size=5)
)


@FAST
@given(place_names, postal_codes, countries, coordinate, coordinate)
def test_places_never_break_and_points_are_valid(city, postal_code, country, lat, lon) -> None:  # noqa: ANN001
    item = RawOpportunity(
        source_id="p",
        title="Mission",
        url="https://p.example/1",
        locations=[RawLocation(city=city, postal_code=postal_code, country=country, lat=lat, lon=lon)],
    )
    opp, problems = normalize(item, CTX)
    assert opp is not None
    for loc in opp.locations:
        assert (loc.lat is None) == (loc.lon is None)
        if loc.lat is not None:
            assert -90 <= loc.lat <= 90 and -180 <= loc.lon <= 180
            assert (loc.lat, loc.lon) != (0.0, 0.0)
        assert loc.country is None or (len(loc.country) == 2 and loc.country.isupper())
    assert all(p.severity == "warning" for p in problems)


html_bits = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        "<p>",
        "</p>",
        "&amp;",
        "&lt;script&gt;",
        "<b>gras</b>",
        "\u00a0",
        "\n\n",
        "<style>p{}</style>",
        '<a href="https://ok.example/">ok</a>',
        "é",
        "<!-- c -->",
        "<iframe src=//x></iframe>",
    ]
)
rich_text = st.lists(st.one_of(st.text(max_size=20), html_bits), max_size=12).map("".join)


@FAST
@given(rich_text, rich_text)
def test_text_is_always_safe(title: str, description: str) -> None:
    item = RawOpportunity(source_id="t", title=title, description=description, url="https://p.example/1")
    opp, problems = normalize(item, CTX)
    if opp is None:
        assert any(p.field == "title" for p in problems)
        return
    lowered = opp.description.lower()
    for bad in ("<script", "javascript:", "onerror", "<iframe", "<style", "<img"):
        assert bad not in lowered
    # The title is plain text (rendered escaped): one line, trimmed, bounded.
    assert "\n" not in opp.title and len(opp.title) <= 300 and opp.title == opp.title.strip()
    assert len(opp.summary) <= 301
    assert opp.language in ("fr", "en")
    assert opp.causes and len(opp.causes) <= 3


@pytest.mark.parametrize("country", ["aß", "ßa", "ǆ", "ﬀ"])
def test_a_country_that_upper_cases_to_more_letters_is_not_a_code(country: str) -> None:
    """Hypothesis found "aß" -> "ASS": a two-letter string is not always a two-letter code."""
    item = RawOpportunity(
        source_id="p",
        title="Mission",
        url="https://p.example/1",
        locations=[RawLocation(city="Springfield", country=country)],
    )
    opp, _problems = normalize(item, NormalizeContext(partner="p"))
    assert opp is not None
    for loc in opp.locations:
        assert loc.country is None or (len(loc.country) == 2 and loc.country.isascii()), loc
