"""The one fetcher of a partner URL outside Scrapy: ``validate URL``, the partner sign-up, the link
checker and the picture cache (``fetch_resource``: the body with its type and validators).

Every hop (the URL, then each redirect) is resolved once; unless private addresses are allowed,
any non-public answer (``crawlers.address_policy``) refuses the hop before anything is sent,
and the connection is made to the very address that was checked (no second lookup a hostile DNS
server could answer differently: DNS rebinding). Redirects are followed, at most
``max_redirects``, each one checked the same way. The body is capped at ``max_bytes``.

``deadline`` bounds the whole fetch from the first connection to the last byte, redirects
included: a watchdog shuts the socket when it passes, so a server that sends a byte a second
(or drips its headers) is cut with a clear message, not only one that falls silent. Each socket
operation also has ``timeout``. (Name resolution itself uses the system resolver's timeouts.)
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from socket import create_connection  # a module attribute, so tests can stand in for the network
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from crawlers.address_policy import is_public_address, refusal_reason

if TYPE_CHECKING:
    from volunteer_hub.core.config import Settings

USER_AGENT = "volunteer-hub/0.1 (+https://github.com/volunteer-hub/volunteer-hub; crawler of volunteer feeds)"
REDIRECTS = (301, 302, 303, 307, 308)
CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL could not be fetched; the message says why, in plain words."""


class HostNotFound(FetchError):
    """The host name does not resolve (a DNS failure): the link checker counts the link dead."""


class AddressRefused(FetchError):
    """The host resolves to an address the policy refuses (private, loopback...)."""


class TooLarge(FetchError):
    """The body is larger than ``FetchLimits.max_bytes``."""


@dataclass(frozen=True)
class Probe:
    """What a URL answered (``probe``): the final status, after redirects, and where it ended."""

    status: int
    url: str  # the URL that gave ``status`` (the last hop)
    redirects: tuple[str, ...]  # the hops before it
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Resource:
    """What ``fetch_resource`` got: a 2xx body, or a 304 (``not_modified``, no body)."""

    status: int
    url: str  # the URL that answered (the last hop)
    body: bytes
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class FetchLimits:
    deadline: float  # seconds for the whole fetch, redirects included
    max_bytes: int  # body size
    timeout: float | None = None  # seconds per socket operation (default: the deadline)
    max_redirects: int = 5  # as the crawl's REDIRECT_MAX_TIMES

    @classmethod
    def of(cls, settings: Settings, deadline: float | None = None) -> FetchLimits:
        """The deployment's crawl limits; ``deadline`` may only shorten the time allowed."""
        seconds = settings.download_timeout
        return cls(
            deadline=seconds if deadline is None else min(deadline, seconds),
            max_bytes=settings.download_maxsize,
        )


