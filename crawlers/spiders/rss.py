"""Spider for RSS 2.0 and Atom feeds (feedparser)."""

from crawlers.spiders.feed import FeedSpider


class RssSpider(FeedSpider):
    name = "rss"
    feed_format = "rss"
