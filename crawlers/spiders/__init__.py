"""One spider per feed format; ``spider_for_format`` picks the class for a partner."""

from __future__ import annotations

from crawlers.spiders.api_engagement import ApiEngagementSpider
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.fpxml import FpxmlSpider
from crawlers.spiders.rss import RssSpider

SPIDERS: dict[str, type[FeedSpider]] = {
    "auto": FeedSpider,
    "fpxml": FpxmlSpider,
    "rss": RssSpider,
    "api-engagement": ApiEngagementSpider,
}


def spider_for_format(fmt: str) -> type[FeedSpider]:
    return SPIDERS.get(fmt, FeedSpider)
