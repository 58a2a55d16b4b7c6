"""Downloader middleware refusing partner URLs that point at private networks.

Checked on every request, so redirects are covered too (Scrapy re-schedules them through the
middleware chain). Off when ``VOLUNTEER_HUB_ALLOW_PRIVATE_URLS`` is set (demo and tests).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlparse

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from volunteer_hub.config import load_settings


class PrivateAddressRefused(IgnoreRequest):
    pass


def is_public_host(host: str) -> bool:
    """True when every address ``host`` resolves to is a public unicast address."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False
    for info in infos:
        addr = ipaddress.ip_address(info[4][0].split("%")[0])
        if not all(a.is_global and not a.is_multicast for a in _with_embedded(addr)):
            return False
    return bool(infos)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _with_embedded(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list:
    """The address and any IPv4 address carried inside it (mapped, 6to4, Teredo, NAT64)."""
    found: list = [addr]
    if isinstance(addr, ipaddress.IPv6Address):
        found += [a for a in (addr.ipv4_mapped, addr.sixtofour) if a is not None]
        if addr.teredo:
            found += list(addr.teredo)
        if addr in _NAT64:
            found.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return found


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
        return cls(load_settings().allow_private_urls)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        reason = check_url(request.url, self.allow_private)
        if reason:
            raise PrivateAddressRefused(f"refused {request.url}: {reason}")
