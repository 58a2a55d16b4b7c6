"""Feed formats: detection and the parser registry.

Each format module exposes ``NAME``, ``sniff(head: bytes) -> bool`` and
``parse(data: bytes) -> Iterator[RawOpportunity | ParseProblem]``. Order matters for
detection: specific formats are tried before generic RSS/Atom.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

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
from crawlers.formats.xmlsafe import DEFAULT_MAX_BYTES, check_no_entities, decompress

FORMATS: dict[str, ModuleType] = {
    m.NAME: m
    for m in (
        networkforgood,
        volunteermatch,
        usaservice,
        idealist,
        fpxml,
        api_engagement,
        rss,
        schemaorg,
        csvfeed,
    )
}


def detect_format(data: bytes) -> str:
    head = data[:8192]
    for name, module in FORMATS.items():
        if module.sniff(head):
            return name
    if head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8", b"PK\x03\x04")):
        raise FeedError("this is a binary file (PDF, image or archive), not a feed")
    raise FeedError("unrecognized feed format (expected one of: " + ", ".join(FORMATS) + ")")


def parse_feed(
    data: bytes, fmt: str = "auto", max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, Iterator[RawOpportunity | ParseProblem]]:
    """Decompress, detect (unless forced) and return (format name, stream of raw items/problems).

    XML entity declarations are refused here for every format, before any parser sees the data.
    """
    data = decompress(data, max_bytes)
    if not data or data.isspace():  # isspace(): no copy of a 60 MB feed
        raise FeedError("the feed is empty")
    name = detect_format(data) if fmt in ("", "auto", None) else fmt
    if name not in FORMATS:
        raise FeedError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    if name != "csv":
        check_no_entities(data)
    return name, FORMATS[name].parse(data)
