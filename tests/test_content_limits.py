"""Limits on partner content (issue 16): a huge title or description, too many places, causes or
skills, or HTML nested absurdly deep reject that item with a clear error naming the field; the
other items of the feed are kept. Direct postings go through the same caps (the portal's form
says, in the partner's language, to shorten the text, and nothing is saved)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from crawlers.formats.base import RawLocation, RawOpportunity
from crawlers.limits import (
    CATEGORIES_MAX,
    DESCRIPTION_MAX_CHARS,
    HTML_DEPTH_MAX,
    LOCATIONS_MAX,
    SKILLS_MAX,
    TITLE_MAX_CHARS,
)
from crawlers.normalize import NormalizeContext, normalize
from tests.test_portal_direct import FORM, app, db, partner_client, post_form, postings  # noqa: F401 - fixtures

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CTX = NormalizeContext(partner="test", default_country="FR", now=NOW)


def raw(**fields: object) -> RawOpportunity:
    base = {
        "source_id": "x1",
        "title": "Collecte alimentaire",
        "description": "<p>Aider à trier les dons.</p>",
        "url": "https://partner.example/x1",
        "locations": [RawLocation(city="Rennes", postal_code="35000", country="FR")],
    }
    return RawOpportunity(**{**base, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": "T" * (TITLE_MAX_CHARS + 1)}, "title", "the title is 1,001 characters long"),
        ({"description": "d" * 6_000_000}, "description", "at most 100,000"),
        ({"description": "<b>" * 30_000 + "x"}, "description", f"nests more than {HTML_DEPTH_MAX}"),
        (
            {"locations": [RawLocation(city="Rennes", postal_code="35000")] * (LOCATIONS_MAX + 1)},
            "locations",
            f"lists {LOCATIONS_MAX + 1} locations",
        ),
        ({"categories": ["Hunger"] * (CATEGORIES_MAX + 1)}, "categories", f"(at most {CATEGORIES_MAX})"),
        ({"skills": ["patience"] * (SKILLS_MAX + 1)}, "skills", f"(at most {SKILLS_MAX})"),
    ],
)
def test_an_item_over_a_cap_is_rejected_with_its_field_named(fields: dict, field: str, words: str) -> None:
    opp, problems = normalize(raw(**fields), CTX)
    assert opp is None
    errors = [p for p in problems if p.severity == "error"]
    assert [p.field for p in errors] == [field]
    assert words in errors[0].message and errors[0].item == "x1"


def test_items_within_the_caps_are_untouched() -> None:
    deep_enough = "<div>" * HTML_DEPTH_MAX + "fin" + "</div>" * HTML_DEPTH_MAX
    for fields in ({}, {"description": "d" * DESCRIPTION_MAX_CHARS}, {"description": deep_enough}):
        opp, problems = normalize(raw(**fields), CTX)
        assert opp is not None and not [p for p in problems if p.severity == "error"]
    opp, _ = normalize(raw(description="<p>" + "<br>" * 5000 + "</p>"), CTX)  # void tags do not nest
    assert opp is not None


def test_a_direct_posting_over_the_caps_is_refused_in_both_languages(
    app: Flask,  # noqa: F811 - the portal tests' fixture
    db: object,  # noqa: F811
    home: Path,
) -> None:
    client = partner_client(app, db, "asso-a")  # type: ignore[arg-type]
    huge = {**FORM, "description": "Trop long. " * 20_000}  # 220,000 characters, under the 2 MB body limit
    res = post_form(client, "/partners/postings/new", huge)
    assert res.status_code == 422
    assert "This is too long for one listing: please shorten it." in res.get_data(as_text=True)
    res = post_form(client, "/partners/postings/new", huge, lang="fr")
    assert res.status_code == 422 and "trop long pour une annonce" in res.get_data(as_text=True)
    assert postings(db, "asso-a") == []  # type: ignore[arg-type]
