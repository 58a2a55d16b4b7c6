"""The record's own (de)serialization: ``to_dict`` is what the store, the index and the API read."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crawlers.formats import parse_feed
from crawlers.formats.base import RawOpportunity
from crawlers.formats.xmlsafe import decompress
from crawlers.normalize import NormalizeContext, normalize
from tests.conftest import FIXTURES
from volunteer_hub.core.opportunity import Compensation, Location, Opportunity, Organization, Source


def full_record() -> Opportunity:
    return Opportunity(
        id="p-1", partner="p", source_id="1", url="https://p.example/1", title="Tri",
        causes=["solidarite-insertion"], skills=["cuisine"], time_of_week=["weekends"], requirements=["18+"],
        locations=[Location(city="Lyon", postal_code="69001", country="FR", lat=45.76, lon=4.83)],
        organization=Organization(name="Asso", ids={"rna": "W691234567"}, logo="https://p.example/l.png"),
        compensation=Compensation(amount=600.0, unit="month", kind="net"),
        other_sources=[Source(partner="q", id="q-1", url="https://q.example/1")],
        start=datetime(2027, 1, 9, 10, tzinfo=UTC), open_to_minors=True, min_age=16,
    )  # fmt: skip


def test_to_dict_is_the_dataclass_tree_with_iso_dates() -> None:
    # A field added to the record (or to a nested part) must appear in to_dict without extra code.
    opp = full_record()
    expected = asdict(opp)
    for name in ("start", "end", "posted", "updated", "expires", "first_seen", "last_seen"):
        expected[name] = expected[name].isoformat() if expected[name] else None
    assert opp.to_dict() == expected
    assert Opportunity.from_dict(opp.to_dict()) == opp


def test_to_dict_never_shares_mutable_parts_with_the_record() -> None:
    opp = full_record()
    data = opp.to_dict()
    data["causes"].append("sport")
    data["time_of_week"].append("evenings")
    data["organization"]["ids"]["siren"] = "123"
    data["locations"][0]["city"] = "Paris"
    assert opp.causes == ["solidarite-insertion"] and opp.time_of_week == ["weekends"]
    assert opp.organization.ids == {"rna": "W691234567"} and opp.locations[0].city == "Lyon"


def test_an_empty_new_field_does_not_change_the_content_hash() -> None:
    # Stored records hash the same after an upgrade that adds fields, so nothing is rewritten.
    opp = full_record()
    before = opp.compute_hash()
    opp.family_friendly = None
    opp.image = None
    assert opp.compute_hash() == before
    opp.image = "https://p.example/i.jpg"
    assert opp.compute_hash() != before


def _as_stored(opp: Opportunity) -> object:
    """What the index stores and reads back: the JSON of ``to_dict``, parsed."""
    return json.loads(json.dumps(opp.to_dict(), ensure_ascii=False))


def test_to_json_is_to_dict_as_json() -> None:
    # The index writes to_json (orjson) where it wrote json.dumps(to_dict()): same data read back,
    # including zone-aware dates with microseconds, naive dates and text beyond ASCII.
    opp = full_record()
    opp.title = "Tri sélectif à l'école « Les Œillets » 🌱"
    opp.posted = datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Paris"))
    opp.updated = datetime(2026, 11, 30, 9, 0)
    opp.commitment_hours_per_week = 2.5
    # Before 1883, New York's offset is its local mean time, -04:56:02: orjson's own writer drops the
    # seconds (AmeriCorps' 2009 feed had such dates, its two-digit years read as the year 9).
    opp.start = datetime(1850, 6, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert opp.start.isoformat().endswith("-04:56:02")
    assert json.loads(opp.to_json()) == _as_stored(opp)
    opp.posted = opp.posted.astimezone(UTC)  # from_dict gives fixed offsets back, not zone names
    assert Opportunity.from_dict(json.loads(opp.to_json())) == opp


def test_to_json_falls_back_for_what_orjson_refuses() -> None:
    opp = full_record()
    opp.min_age = 2**70  # nonsense, but a record must never fail to serialize
    assert json.loads(opp.to_json())["min_age"] == 2**70


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")
def test_to_json_is_to_dict_as_json_on_real_fixture_records() -> None:
    # americorps' first 400 items, idealist and sampleData: three formats of real records.
    compared = 0
    for name in ("americorps-sample.xml.gz", "idealist-small-sample.xml", "sampleData0.1.xml"):
        data = (FIXTURES / name).read_bytes()
        _, stream = parse_feed(decompress(data))
        raws = [raw for raw in stream if isinstance(raw, RawOpportunity)][:400]
        for raw in raws:
            opp, _ = normalize(raw, NormalizeContext(partner=name.split("-")[0]))
            if opp is not None:
                assert json.loads(opp.to_json()) == _as_stored(opp), (name, opp.id)
                compared += 1
    assert compared > 400
