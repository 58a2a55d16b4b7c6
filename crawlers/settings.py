"""Scrapy settings for every partner crawl: polite by default, bounded, safe."""

from __future__ import annotations

BOT_NAME = "volunteer-hub"
USER_AGENT = "volunteer-hub/0.1 (+https://github.com/volunteer-hub/volunteer-hub; crawler of volunteer feeds)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 20 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
# The run report is the output; Scrapy logs go to the run record, not the terminal.
LOG_INSTALL_ROOT_HANDLER = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# 304 Not Modified reaches the spider (conditional GET); 4xx/5xx reach the errback with status.
HTTPERROR_ALLOWED_CODES = [304]
DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.PrivateAddressGuard": 50,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.DuplicatePipeline": 100,
    "crawlers.pipelines.StorePipeline": 500,
}
EXTENSIONS = {
    "crawlers.extensions.LiveProgress": 500,
}
