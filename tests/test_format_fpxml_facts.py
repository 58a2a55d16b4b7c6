"""FPXML 0.1 facts a volunteer filters on, read only where the feed states them.

All for Good's reference sample (``sampleData0.1.xml``, shared fixtures) and an invented feed of
the same shape (``tests/files/fpxml-facts.xml``) exercising the other fields of the spec.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.formats import FORMATS, parse_feed
from crawlers.formats.base import ParseProblem
from crawlers.formats.fpxml import FIELDS
from crawlers.normalize import NormalizeContext, normalize
from crawlers.validate import validate_bytes
from tests.conftest import FILES, FIXTURES
from volunteer_hub.core.opportunity import Opportunity


def read(data: bytes, now: datetime) -> tuple[dict[str, Opportunity], list[ParseProblem]]:
    _name, stream = parse_feed(data)
    opportunities: dict[str, Opportunity] = {}
    problems: list[ParseProblem] = []
    for entry in stream:
        if isinstance(entry, ParseProblem):
            problems.append(entry)
            continue
        opp, found = normalize(entry, NormalizeContext(partner="f", now=now))
        problems.extend(found)
        if opp is not None:
            opportunities[opp.source_id] = opp
    return opportunities, problems


@pytest.fixture(scope="module")
def facts() -> tuple[dict[str, Opportunity], list[ParseProblem]]:
    return read((FILES / "fpxml-facts.xml").read_bytes(), datetime(2030, 1, 1, tzinfo=UTC))


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")
def test_all_for_good_reference_sample() -> None:
    opps, _ = read((FIXTURES / "sampleData0.1.xml").read_bytes(), datetime(2009, 1, 1, tzinfo=UTC))
    mentor, dodgeball, guide = opps["1001"], opps["2001"], opps["2002"]
    assert (mentor.min_age, mentor.open_to_minors) == (21, False)
    assert mentor.commitment_hours_per_week == 4.0
    assert mentor.organization.logo == "http://www.micromentor.org/images/MM_LogoTag.gif"
    assert mentor.organization.ids == {"ein": "123456789", "guidestar": "3421"}
    assert mentor.organization.description.startswith("MicroMentor, a Mercy Corps initiative")
    # Not stated by the feed: inferred from its weekly hours (volunteer_hub.core.practical).
    assert mentor.recurrence == "recurring"
    assert (dodgeball.min_age, dodgeball.open_to_minors) == (14, True)  # "Teens", minimumAge 14
    assert dodgeball.time_of_week == ["evenings"]  # starts at 18:00
    assert guide.recurrence == "recurring" and guide.schedule == "every 2 weeks"  # FREQ=WEEKLY;INTERVAL=2
    assert guide.open_to_minors is True and guide.commitment_hours_per_week == 2.0


def test_audience_tags_minimum_age_and_recurrence(facts) -> None:  # noqa: ANN001
    opps, _ = facts
    family = opps["family-saturdays"]
    assert (family.open_to_minors, family.groups, family.family_friendly) == (True, True, True)
    assert family.min_age == 8
    assert family.recurrence == "recurring" and family.time_of_week == ["weekends"]
    assert family.schedule == "weekly on Saturday"
    assert family.organization.ids == {"ein": "12-3456789"}
    assert family.organization.description == "Nobody in Riverside goes hungry."
    assert family.organization.logo == "https://pantry.example/logo.png"


def test_stated_adult_age_wins_over_a_teens_tag(facts) -> None:  # noqa: ANN001
    opps, _ = facts
    mentor = opps["evening-mentor"]
    assert (mentor.min_age, mentor.open_to_minors) == (21, False)
    assert mentor.requirements == ["Women only"]
    assert mentor.recurrence == "one-off" and mentor.time_of_week == ["evenings"]
    assert mentor.schedule == "flexible hours"


def test_nothing_stated_means_unknown(facts) -> None:  # noqa: ANN001
    plain = facts[0]["plain"]
    assert (plain.open_to_minors, plain.groups, plain.family_friendly, plain.recurrence) == (None,) * 4
    assert (plain.requirements, plain.time_of_week, plain.compensation, plain.min_age) == ([], [], None, None)


def test_paid_opportunity_is_rejected(facts) -> None:  # noqa: ANN001
    opps, problems = facts
    assert "stipend" not in opps
    assert [p.reason for p in problems if p.item == "stipend" and p.severity == "error"] == ["paid"]
    report = validate_bytes((FILES / "fpxml-facts.xml").read_bytes(), now=datetime(2030, 1, 1, tzinfo=UTC))
    assert report["valid"] == 3
    assert [e["item"] for e in report["errors"]] == ["stipend"]


# Every element of FPXML 0.1 (spec/spec0.1.xsd) but the wrappers (dateTimeDurations, locations...).
SPEC_FIELDS = """volunteerOpportunityID sponsoringOrganizationIDs volunteerHubOrganizationIDs title
abstract volunteersNeeded rsvpCount paid audienceTags categoryTags minimumAge sexRestrictedTo skills
contactName contactPhone contactEmail detailURL language description lastUpdated expires self_directed micro
openEnded startDate endDate iCalRecurrence duration startTime endTime timeFlexible commitmentHoursPerWeek
virtual name streetAddress1 streetAddress2 streetAddress3 city region postalCode country latitude longitude
directions nationalEIN guidestarID missionStatement phone fax email organizationURL donateURL logoURL
providerID providerName feedID createdDateTime providerURL termsOfUse Reviews""".split()


def test_the_docs_table_lists_every_spec_field() -> None:
    words = " ".join(f.name for f in FIELDS).replace("/", " ").replace(",", " ")
    listed = set(words.split())
    assert set(SPEC_FIELDS) - listed == set()
    assert FORMATS["fpxml"].fields == FIELDS