def _refused_hop(url: str) -> str | None:
    """Why ``url`` is not even looked up (scheme, host), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"only http and https URLs are fetched, not {parts.scheme or 'this'!r}"
    if not parts.hostname:
        return "the URL has no host"
    return None


def resolve(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to; a non-public one refuses the host (unless allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise HostNotFound(f"{host} does not resolve ({exc})") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise HostNotFound(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                raise AddressRefused(f"refused: {refusal_reason(host, address)}")
    return addresses


class _Watchdog:
    """Shuts the current socket down when the deadline passes, unblocking any read or write."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self.fired:
            raise self.expired()
        return left

    def explains(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the deadline: the watchdog fired, or a socket timeout (set to the time
        left) ran out at the deadline before the watchdog's thread got a core (a loaded machine)."""
        late = isinstance(exc, TimeoutError) and time.monotonic() >= self.ends - 0.1
        return self.fired or late

    def expired(self) -> FetchError:
        return FetchError(f"the server did not send it within {self.seconds:g} s (the time limit of a fetch)")

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.fired and sock is not None:
                self._shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                self._shut(self._sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the OS socket, TLS or not
        except OSError:
            pass


def _connection(
    scheme: str, host: str, port: int, address: str, timeout: float, watchdog: _Watchdog
) -> http.client.HTTPConnection:
    """An HTTP(S) connection to ``host`` that connects to ``address`` (TLS still checks ``host``)."""
    if scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)

    def pinned(_address: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
        sock = create_connection((address, port), timeout, source_address)
        watchdog.watch(sock)  # from here on (TLS handshake included) the deadline can cut it
        return sock

    conn._create_connection = pinned  # noqa: SLF001 - http.client's hook for making the socket
    return conn


def _connect(
    parts: Any, addresses: list[str], timeout: float, watchdog: _Watchdog
) -> http.client.HTTPConnection:
    host = parts.hostname or ""
    last: Exception | None = None
    for address in addresses:
        conn = _connection(parts.scheme, host, _port(parts), address, timeout, watchdog)
        try:
            conn.connect()
            return conn
        except (OSError, ssl.SSLError) as exc:
            conn.close()
            last = exc
            if watchdog.explains(exc):
                raise watchdog.expired() from exc
    if watchdog.fired:
        raise watchdog.expired()
    raise FetchError(f"could not connect to {host} ({last})")


def _port(parts: Any) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def fetch(url: str, *, allow_private: bool, limits: FetchLimits, user_agent: str = USER_AGENT) -> bytes:
    """GET ``url`` under the address policy, pinned, redirects re-checked, size and time bounded."""
    return fetch_resource(url, allow_private=allow_private, limits=limits, user_agent=user_agent).body


def fetch_resource(
    url: str,
    *,
    allow_private: bool,
    limits: FetchLimits,
    user_agent: str = USER_AGENT,
    headers: dict[str, str] | None = None,
) -> Resource:
    """``fetch``, answering the body with its type and validators. ``headers`` (conditional request
    validators: If-None-Match, If-Modified-Since) go with the first hop only; a 304 answers a
    ``Resource`` whose ``not_modified`` is true."""
    timeout = limits.timeout or limits.deadline
    redirected = False
    with _Watchdog(limits.deadline) as watchdog:
        for _hop in range(limits.max_redirects + 1):
            try:
                reason = _refused_hop(url)
                if reason:
                    raise FetchError(reason)
                parts = urlsplit(url)
                addresses = resolve(parts.hostname or "", _port(parts), allow_private)
            except FetchError as exc:
                if redirected:
                    raise FetchError(f"it redirects to {url}, which is refused: {exc}") from None
                raise
            conn = _connect(parts, addresses, min(timeout, watchdog.remaining()), watchdog)
            sent = None if redirected else headers
            try:
                answer = _get(conn, parts, user_agent, watchdog, timeout, limits.max_bytes, sent)
            except (OSError, http.client.HTTPException) as exc:
                if watchdog.explains(exc):
                    raise watchdog.expired() from exc
                raise FetchError(f"could not fetch it: {exc or exc.__class__.__name__}") from exc
            finally:
                watchdog.watch(None)
                conn.close()
            if isinstance(answer, Resource):
                return Resource(
                    answer.status, url, answer.body, answer.content_type, answer.etag, answer.last_modified
                )
            url, redirected = urljoin(url, answer), True
        raise FetchError(f"too many redirects (more than {limits.max_redirects})")


def _get(
    conn: http.client.HTTPConnection,
    parts: Any,
    user_agent: str,
    watchdog: _Watchdog,
    timeout: float,
    max_bytes: int,
    headers: dict[str, str] | None = None,
) -> Resource | str:
    """One request: the answer, or the ``Location`` of a redirect."""
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = {"User-Agent": user_agent, "Accept-Encoding": "identity", **(headers or {})}
    conn.request("GET", target, headers=sent)
    response = conn.getresponse()
    if response.status in REDIRECTS and response.getheader("Location"):
        return response.getheader("Location", "")
    validators = (response.getheader("ETag"), response.getheader("Last-Modified"))
    if response.status == 304 and headers:
        return Resource(304, "", b"", None, *validators)
    if response.status >= 400:
        raise FetchError(f"the server answered HTTP {response.status}")
    chunks: list[bytes] = []
    size = 0
    while True:
        if conn.sock is not None:
            conn.sock.settimeout(min(timeout, watchdog.remaining()))
        chunk = response.read1(CHUNK)  # returns what arrived: the deadline is checked as bytes drip in
        if not chunk:
            watchdog.remaining()  # an end of data caused by the watchdog is no end of the body
            break
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"larger than the {max_bytes / (1024 * 1024):g} MB download limit")
        chunks.append(chunk)
        watchdog.remaining()
    return Resource(response.status, "", b"".join(chunks), response.getheader("Content-Type"), *validators)


def probe(
    url: str,
    *,
    allow_private: bool,
    limits: FetchLimits,
    user_agent: str = USER_AGENT,
    headers: dict[str, str] | None = None,
) -> Probe:
    """GET ``url`` like ``fetch`` (address policy, pinning, deadline, redirects re-checked), but
    answer the final HTTP status instead of raising on 4xx/5xx, and read no body. ``headers``
    (conditional request validators) go with the first hop only. Raises ``FetchError`` (or
    ``HostNotFound`` / ``AddressRefused``) when no HTTP answer was had."""
    timeout = limits.timeout or limits.deadline
    hops: list[str] = []
    with _Watchdog(limits.deadline) as watchdog:
        for _hop in range(limits.max_redirects + 1):
            reason = _refused_hop(url)
            if reason:
                raise FetchError(reason)
            parts = urlsplit(url)
            addresses = resolve(parts.hostname or "", _port(parts), allow_private)
            conn = _connect(parts, addresses, min(timeout, watchdog.remaining()), watchdog)
            try:
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                sent = {"User-Agent": user_agent, "Accept-Encoding": "identity"}
                if not hops:
                    sent.update(headers or {})
                conn.request("GET", target, headers=sent)
                response = conn.getresponse()
                location = response.getheader("Location")
                answer = Probe(
                    status=response.status,
                    url=url,
                    redirects=tuple(hops),
                    etag=response.getheader("ETag"),
                    last_modified=response.getheader("Last-Modified"),
                )
            except (OSError, http.client.HTTPException) as exc:
                if watchdog.explains(exc):
                    raise watchdog.expired() from exc
                raise FetchError(f"could not fetch it: {exc or exc.__class__.__name__}") from exc
            finally:
                watchdog.watch(None)
                conn.close()  # the body is never read: closing is cheaper than draining it
            if response.status in REDIRECTS and location:
                hops.append(url)
                url = urljoin(url, location)
                continue
            return answer
        raise FetchError(f"too many redirects (more than {limits.max_redirects})")
