"""How a feed format declares itself, once, for the crawler, ``validate``, the partners' guide and the docs.

Each format module ends with ``FORMAT = FeedFormat(...)``; ``crawlers.formats`` registers it.
Detection, parsing, the spider, the format guide (``/partners/formats``) and the format sections of
``docs/formats.md`` (``python -m crawlers.formats.docs``) are all derived from these declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from crawlers.formats.base import ParseProblem, RawOpportunity

# Our fields, as rows of the guide's mapping table (in this order; the first two are required).
MAPPED_FIELDS = (
    "title",
    "url",
    "id",
    "description",
    "organization",
    "place",
    "remote",
    "dates",
    "expires",
    "categories",
    "skills",
    "min_age",
)
LANGUAGES = ("en", "fr")  # every partner-facing text is given in each

SpiderKind = Literal["feed", "site"]  # one download of the feed / a crawl of the partner's website
Syntax = Literal["xml", "html", "csv"]


@dataclass(frozen=True)
class SourceField:
    """One field of a format and what the reader does with it: a row of the format's table in
    docs/formats.md, declared next to the reader so that the two change together."""

    name: str  # as written in the feed ("startAt", "addresses/address/postalCode")
    ours: str  # the record field(s) it fills (Markdown), "" when it is ignored
    note: str = ""  # how it is read; for an ignored field, why ("ignored, because ...")


@dataclass(frozen=True)
class FeedFormat:
    name: str  # the ``--format`` value stored on a partner
    label: str  # its title in the guide and the docs
    detect: Callable[[bytes], bool]  # does the head of a file (8 KB) have this format's structure?
    parse: Callable[[bytes], Iterator[RawOpportunity | ParseProblem]]
    syntax: Syntax  # of the example; XML and HTML are refused when they declare entities
    description: Mapping[str, str]  # one sentence for partners, per language of ``LANGUAGES``
    example: str  # minimal feed shown in the guide and docs; tested to give a valid opportunity
    detected_by: str  # how detection recognises it (docs table, Markdown)
    details: str = ""  # what is read and how (docs section, Markdown)
    # What one opportunity is in this format, for "the feed has no opportunities (expected ...)".
    items: str = "opportunities"
    # Our field (``MAPPED_FIELDS``) -> where it comes from. Formats with a mapping are the
    # "usual formats" of the guide and get a column in its mapping table.
    mapping: Mapping[str, str] = field(default_factory=dict)
    # Every field of the format, read or ignored (docs/formats.md table); empty when not listed.
    fields: tuple[SourceField, ...] = ()
    spider: SpiderKind = "feed"
    # A generic shape (any RSS, any web page, any CSV): tried after every specific format.
    fallback: bool = False

    @property
    def common(self) -> bool:
        return bool(self.mapping)

    def text(self, language: str) -> str:
        """The description in ``language`` (English when it has none)."""
        return self.description.get(language) or self.description["en"]
