"""Website spider: partners without a feed, whose pages carry schema.org JSON-LD/microdata.

Discovery stays inside the partner's own site *and path*: the start URL's directory
(``https://asso.example/benevolat/`` -> pages under ``/benevolat/``). Pages come from the
site's ``sitemap.xml`` (at the root and in that directory), the sitemaps robots.txt declares
(``Sitemap:`` lines; sitemap indexes followed) and from links on the pages themselves (the scope
rules live in ``crawlers/site_scope.py``, shared with detection at registration), up to
``VH_SITE_MAX_PAGES`` pages and ``DEPTH_LIMIT`` clicks.
robots.txt is obeyed (Scrapy's RobotsTxtMiddleware; refused pages are counted, not fatal).

Completeness matters because a finished run retires the partner's missing items: a page that
could not be fetched (network error, 5xx) fails the run, so nothing is removed; a page that is
gone (404/410) is simply not there any more.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.formats import schemaorg
from crawlers.formats.base import FeedError, ParseProblem, RawOpportunity
from crawlers.items import OpportunityItem
from crawlers.normalize import normalize
from crawlers.site_scope import SiteScope, robots_sitemaps, sitemap_entries
from crawlers.spiders.feed import FeedSpider

DEFAULT_MAX_PAGES = 500


class SchemaOrgSpider(FeedSpider):
    name = "schemaorg"
    feed_format = "schemaorg"
    custom_settings = {"DEPTH_LIMIT": 4}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = SiteScope(self.url)
        self.scheduled: set[str] = set()
        self.seen_items: set[str] = set()
        self.pages = 0
        self.failed_pages: list[str] = []
        self.report.format = "schemaorg"

    # -- scope ---------------------------------------------------------------------------------
    def in_scope(self, url: str) -> bool:
        return self.scope.contains(url)

    def page_request(self, url: str, depth_from: Response | None = None) -> scrapy.Request | None:
        url = urldefrag(url)[0]
        limit = (
            self.settings.getint("VH_SITE_MAX_PAGES", DEFAULT_MAX_PAGES)
            if self.settings
            else DEFAULT_MAX_PAGES
        )
        if url in self.scheduled or not self.in_scope(url):
            return None
        if len(self.scheduled) >= limit:
            if len(self.scheduled) == limit:
                self.scheduled.add("<limit>")
                self.report.add_problem(
                    ParseProblem(
                        f"the site has more than {limit} pages in scope; the rest were not visited",
                        severity="warning",
                    )
                )
            return None
        self.scheduled.add(url)
        return scrapy.Request(url, callback=self.parse_page, errback=self.page_error)

    # -- requests ------------------------------------------------------------------------------
    async def start(self) -> Any:
        self.scheduled.add(urldefrag(self.url)[0])
        yield scrapy.Request(
            self.url,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=True,
            meta={"start_page": True},
        )
        self.sitemaps = set(self.scope.sitemap_urls())
        for sitemap in sorted(self.sitemaps):
            yield scrapy.Request(
                sitemap, callback=self.parse_sitemap, errback=self.sitemap_error, dont_filter=True
            )
        # The sitemaps robots.txt declares ("Sitemap:" lines), wherever they are on the host.
        yield scrapy.Request(
            self.scope.robots_url, callback=self.parse_robots, errback=self.sitemap_error, dont_filter=True
        )

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.body[:500_000].decode("utf-8", "replace")
        for sitemap in robots_sitemaps(text, self.scope):
            if sitemap not in self.sitemaps:
                self.sitemaps.add(sitemap)
                yield scrapy.Request(sitemap, callback=self.parse_sitemap, errback=self.sitemap_error)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            pages, nested = sitemap_entries(response.body)
        except FeedError as exc:
            self.report.add_problem(
                ParseProblem(f"the sitemap {response.url} could not be read: {exc}", severity="warning")
            )
            return
        for loc in nested:
            if self.scope.same_host(loc) and loc not in self.sitemaps:
                self.sitemaps.add(loc)
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.sitemap_error)
        for loc in pages:
            request = self.page_request(loc)
            if request is not None:
                yield request

    def parse_page(self, response: Response) -> Iterator[OpportunityItem | scrapy.Request]:
        if response.meta.get("start_page"):
            self.report.http_status = response.status
        self.pages += 1
        self.report.bytes += len(response.body)
        if not isinstance(response, TextResponse) or b"html" not in (
            response.headers.get(b"Content-Type") or b"html"
        ):
            return
        for entry in schemaorg.parse_page(response.body, response.url):
            if isinstance(entry, ParseProblem):
                self.report.add_problem(entry)
                continue
            yield from self._item(entry, response)
        for href in response.css("a::attr(href)").getall():
            request = self.page_request(urljoin(response.url, href.strip()))
            if request is not None:
                yield request

    def _item(self, raw: RawOpportunity, response: Response) -> Iterator[OpportunityItem]:
        if raw.url:
            raw.url = urljoin(response.url, raw.url)
        if raw.source_id and raw.source_id.startswith(("/", "./", "../")):
            raw.source_id = urljoin(response.url, raw.source_id)
        key = raw.source_id or raw.url or ""
        if key in self.seen_items:  # the same opportunity listed on several pages
            return
        self.seen_items.add(key)
        opp, problems = normalize(raw, self.context)
        self.report.add_item_problems(problems)
        if opp is not None:
            yield OpportunityItem(opp)

    # -- failures ------------------------------------------------------------------------------
    def sitemap_error(self, failure: Failure) -> None:
        """No sitemap is fine: links are followed anyway."""

    def page_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(HttpError) and failure.value.response.status in (404, 410):
            self.report.add_problem(
                ParseProblem(f"linked page {url} is gone (HTTP 404/410)", severity="warning")
            )
            return
        if failure.check(IgnoreRequest):
            self.report.add_problem(
                ParseProblem(f"page {url} skipped: {failure.getErrorMessage()}", severity="warning")
            )
            return
        self.failed_pages.append(f"{url}: {failure.getErrorMessage() or failure.type.__name__}")

    def closed(self, reason: str) -> None:
        if self.failed_pages and self.report.fatal is None:
            self.report.fatal = (
                f"{len(self.failed_pages)} page(s) of the site could not be fetched "
                f"(first: {self.failed_pages[0]}); the crawl is incomplete, so nothing was removed"
            )
