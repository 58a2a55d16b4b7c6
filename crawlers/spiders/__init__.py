"""One spider per feed format; ``spider_for_format`` picks the class for a partner.

A format's ``spider`` kind (``crawlers/formats/feedformat.py``) names the base class: one
download of the feed, or a crawl of the partner's website (schema.org pages).
"""

from __future__ import annotations

from functools import cache

from crawlers.formats import FORMATS
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.schemaorg import SchemaOrgSpider

SPIDER_KINDS: dict[str, type[FeedSpider]] = {"feed": FeedSpider, "site": SchemaOrgSpider}


def spider_for_format(fmt: str) -> type[FeedSpider]:
    """The spider class for ``fmt``: every registered format is forced, not re-detected;
    ``auto`` (or an unknown name) detects the format from the content."""
    return _format_spider(fmt) if fmt in FORMATS else FeedSpider


@cache
def _format_spider(fmt: str) -> type[FeedSpider]:
    base = SPIDER_KINDS[FORMATS[fmt].spider]
    if base.feed_format == fmt:
        return base
    name = "".join(part.title() for part in fmt.replace("-", " ").split()) + "Spider"
    return type(name, (base,), {"name": fmt, "feed_format": fmt, "__doc__": f"Spider for {fmt} feeds."})
