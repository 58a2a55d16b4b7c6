"""The feed spider: one request for the partner's feed (conditional GET), parse, normalize.

Subclasses fix the format; this base class detects it from the content.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.formats import parse_feed
from crawlers.formats.base import FeedError, ParseProblem
from crawlers.items import OpportunityItem
from crawlers.normalize import NormalizeContext, normalize
from crawlers.report import RunReport
from indexer.sync import PartnerSync


class FeedSpider(scrapy.Spider):
    name = "feed"
    feed_format = "auto"

    def __init__(
        self,
        partner_id: str,
        url: str,
        sync: PartnerSync,
        report: RunReport,
        context: NormalizeContext,
        etag: str | None = None,
        last_modified: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.partner_id = partner_id
        self.url = url
        self.sync = sync
        self.report = report
        self.context = context
        self.etag = etag
        self.last_modified = last_modified
        self.new_etag: str | None = None
        self.new_last_modified: str | None = None

    async def start(self) -> Any:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        yield scrapy.Request(self.url, headers=headers, callback=self.parse, errback=self.on_error, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[OpportunityItem]:
        self.report.http_status = response.status
        self.report.bytes = len(response.body)
        if response.status == 304:
            self.report.not_modified = True
            return
        self.new_etag = _header(response, b"ETag")
        self.new_last_modified = _header(response, b"Last-Modified")
        try:
            fmt, stream = parse_feed(response.body, self.feed_format)
            self.report.format = fmt
            for entry in stream:
                if isinstance(entry, ParseProblem):
                    self.report.add_problem(entry)
                    continue
                opp, problems = normalize(entry, self.context)
                for problem in problems:
                    self.report.add_problem(problem)
                if opp is not None:
                    yield OpportunityItem(opp)
        except FeedError as exc:
            self.report.fatal = str(exc)

    def on_error(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.report.http_status = response.status
            self.report.fatal = f"the feed URL answered HTTP {response.status}"
        else:
            self.report.fatal = f"could not fetch the feed: {failure.getErrorMessage() or failure.type.__name__}"


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
