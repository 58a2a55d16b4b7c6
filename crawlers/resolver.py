"""The DNS resolver of every crawl: the address that is checked is the address that is used.

``crawlers.middlewares.PrivateAddressGuard`` resolves a request's host before it is downloaded,
but Twisted resolves the name again when it connects. A hostile DNS server can answer a public
address to the first lookup and 127.0.0.1 or 169.254.169.254 to the second (DNS rebinding).
So the resolver Twisted connects with (``TWISTED_DNS_RESOLVER``, ``DNS_RESOLVER`` in older
Scrapy) vets the very address it hands to the connection: a name resolving to anything but a
public unicast address fails with a ``DNSLookupError`` naming the host and the address, and no
connection is made. Off when ``VOLUNTEER_HUB_ALLOW_PRIVATE_URLS`` is set (demo and tests).

Which interface is used: Scrapy's HTTP/1.1 handler connects through Twisted's ``Agent`` and
``HostnameEndpoint``, which asks ``reactor.nameResolver`` (``IHostnameResolver``); installing this
``IResolverSimple`` with ``reactor.installResolver`` makes Twisted wrap it as that name resolver
too, and ``reactor.resolver`` (used by ``connectTCP``, e.g. for an HTTPS proxy tunnel) is this
object itself, so both paths go through ``getHostByName`` below. Like Scrapy's default resolver
it is IPv4 only, honours ``DNS_TIMEOUT`` and caches answers (the check runs on cached answers
too). It applies to every request of the process: feeds, schema.org site pages, sitemaps and
robots.txt.

Twisted's endpoint turns any failed lookup into a generic "Couldn't find the hostname" error, so
refusals are also remembered here by host; ``crawlers.middlewares.RefusedAddressReporter`` turns
the download error back into a clear ``PrivateAddressRefused`` for the crawl report.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.datatypes import LocalCache
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from crawlers.address_policy import is_public_address, refusal_reason

if TYPE_CHECKING:
    from collections.abc import Sequence

    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# host -> why its last lookup was refused; cleared when a later lookup of the host is not refused.
_refusals: LocalCache[str, str] = LocalCache(1000)


def _host_key(host: str | bytes | None) -> str:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return (host or "").strip().rstrip(".").lower()


def refusal_for(host: str | bytes | None) -> str | None:
    """Why the resolver last refused ``host``, or None when its last lookup was not refused."""
    return _refusals.get(_host_key(host))


@implementer(IResolverSimple)
class PublicAddressResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing names that resolve to non-public addresses."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, allow_private: bool = False) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PublicAddressResolver:
        # ``crawler`` is the CrawlerProcess (Scrapy passes it so resolvers can read settings).
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        allow_private = settings.getbool("VH_ALLOW_PRIVATE_URLS")
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), allow_private)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:  # noqa: N802
        d = super().getHostByName(name, timeout)
        d.addCallbacks(self._vet, self._failed, callbackArgs=(name,), errbackArgs=(name,))
        return d

    def _vet(self, address: str, name: str) -> str:
        key = _host_key(name)
        if self.allow_private or is_public_address(address):
            _refusals.pop(key, None)
            return address
        reason = refusal_reason(name, address)
        _refusals[key] = reason
        logger.warning("refused to connect: %s", reason)
        raise DNSLookupError(f"refused: {reason}")

    def _failed(self, failure: Failure, name: str) -> Failure:
        _refusals.pop(_host_key(name), None)
        return failure
