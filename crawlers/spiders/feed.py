"""The feed spider: one request for the partner's feed (conditional GET), parse, normalize.

Subclasses fix the format; this base class detects it from the content.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as DefTimeoutError
from twisted.python.failure import Failure

from crawlers.formats import FORMATS, detect_format, parse_feed
from crawlers.formats.base import FeedError, ParseProblem
from crawlers.formats.xmlsafe import DEFAULT_MAX_BYTES, GZIP_MAGIC
from crawlers.items import OpportunityItem
from crawlers.normalize import NormalizeContext, normalize
from crawlers.report import RunReport
from volunteer_hub.store.partner_sync import PartnerSync


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
        yield scrapy.Request(
            self.url, headers=headers, callback=self.parse, errback=self.on_error, dont_filter=True
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[OpportunityItem]:
        self.report.http_status = response.status
        self.report.bytes = len(response.body)
        if response.status == 304:
            self.report.not_modified = True
            return
        self.new_etag = _header(response, b"ETag")
        self.new_last_modified = _header(response, b"Last-Modified")
        try:
            max_bytes = (
                self.settings.getint("VH_MAX_FEED_BYTES", DEFAULT_MAX_BYTES) if self.settings else None
            )
            if self.feed_format != "auto":
                self._check_pinned(response)
            fmt, stream = parse_feed(response.body, self.feed_format, max_bytes or DEFAULT_MAX_BYTES)
            self.report.format = fmt
            if FORMATS[fmt].spider != "feed" and self.feed_format == "auto":  # a website, not a feed
                raise FeedError(
                    f"the feed URL returned a web page ({_content_type(response)}), not a feed; "
                    f"if the partner publishes {FORMATS[fmt].label} instead, set its format to {fmt}"
                )
            for entry in stream:
                if isinstance(entry, ParseProblem):
                    self.report.add_problem(entry)
                    continue
                opp, problems = normalize(entry, self.context)
                self.report.add_item_problems(problems)
                if opp is not None:
                    yield OpportunityItem(opp)
        except FeedError as exc:
            self.report.fatal = str(exc)
            if "unrecognized" in str(exc) or "binary" in str(exc):
                self.report.fatal += f" (the server said {_content_type(response)})"

    def _check_pinned(self, response: Response) -> None:
        """A feed pinned to its format that now answers a web page or a binary file (a maintenance
        or login page, an error image) fails the run with that reason, never under another format."""
        head = response.body[:8192]
        try:
            found = detect_format(head) if not head.startswith(GZIP_MAGIC) else self.feed_format
        except FeedError as exc:
            if "binary" not in str(exc):
                return  # not recognized: the pinned format's parser says what is wrong
            raise FeedError(f"{exc} (the server said {_content_type(response)})") from None
        if FORMATS[found].spider != "feed":
            raise FeedError(
                f"the feed URL returned a web page ({_content_type(response)}), not the "
                f"{FORMATS[self.feed_format].label} feed this partner is registered with; "
                "nothing was removed"
            )

    def on_error(self, failure: Failure) -> None:
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.report.http_status = response.status
            self.report.fatal = f"the feed URL answered HTTP {response.status}"
            location = _header(response, b"Location")
            if 300 <= response.status < 400 and location:
                self.report.fatal += (
                    f", a redirect to {location[:200]} that was not followed (only http/https)"
                )
        else:
            self.report.fatal = f"could not fetch the feed: {describe_failure(failure, self.settings)}"


def describe_failure(failure: Failure, settings: Any = None) -> str:
    """A plain-language reason for a failed download (timeouts, size limits, refusals...)."""
    message = failure.getErrorMessage() or failure.type.__name__
    timeout = settings.getfloat("DOWNLOAD_TIMEOUT", 0) if settings else 0
    maxsize = settings.getint("DOWNLOAD_MAXSIZE", 0) if settings else 0
    if failure.check(TimeoutError, DefTimeoutError, TCPTimedOutError) or "took longer than" in message:
        return f"the server did not send the whole feed within {timeout:g} s (timeout)"
    lowered = message.lower()
    if (
        "max size" in lowered
        or "download_maxsize" in lowered
        or ("larger than" in lowered and "download" in lowered)
    ):
        return f"the response is larger than the {maxsize / (1024 * 1024):g} MB download limit ({message})"
    if "robots.txt" in message:
        return "the site's robots.txt forbids fetching it"
    if failure.check(ConnectionRefusedError):
        return "connection refused (nothing listens at that address)"
    if failure.check(DNSLookupError):
        return "the host name does not resolve (DNS lookup failed)"
    if "max redirections" in message:
        return "too many redirects"
    return message


def _content_type(response: Response) -> str:
    value = response.headers.get(b"Content-Type")
    return f"Content-Type {value.decode('latin-1')}" if value else "no Content-Type"


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
