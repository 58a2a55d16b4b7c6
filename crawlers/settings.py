"""Scrapy settings for every partner crawl: polite by default, bounded, safe.

The values below are the defaults. A deployment's own limits come from its ``Settings``
(``volunteer_hub.core.config``: ``VOLUNTEER_HUB_DOWNLOAD_TIMEOUT``, ``..._DOWNLOAD_MAXSIZE``,
``..._MAX_FEED_BYTES``, ``..._RETRY_TIMES``, ``..._ALLOW_PRIVATE_URLS``) through ``configured()``,
which the crawl's entry point lays over them; components read them from ``crawler.settings``.
The tests use them to keep hostile-server cases short.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.settings import default_settings as _scrapy_defaults

from crawlers.fetch import USER_AGENT as USER_AGENT

if TYPE_CHECKING:
    from volunteer_hub.core.config import Settings


BOT_NAME = "volunteer-hub"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
# A gzip-compressed feed file may expand to at most this much (gzip bombs).
VH_MAX_FEED_BYTES = 200 * 1024 * 1024
# Off (the default) refuses non-public addresses (crawlers.middlewares, crawlers.resolver).
VH_ALLOW_PRIVATE_URLS = False
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# 304 Not Modified reaches the spider (conditional GET); 4xx/5xx reach the errback with status.
HTTPERROR_ALLOWED_CODES = [304]
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.PrivateAddressGuard": 50,
    # Downloader side: sees a refused connection before RetryMiddleware (550) would retry it.
    "crawlers.middlewares.RefusedAddressReporter": 950,
}
# The address a connection uses is the address that is checked (DNS rebinding): see
# crawlers/resolver.py. Scrapy installs it on the reactor for every crawl of the process
# (feeds, schema.org sites, sitemaps, robots.txt). Older Scrapy only knows DNS_RESOLVER.
if hasattr(_scrapy_defaults, "TWISTED_DNS_RESOLVER"):
    TWISTED_DNS_RESOLVER = "crawlers.resolver.PublicAddressResolver"
else:  # pragma: no cover - older Scrapy
    DNS_RESOLVER = "crawlers.resolver.PublicAddressResolver"
ITEM_PIPELINES = {
    "crawlers.pipelines.DuplicatePipeline": 100,
    "crawlers.pipelines.StorePipeline": 500,
}
EXTENSIONS = {
    "crawlers.extensions.LiveProgress": 500,
}


def configured(settings: Settings) -> dict[str, Any]:
    """The deployment's values of the settings above (``crawler.settings`` keys)."""
    return {
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.download_maxsize,
        "DOWNLOAD_WARNSIZE": min(DOWNLOAD_WARNSIZE, settings.download_maxsize),
        "VH_MAX_FEED_BYTES": settings.max_feed_bytes,
        "VH_ALLOW_PRIVATE_URLS": settings.allow_private_urls,
        "RETRY_TIMES": settings.retry_times,
    }
