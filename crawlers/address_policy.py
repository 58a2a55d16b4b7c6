"""Which addresses a partner URL may reach: the one address policy of every fetch.

The crawl's resolver (``crawlers.resolver``), its middleware (``crawlers.middlewares``) and the
fetcher of ``validate`` and the partner sign-up (``crawlers.fetch``) all ask ``is_public_address``.

``REFUSED`` is the IANA IPv4 and IPv6 special-purpose address registries' ranges that are not
globally reachable (plus multicast, broadcast and the deprecated 6to4 relay anycast), one table.
On top of it, an IPv6 address must be global unicast (``2000::/3``), which also refuses every
unassigned range; and addresses that carry an IPv4 address (NAT64's well-known prefix, 6to4) are
judged by the IPv4 address they lead to. ``ipaddress.is_global`` is not used: depending on the
Python version it counts ``::a.b.c.d``, ``64:ff9b:1::/48``, ``::ffff:0:0/96`` or
``192.88.99.0/24`` as public.
"""

from __future__ import annotations

import ipaddress
from typing import Final

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# (range, what it is): refused whatever else is said below.
REFUSED: Final[tuple[tuple[Network, str], ...]] = tuple(
    (ipaddress.ip_network(net), what)
    for net, what in (
        # IPv4 special-purpose registry (RFC 6890 and updates)
        ("0.0.0.0/8", "this network"),
        ("10.0.0.0/8", "private use"),
        ("100.64.0.0/10", "shared address space (carrier-grade NAT)"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private use"),
        ("192.0.0.0/24", "IETF protocol assignments"),  # refused whole: no feed lives there
        ("192.0.2.0/24", "documentation (TEST-NET-1)"),
        ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
        ("192.168.0.0/16", "private use"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation (TEST-NET-2)"),
        ("203.0.113.0/24", "documentation (TEST-NET-3)"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("255.255.255.255/32", "limited broadcast"),
        # IPv6 special-purpose registry (RFC 6890 and updates)
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("::ffff:0:0/96", "IPv4-mapped"),
        ("::ffff:0:0:0/96", "IPv4-translated"),
        ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID...)"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing (SRv6) SIDs"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)

# IPv6 ranges that lead to an IPv4 address: judged by that address (see ``embedded_ipv4``).
NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix: DNS64 networks use it
SIX_TO_FOUR: Final = ipaddress.IPv6Network("2002::/16")
GLOBAL_UNICAST: Final = ipaddress.IPv6Network("2000::/3")


def refused_range(address: Address) -> tuple[Network, str] | None:
    """The first ``REFUSED`` range holding ``address``, or None."""
    for network, what in REFUSED:
        if address.version == network.version and address in network:
            return network, what
    return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a NAT64 (well-known prefix) or 6to4 address leads to."""
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in SIX_TO_FOUR:
        return address.sixtofour
    return None


def _public(address: Address) -> bool:
    if refused_range(address) is not None:
        return False
    if isinstance(address, ipaddress.IPv4Address):
        return True
    inner = embedded_ipv4(address)
    if inner is not None:
        return _public(inner)
    return address in GLOBAL_UNICAST


def is_public_address(address: str) -> bool:
    """True when ``address`` (an IP literal, maybe with a ``%zone``) is a public unicast address."""
    try:
        parsed = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return _public(parsed)


def refusal_reason(host: str, address: str) -> str:
    """What a refused fetch says: the host and the address it resolved to."""
    return (
        f"{host} resolved to {address} when connecting, a private, loopback, link-local "
        "or otherwise non-public address"
    )
