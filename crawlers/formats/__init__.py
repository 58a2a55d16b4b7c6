"""Feed formats: the registry, detection and parsing.

Each format module declares itself once, as ``FORMAT = FeedFormat(...)``
(``crawlers/formats/feedformat.py``), and is registered below; see "Adding a format" in
docs/formats.md. Detection tries the specific formats in the order of ``FORMATS``, then the
generic ones (``fallback``).
"""

from __future__ import annotations

from collections.abc import Iterator

from crawlers.formats import (
    api_engagement,
    csvfeed,
    fpxml,
    idealist,
    networkforgood,
    rss,
    schemaorg,
    usaservice,
    volunteermatch,
)
from crawlers.formats.base import FeedError, ParseProblem, RawOpportunity
from crawlers.formats.feedformat import FeedFormat
from crawlers.formats.sniff import is_spreadsheet_cell_feed, xml_head
from crawlers.formats.xmlsafe import DEFAULT_MAX_BYTES, check_no_entities, decompress, repair

FORMATS: dict[str, FeedFormat] = {
    f.name: f
    for f in (
        networkforgood.FORMAT,  # before fpxml: its root is also <VolunteerOpportunities>
        fpxml.FORMAT,
        rss.FORMAT,
        api_engagement.FORMAT,
        schemaorg.FORMAT,
        csvfeed.FORMAT,
        volunteermatch.FORMAT,
        idealist.FORMAT,
        usaservice.FORMAT,
    )
}
DETECTION_ORDER: tuple[FeedFormat, ...] = tuple(
    sorted(FORMATS.values(), key=lambda f: f.fallback)  # stable: registration order within each group
)
# The partners' guide and docs/formats.md: the usual formats (with a field mapping), then the others.
GUIDE_ORDER: tuple[FeedFormat, ...] = tuple(sorted(FORMATS.values(), key=lambda f: not f.common))


def detect_format(data: bytes) -> str:
    head = data[:8192]
    for feed_format in DETECTION_ORDER:
        if feed_format.detect(head):
            return feed_format.name
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8", b"PK\x03\x04")):
        raise FeedError("this is a binary file (PDF, image or archive), not a feed")
    raise FeedError("unrecognized feed format (expected one of: " + ", ".join(FORMATS) + ")")


def parse_feed(
    data: bytes, fmt: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, Iterator[RawOpportunity | ParseProblem]]:
    """Decompress, detect (unless forced) and return (format name, stream of raw items/problems).

    XML entity declarations are refused here for every markup format, before any parser sees the data.
    """
    data = decompress(data, max_bytes)
    if not data or data.isspace():  # isspace(): no copy of a 60 MB feed
        raise FeedError("the feed is empty")
    name = detect_format(data) if fmt in ("", "auto", None) else fmt
    if name not in FORMATS:
        raise FeedError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    feed_format = FORMATS[name]
    if feed_format.syntax == "csv":
        return name, feed_format.parse(data)
    check_no_entities(data)
    if is_spreadsheet_cell_feed(xml_head(data[:8192])):
        raise FeedError(
            "this is a spreadsheet cell feed (Google Spreadsheets: one entry per cell, A1, B1...), not a "
            "list of opportunities; publish the sheet as CSV, one row per opportunity"
        )
    warnings: list[ParseProblem] = []
    if feed_format.syntax == "xml":
        data, warnings = repair(data)
    return name, _then(warnings, feed_format.parse(data))


def _then(
    first: list[ParseProblem], rest: Iterator[RawOpportunity | ParseProblem]
) -> Iterator[RawOpportunity | ParseProblem]:
    yield from first
    yield from rest


def no_opportunities(name: str | None, read: int = 0) -> str:
    """Why a feed that gave no opportunity fails: what the format's items are, or that all were refused."""
    if read:
        return f"the feed has no opportunities: all {read} items were rejected (see the errors)"
    expected = FORMATS[name].items if name in FORMATS else "opportunities"
    label = f"{FORMATS[name].label} " if name in FORMATS else ""
    return f"the feed has no opportunities (expected {expected} in this {label}feed)"
