"""Partner-native formats and FPXML, on the shared 2009 All for Good fixtures (tests only).

Each format is auto-detected; items are checked field by field, and the counts that
``volunteer-hub validate`` reports are pinned.
"""

from __future__ import annotations

import collections
import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from crawlers.formats import detect_format, parse_feed
from crawlers.formats.base import ParseProblem, RawOpportunity
from crawlers.formats.xmlsafe import decompress
from crawlers.normalize import NormalizeContext, normalize
from crawlers.validate import validate_bytes
from tests.conftest import FIXTURES

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parsed(name: str) -> tuple[str, list[RawOpportunity], list[ParseProblem]]:
    fmt, stream = parse_feed(read(name))
    entries = list(stream)
    return (
        fmt,
        [e for e in entries if isinstance(e, RawOpportunity)],
        [e for e in entries if isinstance(e, ParseProblem)],
    )


def rejected_by_field(result: dict[str, Any]) -> dict[str | None, int]:
    return dict(collections.Counter(e["field"] for e in result["errors"]))


@pytest.mark.parametrize(
    ("name", "fmt", "items", "valid", "rejected"),
    [
        # 25 AmeriCorps terms have two-digit years padded to four ("0009-05-16"), read as 2009
        # with a warning (tests/test_places_and_times.py); they were rejected as over before they start.
        ("americorps-sample.xml.gz", "networkforgood", 1252, 1252, {}),
        ("volunteermatch-sample1.xml", "volunteermatch", 5, 5, {}),
        ("volunteermatch-sample1-output-fpxml.xml.gz", "fpxml", 5, 5, {}),
        ("idealist-small-sample.xml", "idealist", 4, 4, {}),
        ("usaservice.org-sample.xml.gz", "usaservice", 1298, 1298, {}),
        ("sampleData0.1.xml", "fpxml", 3, 3, {}),
        ("skeleton.fpxml", "fpxml", 3, 0, {"url": 2, "id": 1, "feed": 1}),  # feed: no opportunity
        ("okay_data.xml", "fpxml", 10, 1, {"id": 9}),
    ],
)
def test_fixture_counts(name: str, fmt: str, items: int, valid: int, rejected: dict[str, int]) -> None:
    assert detect_format(decompress(read(name))) == fmt
    # Checked as of before the 2009 feeds were written (every item would be "already over" today).
    result = validate_bytes(read(name), now=datetime(2007, 1, 1, tzinfo=UTC))
    assert (result["format"], result["items"], result["valid"]) == (fmt, items, valid)
    assert rejected_by_field(result) == rejected


def test_fixtures_checked_today_are_over_and_fail() -> None:
    result = validate_bytes(read("volunteermatch-sample1.xml"))
    assert result["valid"] == 0
    assert rejected_by_field(result) == {"end": 5, "feed": 1}
    assert all("already over" in e["message"] for e in result["errors"] if e["field"] == "end")


def test_networkforgood_items() -> None:
    fmt, items, problems = parsed("americorps-sample.xml.gz")
    assert fmt == "networkforgood" and len(items) == 1252 and not problems
    first, second = items[0], items[1]
    assert first.source_id == "4379" and first.title == "The Volunteer Center"
    assert first.url == "https://my.americorps.gov/mp/listing/viewListing.do?id=4379"
    assert first.organization_name == "WA State Association of RSVP Directors"
    assert (first.start, first.end, first.posted) == ("2007-07-09", "2008-07-12", "2008-01-11")
    assert first.schedule == "1 year" and first.open_ended is False
    assert first.categories == ["networkforgood:6", "networkforgood:4", "networkforgood:5"]
    assert [(loc.region, loc.country) for loc in first.locations] == [("WA", "USA")]
    assert "program's mission" in (first.description or "")  # the feed's "^" apostrophe
    assert [loc.region for loc in second.locations] == ["CA", "CT", "MD", "NY"]
    assert len({i.source_id for i in items}) == 1252
    # iso-8859-1 decoded: no replacement characters anywhere.
    assert not any("\ufffd" in (i.description or "") + (i.title or "") for i in items)
    opp, _ = normalize(first, NormalizeContext(partner="americorps"))
    assert opp is not None and opp.locations[0].country == "US"
    # Washington state: Pacific time, not the New York time once assumed for the whole feed.
    assert opp.end is not None and opp.end.isoformat() == "2008-07-12T23:59:59-07:00"


def _golden() -> list[RawOpportunity]:
    fmt, stream = parse_feed(gzip.decompress(read("volunteermatch-sample1-output-fpxml.xml.gz")))
    assert fmt == "fpxml"
    return [e for e in stream if isinstance(e, RawOpportunity)]


def test_volunteermatch_agrees_with_2009_golden_output() -> None:
    fmt, items, problems = parsed("volunteermatch-sample1.xml")
    golden = _golden()
    assert fmt == "volunteermatch" and not problems
    assert (
        [i.source_id for i in items]
        == [g.source_id for g in golden]
        == ["425", "1472", "1937", "2001", "2002"]
    )
    for ours, gold in zip(items, golden, strict=True):
        assert ours.title == gold.title
        assert ours.url == gold.url
        assert ours.expires == gold.expires
        assert ours.organization_name == gold.organization_name
        assert ours.organization_url == gold.organization_url
        assert ours.open_ended == gold.open_ended is True
        assert ours.categories == gold.categories  # categories, then audiences, in feed order
        assert ours.description == gold.description.replace("\\n", "\n")  # golden output escaped newlines
        assert _hours(ours.commitment_hours_per_week) == _hours(gold.commitment_hours_per_week)
        assert len(ours.locations) == len(gold.locations) == 1
        mine, theirs = ours.locations[0], gold.locations[0]
        assert (mine.city, mine.region, mine.postal_code, mine.street) == (
            theirs.city,
            theirs.region,
            theirs.postal_code,
            theirs.street,
        )
        assert (_num(mine.lat), _num(mine.lon)) == (_num(theirs.lat), _num(theirs.lon))
    # The golden output turned ongoing listings' times into start/end times; ours keeps them as
    # a schedule (a time of day alone is not an availability window).
    assert items[1].schedule == "08:00–11:00" and items[1].start is None


