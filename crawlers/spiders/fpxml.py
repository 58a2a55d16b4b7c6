"""Spider for FPXML 0.1 (All for Good "Footprint") feeds."""

from crawlers.spiders.feed import FeedSpider


class FpxmlSpider(FeedSpider):
    name = "fpxml"
    feed_format = "fpxml"
