"""Scrapy settings for every partner crawl: polite by default, bounded, safe.

Limits can be tightened (or loosened) per deployment through the environment:
``VOLUNTEER_HUB_DOWNLOAD_TIMEOUT`` (seconds, whole download), ``VOLUNTEER_HUB_DOWNLOAD_MAXSIZE``
(bytes on the wire, and after HTTP Content-Encoding decompression), ``VOLUNTEER_HUB_MAX_FEED_BYTES``
(bytes after decompressing a gzip file), ``VOLUNTEER_HUB_RETRY_TIMES``. The tests use them to
keep hostile-server cases short.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy_defaults


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


BOT_NAME = "volunteer-hub"
USER_AGENT = "volunteer-hub/0.1 (+https://github.com/volunteer-hub/volunteer-hub; crawler of volunteer feeds)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = _env_number("VOLUNTEER_HUB_DOWNLOAD_TIMEOUT", 60)
DOWNLOAD_MAXSIZE = int(_env_number("VOLUNTEER_HUB_DOWNLOAD_MAXSIZE", 100 * 1024 * 1024))
DOWNLOAD_WARNSIZE = min(20 * 1024 * 1024, DOWNLOAD_MAXSIZE)
# A gzip-compressed feed file may expand to at most this much (gzip bombs).
VH_MAX_FEED_BYTES = int(_env_number("VOLUNTEER_HUB_MAX_FEED_BYTES", 200 * 1024 * 1024))
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = int(os.environ.get("VOLUNTEER_HUB_RETRY_TIMES", "2") or 2)
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
