"""One spider per feed format; ``spider_for_format`` picks the class for a partner."""

from __future__ import annotations

from crawlers.formats import FORMATS
from crawlers.spiders.api_engagement import ApiEngagementSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.fpxml import FpxmlSpider
from crawlers.spiders.rss import RssSpider
from crawlers.spiders.schemaorg import SchemaOrgSpider

SPIDERS: dict[str, type[FeedSpider]] = {
    "auto": FeedSpider,
    "fpxml": FpxmlSpider,
    "rss": RssSpider,
    "api-engagement": ApiEngagementSpider,
    "schemaorg": SchemaOrgSpider,
}


def spider_for_format(fmt: str) -> type[FeedSpider]:
    """The spider class for ``fmt``: every registered feed format is forced, not re-detected."""
    if fmt in SPIDERS:
        return SPIDERS[fmt]
    if fmt in FORMATS:
        name = "".join(part.title() for part in fmt.replace("-", " ").split()) + "Spider"
        spider = type(
            name, (FeedSpider,), {"name": fmt, "feed_format": fmt, "__doc__": f"Spider for {fmt} feeds."}
        )
        SPIDERS[fmt] = spider
        return spider
    return FeedSpider