def _hours(value: object) -> float | None:
    return float(value) if value not in (None, "", "0") else None


def _num(value: object) -> float | None:
    return float(value) if value not in (None, "") else None


def test_idealist_items() -> None:
    fmt, items, problems = parsed("idealist-small-sample.xml")
    assert fmt == "idealist" and len(items) == 4 and not problems
    first = items[0]
    assert first.title == "Kindergatten or Secondary teacher"
    assert (
        first.source_id == first.url == "http://www.idealist.org/if/i/en/av/VolunteerOpportunity/165618-200/o"
    )
    assert first.organization_name == "Beacon of Hope Uganda"
    assert (first.start, first.end, first.expires) == (
        "2009-02-25T05:00:00Z",
        "2010-12-20T05:00:00Z",
        "2010-12-20",
    )
    assert first.categories[:3] == [
        "Children and Youth",
        "Community Service and Volunteering",
        "Education and Academia",
    ]
    assert (first.locations[0].city, first.locations[0].country) == ("Mukono town", "Uganda")
    assert first.language == "en"
    assert "<br" in (first.description or "") and "xmlns" not in (first.description or "")
    countries = []
    for item in items:
        opp, _ = normalize(item, NormalizeContext(partner="idealist"))
        assert opp is not None and opp.causes != ["autre"]
        countries.append([loc.country for loc in opp.locations])
    assert countries == [["UG"], ["IN"], ["ZA"], ["GH"]]  # "India" alone is still a place: the country


def test_usaservice_rootless_rss_is_wrapped_and_geodata_flagged() -> None:
    fmt, items, problems = parsed("usaservice.org-sample.xml.gz")
    assert fmt == "usaservice" and len(items) == 1298
    assert [p.severity for p in problems] == ["warning"] and "no <rss> root" in problems[0].message
    seoul = items[0]
    assert seoul.title == "Son KeeChung Peace Concert"
    assert seoul.start == datetime(2009, 5, 9, 19) and seoul.end == datetime(2009, 5, 9, 21)
    assert (seoul.locations[0].city, seoul.locations[0].country, seoul.locations[0].postal_code) == (
        "Seoul",
        "US",
        "61820",
    )
    opp, warnings = normalize(seoul, NormalizeContext(partner="usaservice"))
    assert opp is not None
    assert any("Seoul" in w.message and "KR" in w.message for w in warnings)
    result = validate_bytes(read("usaservice.org-sample.xml.gz"))
    messages = [w["message"] for w in result["warnings"]]
    assert sum("0,0 are not a real place" in m for m in messages) >= 5


def test_fpxml_sample_data_every_field() -> None:
    fmt, items, problems = parsed("sampleData0.1.xml")
    assert fmt == "fpxml" and len(items) == 3 and not problems
    by_id = {i.source_id: i for i in items}
    assert all(i.organization_name for i in items)
    # olsonTZ is only on lastUpdated (and the feed's createdDateTime): it dates those, not the event.
    assert not any(i.timezone for i in items)
    assert any(len(i.locations) > 1 for i in items) or any(i.schedule for i in items)
    assert any(i.commitment_hours_per_week for i in items)
    assert any(i.min_age for i in items)
    assert len(by_id) == 3


def test_fpxml_missing_organizations_are_warnings() -> None:
    result = validate_bytes(read("okay_data.xml"))
    org_warnings = [w for w in result["warnings"] if w["field"] == "organization"]
    assert len(org_warnings) == 10 and all("2820" in w["message"] and w["line"] for w in org_warnings)


def test_fpxml_duplicate_ids_first_kept() -> None:
    result = validate_bytes(read("skeleton.fpxml"))
    duplicates = [e for e in result["errors"] if e["field"] == "id"]
    assert [(d["item"], d["line"]) for d in duplicates] == [("3", 63)]


@pytest.mark.parametrize(
    "name", ["americorps-sample.xml.gz", "usaservice.org-sample.xml.gz", "skeleton.fpxml"]
)
def test_validate_command_does_not_crash(name: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", "validate", str(FIXTURES / name), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    result = json.loads(out.stdout)
    assert set(result) >= {"format", "items", "valid", "errors", "warnings"}


def test_fpxml_durations_and_recurrences_become_schedules() -> None:
    from crawlers.formats.fpxml import describe_duration, describe_recurrence

    _, items, _ = parsed("sampleData0.1.xml")
    by_id = {i.source_id: i for i in items}
    assert by_id["1001"].schedule == "6 months" and by_id["1001"].open_ended is True
    assert by_id["2001"].schedule == "2 sessions" and by_id["2001"].start == "2009-02-22T18:45:00"
    assert describe_recurrence("FREQ=WEEKLY;BYDAY=SA,SU") == "weekly on Saturday, Sunday"
    assert describe_recurrence("RRULE:FREQ=MONTHLY;INTERVAL=2") == "every 2 months"
    assert describe_duration("PT2H30M") == "2 hours, 30 minutes"
