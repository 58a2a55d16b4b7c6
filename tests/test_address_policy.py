"""The address policy (``crawlers.address_policy``): every non-public IPv4 and IPv6 range of the IANA
special-purpose registries is refused; global unicast addresses are not.

Table-driven, and nothing here opens a connection or sends a DNS query: addresses are judged as
literals, and the fetcher is given a stub resolver whose answers are refused before connecting.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

import crawlers.fetch
from crawlers.address_policy import REFUSED, is_public_address
from crawlers.fetch import FetchError, FetchLimits, fetch

# (address, why it is refused): one or more per range, edges included.
NON_PUBLIC = [
    ("0.0.0.0", "this network"),
    ("0.255.255.255", "this network"),
    ("10.0.0.7", "private use"),
    ("100.64.0.1", "shared address space"),
    ("100.127.255.254", "shared address space"),
    ("127.0.0.1", "loopback"),
    ("127.255.0.1", "loopback"),
    ("169.254.169.254", "link-local (cloud metadata)"),
    ("172.16.0.1", "private use"),
    ("172.31.255.255", "private use"),
    ("192.0.0.8", "IETF protocol assignments"),
    ("192.0.2.10", "TEST-NET-1"),
    ("192.88.99.1", "deprecated 6to4 relay anycast (issue 16)"),
    ("192.168.1.20", "private use"),
    ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"),
    ("198.51.100.1", "TEST-NET-2"),
    ("203.0.113.9", "TEST-NET-3"),
    ("224.0.0.251", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("::", "unspecified"),
    ("::1", "loopback"),
    ("::127.0.0.1", "IPv4-compatible loopback (issue 16)"),
    ("::8.8.8.8", "IPv4-compatible, deprecated even when public (issue 16)"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:8.8.8.8", "IPv4-mapped: the whole ::ffff:0:0/96 (issue 16)"),
    ("::ffff:0:a00:1", "IPv4-translated"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254"),
    ("64:ff9b:1::808:808", "local-use NAT64 64:ff9b:1::/48 (issue 16)"),
    ("100::1", "discard-only"),
    ("2001::1", "Teredo"),
    ("2001:2::1", "benchmarking"),
    ("2001:10::1", "ORCHID"),
    ("2001:db8::1", "documentation"),
    ("2002:7f00:1::1", "6to4 of 127.0.0.1"),
    ("2002:a00:1::1", "6to4 of 10.0.0.1"),
    ("3fff::1", "documentation"),
    ("5f00::1", "SRv6 SIDs"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "link-local with a zone"),
    ("fec0::1", "site-local"),
    ("ff02::1", "multicast"),
    ("4000::1", "not allocated (outside 2000::/3)"),
    ("not an address", "not an IP literal"),
]

PUBLIC = [
    "1.1.1.1",
    "8.8.8.8",
    "93.184.215.14",
    "100.63.255.255",  # just below the shared address space
    "100.128.0.0",  # just above it
    "172.15.255.255",
    "172.32.0.0",
    "192.88.98.255",
    "192.169.0.1",
    "223.255.255.254",
    "2606:4700:4700::1111",
    "2a00:1450:4007:80e::200e",
    "2001:200::1",  # just past 2001::/23
    "64:ff9b::808:808",  # NAT64 (well-known prefix) of 8.8.8.8: what DNS64 networks answer
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize(("address", "why"), NON_PUBLIC)
def test_non_public_addresses_are_refused(address: str, why: str) -> None:
    assert is_public_address(address) is False, why


@pytest.mark.parametrize("address", PUBLIC)
def test_global_unicast_addresses_are_public(address: str) -> None:
    assert is_public_address(address) is True


@pytest.mark.parametrize(("network", "what"), REFUSED, ids=[str(net) for net, _ in REFUSED])
def test_every_range_of_the_table_is_refused_at_both_ends(network: Any, what: str) -> None:
    for address in (network.network_address, network.broadcast_address):
        assert is_public_address(str(address)) is False, what


def test_the_table_covers_what_the_standard_library_knows() -> None:
    """Each range ``ipaddress`` counts as private or reserved is refused (it is not always right the
    other way round: see the module's docstring)."""
    probes = [
        "0.0.0.1", "10.1.1.1", "100.64.1.1", "127.1.1.1", "169.254.1.1", "172.16.1.1", "192.0.0.1",
        "192.0.2.1", "192.168.1.1", "198.18.1.1", "198.51.100.1", "203.0.113.1", "240.1.1.1",
        "::1", "::", "100::1", "2001:db8::1", "2001:2::1", "fc00::1", "fe80::1",
    ]  # fmt: skip
    for probe in probes:
        parsed = ipaddress.ip_address(probe)
        assert parsed.is_private or parsed.is_reserved or not parsed.is_global
        assert is_public_address(probe) is False, probe


@pytest.mark.parametrize(
    "answer", ["127.0.0.1", "::ffff:7f00:1", "::7f00:1", "64:ff9b:1::a00:1", "192.88.99.1", "fd00::1"]
)
def test_the_fetcher_refuses_such_an_answer_before_connecting(
    answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stub resolver answers the non-public address; the fetcher never tries to connect."""
    family = socket.AF_INET6 if ":" in answer else socket.AF_INET

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list:
        return [(family, socket.SOCK_STREAM, 6, "", (answer, port))]

    def no_connection(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a refused address was connected to")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(crawlers.fetch, "create_connection", no_connection)
    with pytest.raises(FetchError, match=f"feeds.example.org resolved to {answer} when connecting"):
        fetch("https://feeds.example.org/feed.xml", allow_private=False, limits=FetchLimits(5, 1000))
