"""What a partner's URL serves, found once when the partner registers (``partners add``, the portal).

A feed is recognized by its structure (``crawlers.formats.detect_format``) and its items are
counted. A web page is a website partner only when schema.org opportunities are found on the
site: on the page itself, on the pages its sitemaps list (the ``Sitemap:`` lines of robots.txt,
then ``sitemap.xml`` at the root and in the start directory) and on the pages it links to, within
the crawl's own scope (``crawlers/site_scope.py``) and robots.txt. The look-around is bounded:
at most ``max_pages`` fetches (sitemaps and robots.txt included) and ``deadline`` seconds in all;
every fetch goes through the one guarded fetcher (``crawlers.fetch``: address policy, deadline).
The caller pins the format it returns, so a later maintenance page fails a run instead of
switching the partner to another format.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

from lxml import etree
from lxml import html as lxml_html

from crawlers.fetch import USER_AGENT, FetchError, FetchLimits, fetch
from crawlers.formats import FORMATS, no_opportunities, parse_feed, schemaorg
from crawlers.formats.base import FeedError, RawOpportunity
from crawlers.site_scope import SiteScope, robots_sitemaps, sitemap_entries
from crawlers.validate import validate_bytes

MAX_PAGES = 25  # fetches after the first: enough to see a site's missions, quick enough to wait for
DEADLINE = 30.0  # seconds for the whole look-around
START, LINKS = "the page itself", "links"
_EMPTY = "the feed has no opportunities"


class DiscoveryError(Exception):
    """Nothing crawlable was found at the URL; the message says why, in plain words."""


@dataclass(frozen=True)
class Discovery:
    format: str
    opportunities: int  # items read (for a site: distinct opportunities on the pages checked)
    via: tuple[str, ...] = ()  # for a site, where they were found, most first: a sitemap's name, links
    pages: int = 0  # site pages fetched
    complete: bool = True  # False: the page budget or the deadline ended the look-around first
    documents: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)  # what held the items

    @property
    def is_site(self) -> bool:
        return FORMATS[self.format].spider != "feed"

    def summary(self) -> str:
        """``schema.org pages: 12 opportunities via sitemap.xml``, ``FPXML feed: 10 opportunities``."""
        if not self.is_site:
            return f"{FORMATS[self.format].label}: {self.opportunities} opportunities"
        count = f"{'' if self.complete else 'at least '}{self.opportunities} opportunities"
        checked = f"{self.pages} page{'s' if self.pages != 1 else ''} checked"
        return f"schema.org pages: {count} via {' and '.join(self.via)} ({checked})"


def discover(
    url: str,
    *,
    allow_private: bool,
    limits: FetchLimits,
    max_pages: int = MAX_PAGES,
    deadline: float = DEADLINE,
    max_feed_bytes: int | None = None,
) -> Discovery:
    """The format of ``url`` and what it holds, or ``DiscoveryError``."""
    ends = time.monotonic() + deadline

    def get(target: str) -> bytes:
        left = ends - time.monotonic()
        if left <= 0:
            raise FetchError(f"the look-around took its {deadline:g} s")
        bounded = replace(limits, deadline=min(limits.deadline, left))
        return fetch(target, allow_private=allow_private, limits=bounded)

    try:
        data = get(url)
    except FetchError as exc:
        raise DiscoveryError(str(exc)) from exc
    try:
        name, stream = parse_feed(data, "auto", max_feed_bytes or limits.max_bytes)
        if FORMATS[name].spider == "feed":
            count = sum(1 for entry in stream if isinstance(entry, RawOpportunity))
            return Discovery(name, count, documents=((url, data),))
    except FeedError as exc:
        raise DiscoveryError(str(exc)) from exc
    return _Site(url, get, max_pages, ends).explore(data)


class _Site:
    """One bounded look around a website for schema.org opportunities."""

    def __init__(self, url: str, get: Callable[[str], bytes], max_pages: int, ends: float) -> None:
        self.scope = SiteScope(url)
        self.get, self.budget, self.ends = get, max_pages, ends
        self.robots: urllib.robotparser.RobotFileParser | None = None
        self.queue: deque[tuple[str, str]] = deque()  # (page URL, where it was found)
        self.queued: set[str] = {self.scope.url}
        self.items: set[str] = set()
        self.found: Counter[str] = Counter()
        self.documents: list[tuple[str, bytes]] = []
        self.pages = 1
        self.stopped = False

    def fetch(self, url: str) -> bytes | None:
        if self.budget <= 0 or time.monotonic() >= self.ends:
            self.stopped = True
            return None
        self.budget -= 1
        try:
            return self.get(url)
        except FetchError:
            return None  # a missing sitemap or page: the others may hold the opportunities

    def explore(self, start: bytes) -> Discovery:
        self.read_page(self.scope.url, start, START)
        sitemaps = self.read_robots() + self.scope.sitemap_urls()
        self.read_sitemaps(list(dict.fromkeys(sitemaps)))
        while self.queue and not self.stopped:
            url, origin = self.queue.popleft()
            data = self.fetch(url)
            if data is not None:
                self.pages += 1
                self.read_page(url, data, origin)
        if not self.items:
            more = " (it stopped at its limit)" if self.stopped else ""
            raise DiscoveryError(
                f"the URL is a web page, and none of the {self.pages} page(s) checked on the site (its "
                f"sitemaps, its links){more} carries schema.org opportunities: give the address of the "
                "feed, or publish your opportunities as schema.org JSON-LD (see docs/formats.md)"
            )
        via = tuple(origin for origin, _n in self.found.most_common())
        return Discovery(
            schemaorg.NAME,
            len(self.items),
            via=via,
            pages=self.pages,
            complete=not (self.stopped and self.queue),
            documents=tuple(self.documents),
        )

    def read_robots(self) -> list[str]:
        data = self.fetch(self.scope.robots_url)
        if data is None:
            return []
        text = data[:500_000].decode("utf-8", "replace")
        self.robots = urllib.robotparser.RobotFileParser()
        self.robots.parse(text.splitlines())
        return robots_sitemaps(text, self.scope)

    def allowed(self, url: str) -> bool:
        return self.robots is None or self.robots.can_fetch(USER_AGENT, url)

    def read_sitemaps(self, sitemaps: list[str]) -> None:
        todo, seen = deque(sitemaps), set(sitemaps)
        while todo and not self.stopped:
            sitemap = todo.popleft()
            data = self.fetch(sitemap)
            if data is None:
                continue
            try:
                pages, nested = sitemap_entries(data)
            except FeedError:
                continue
            name = urlparse(sitemap).path.rsplit("/", 1)[-1] or sitemap
            for page in pages:
                self.enqueue(page, name, first=True)
            for more in nested:
                if self.scope.same_host(more) and more not in seen:
                    seen.add(more)
                    todo.append(more)

    def enqueue(self, url: str, origin: str, first: bool = False) -> None:
        url = self.scope.link(url, "")
        if url in self.queued or not self.scope.contains(url) or not self.allowed(url):
            return
        self.queued.add(url)
        if first:  # sitemap pages before the links still waiting
            links = [entry for entry in self.queue if entry[1] == LINKS]
            sitemap_pages = [entry for entry in self.queue if entry[1] != LINKS]
            self.queue = deque([*sitemap_pages, (url, origin), *links])
        else:
            self.queue.append((url, origin))

    def read_page(self, url: str, data: bytes, origin: str) -> None:
        if not schemaorg.sniff(data[:8192]):
            return
        new = 0
        for entry in schemaorg.parse_page(data, url):
            if isinstance(entry, RawOpportunity):
                key = entry.source_id or entry.url or f"{url}#{new}"
                if key not in self.items:
                    self.items.add(key)
                    new += 1
        if new:
            self.found[origin] += new
            self.documents.append((url, data))
        for href in _links(data):
            self.enqueue(self.scope.link(url, href), LINKS)


def _links(data: bytes) -> list[str]:
    try:
        return [str(h) for h in lxml_html.fromstring(data).xpath("//a/@href")]
    except (ValueError, TypeError, etree.ParserError):
        return []


def validate_site(discovery: Discovery, max_bytes: int) -> dict[str, Any]:
    """``validate``'s report over the pages that held opportunities (one document for a feed)."""
    results = [validate_bytes(data, discovery.format, max_bytes=max_bytes) for _, data in discovery.documents]
    if len(results) == 1:
        return results[0]
    merged: dict[str, Any] = {
        "format": discovery.format,
        "items": 0,
        "valid": 0,
        "errors": [],
        "warnings": [],
    }
    for result in results:
        merged["items"] += result["items"]
        merged["valid"] += result["valid"]
        # A page's own "no opportunities" is no error of the site: it is judged on all its pages below.
        merged["errors"] += [e for e in result["errors"] if not e["message"].startswith(_EMPTY)]
        merged["warnings"] += result["warnings"]
    if not merged["valid"]:
        reason = no_opportunities(discovery.format, merged["items"])
        merged["errors"].append({"item": None, "line": None, "field": "feed", "message": reason})
    return merged
