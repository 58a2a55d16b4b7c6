"""Live progress on a terminal: items processed and rate, refreshed in place."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class LiveProgress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.count = 0
        self.started = time.monotonic()
        self.last_print = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LiveProgress:
        if not sys.stderr.isatty() or not crawler.settings.getbool("VH_PROGRESS", True):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: object) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last_print >= 0.2:
            self.last_print = now
            self._print(now)

    def spider_closed(self) -> None:
        self._print(time.monotonic())
        sys.stderr.write("\n")

    def _print(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-6)
        name = getattr(self.crawler.spider, "partner_id", "?")
        sys.stderr.write(f"\r  {name}: {self.count} items, {self.count / elapsed:,.0f} items/s   ")
        sys.stderr.flush()
