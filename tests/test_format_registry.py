"""Every registered format keeps the promises of its declaration (crawlers/formats/feedformat.py):
its example is detected as it and gives a valid opportunity through the real normalizer, its
spider forces it, and docs/formats.md shows what the registry says. A new format gets all of
this by being registered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.formats import DETECTION_ORDER, FORMATS, GUIDE_ORDER, detect_format, parse_feed
from crawlers.formats import docs as format_docs
from crawlers.formats.base import RawOpportunity
from crawlers.formats.feedformat import LANGUAGES, MAPPED_FIELDS, FeedFormat
from crawlers.spiders import spider_for_format
from crawlers.validate import validate_bytes

ROOT = Path(__file__).resolve().parent.parent
EVERY = pytest.mark.parametrize("feed_format", list(FORMATS.values()), ids=list(FORMATS))


@EVERY
def test_example_is_detected_as_its_format(feed_format: FeedFormat) -> None:
    example = feed_format.example.encode()
    assert feed_format.detect(example[:8192])
    assert detect_format(example) == feed_format.name


@EVERY
def test_example_gives_a_valid_opportunity(feed_format: FeedFormat) -> None:
    """What ``volunteer-hub validate`` reports on the guide's example: no error, at least one valid item."""
    result = validate_bytes(feed_format.example.encode())
    assert result["format"] == feed_format.name
    assert result["errors"] == []
    assert result["valid"] >= 1
    name, stream = parse_feed(feed_format.example.encode(), feed_format.name)  # forced, as a partner's
    assert name == feed_format.name
    assert any(isinstance(entry, RawOpportunity) and entry.title for entry in stream)


@EVERY
def test_declaration_is_complete(feed_format: FeedFormat) -> None:
    assert feed_format.label and feed_format.detected_by
    assert all(feed_format.description.get(language) for language in LANGUAGES)
    assert set(feed_format.mapping) <= set(MAPPED_FIELDS)
    assert {"title", "url"} <= set(feed_format.mapping) or not feed_format.common


@EVERY
def test_spider_forces_the_format(feed_format: FeedFormat) -> None:
    spider = spider_for_format(feed_format.name)
    assert spider.feed_format == feed_format.name and spider.name == feed_format.name
    assert spider_for_format(feed_format.name) is spider


def test_auto_and_unknown_formats_are_detected_from_the_content() -> None:
    assert spider_for_format("auto").feed_format == "auto"
    assert spider_for_format("no-such-format").feed_format == "auto"


def test_specific_formats_are_tried_before_generic_ones() -> None:
    fallbacks = [f.fallback for f in DETECTION_ORDER]
    assert fallbacks == sorted(fallbacks) and any(fallbacks)
    # An Idealist Atom feed is also Atom, a Network for Good feed also has <VolunteerOpportunities>.
    assert detect_format(FORMATS["idealist"].example.encode()) == "idealist"
    assert detect_format(FORMATS["networkforgood"].example.encode()) == "networkforgood"


def test_guide_order_lists_the_usual_formats_first() -> None:
    assert [f.name for f in GUIDE_ORDER if f.common] == ["fpxml", "rss", "api-engagement", "schemaorg", "csv"]
    assert sorted(f.name for f in GUIDE_ORDER) == sorted(FORMATS)
    assert GUIDE_ORDER.index(FORMATS["csv"]) < GUIDE_ORDER.index(FORMATS["networkforgood"])


def test_docs_formats_md_is_generated_from_the_registry() -> None:
    text = format_docs.DOC.read_text(encoding="utf-8")
    assert format_docs.render(text) == text, "docs/formats.md is stale: run python -m crawlers.formats.docs"
    for feed_format in FORMATS.values():
        assert f"## {feed_format.label} (`{feed_format.name}`)" in text
        assert feed_format.example.strip() in text
    check = subprocess.run(
        [sys.executable, "-m", "crawlers.formats.docs", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_stale_docs_are_rewritten() -> None:
    text = format_docs.DOC.read_text(encoding="utf-8")
    stale = text.replace(FORMATS["fpxml"].example.strip(), "<FootprintFeed/>")
    assert stale != text and format_docs.render(stale) == text
    with pytest.raises(ValueError):
        format_docs.render("# no generated block")
