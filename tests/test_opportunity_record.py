"""The record's own (de)serialization: ``to_dict`` is what the store, the index and the API read."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

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
