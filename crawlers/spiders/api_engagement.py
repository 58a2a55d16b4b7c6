"""Spider for the French "API Engagement" mission XML feeds."""

from crawlers.spiders.feed import FeedSpider


class ApiEngagementSpider(FeedSpider):
    name = "api-engagement"
    feed_format = "api-engagement"
