"""Downloader middleware refusing partner URLs that point at private networks.

Checked on every request, so redirects are covered too (Scrapy re-schedules them through the
middleware chain). Off when the crawl's ``VH_ALLOW_PRIVATE_URLS`` setting is true (from
``VOLUNTEER_HUB_ALLOW_PRIVATE_URLS``: demo and tests). Which addresses are public is
``crawlers.address_policy``, shared with the resolver and with ``crawlers.fetch``.

This check resolves the name once, but the connection resolves it again: the address actually
connected to is vetted by ``crawlers.resolver.PublicAddressResolver`` (DNS rebinding). When that
resolver refuses a host, ``RefusedAddressReporter`` turns the download's generic DNS error into a
``PrivateAddressRefused`` naming the URL and the address, before Scrapy's retry middleware would
retry it.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import DNSLookupError

from crawlers.address_policy import is_public_address
from crawlers.resolver import refusal_for

try:  # recent Scrapy wraps Twisted's DNSLookupError in its own exception
    from scrapy.exceptions import CannotResolveHostError
except ImportError:  # pragma: no cover - older Scrapy
    CannotResolveHostError = DNSLookupError  # type: ignore[assignment,misc]


class PrivateAddressRefused(IgnoreRequest):
    pass


def is_public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is a public unicast address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    return bool(infos) and all(is_public_address(str(info[4][0])) for info in infos)


def check_url(url: str, allow_private: bool) -> str | None:
    """Why ``url`` may not be fetched, or None when it may."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        return f"only http and https URLs are crawled, not {parsed.scheme or 'this'!r}"
    if not parsed.hostname:
        return "the URL has no host"
    if not allow_private and not is_public_host(parsed.hostname):
        return f"{parsed.hostname} resolves to a private, loopback or unresolvable address"
    return None


class PrivateAddressGuard:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler.settings.getbool("VH_ALLOW_PRIVATE_URLS"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = check_url(request.url, self.allow_private)
        if reason:
            raise PrivateAddressRefused(f"refused {request.url}: {reason}")


class RefusedAddressReporter:
    """Report a connection the resolver refused as a ``PrivateAddressRefused`` for that URL.

    Sits on the downloader side of the chain (``process_exception`` runs there first), so the
    refusal is neither retried nor reported as "the host name does not resolve".
    """

    def process_exception(
        self, request: Request, exception: BaseException, spider: Spider | None = None
    ) -> None:
        if isinstance(exception, (DNSLookupError, CannotResolveHostError)):
            reason = refusal_for(urlparse(request.url).hostname)
            if reason:
                raise PrivateAddressRefused(f"refused {request.url}: {reason}") from exception
