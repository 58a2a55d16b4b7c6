"""``volunteer-hub validate``: the crawler's own parsers and rules, run on one file or URL."""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

from crawlers.formats import parse_feed
from crawlers.formats.base import FeedError, ParseProblem
from crawlers.middlewares import check_url
from crawlers.normalize import NormalizeContext, normalize
from crawlers.resolver import is_public_address, refusal_reason
from crawlers.settings import (
    DOWNLOAD_MAXSIZE,
    DOWNLOAD_TIMEOUT,
    REDIRECT_MAX_TIMES,
    USER_AGENT,
    VH_MAX_FEED_BYTES,
)
from volunteer_hub.core.config import load_settings

_LINE = re.compile(r"at line (\d+)")


class ValidationUnreadable(Exception):
    """The input cannot be read at all."""


def _pinned_connection(allow_private: bool):  # noqa: ANN202 - a socket.create_connection stand-in
    """``socket.create_connection`` that resolves the host once, refuses non-public addresses
    (unless allowed) and connects to the address it checked: no second lookup to rebind."""

    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):  # noqa: ANN001, ANN202, SLF001
        host, port = address
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        last_error: OSError | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = sockaddr[0]
            if not allow_private and not is_public_address(ip):
                raise ValidationUnreadable(f"refused: {refusal_reason(host, ip)}")
            try:
                return socket.create_connection((ip, port), timeout, source_address)
            except OSError as exc:
                last_error = exc
        raise last_error or OSError(f"{host} has no address")

    return create_connection


def _pinned(connection_class: type[http.client.HTTPConnection], allow_private: bool):  # noqa: ANN202
    """A ``connection_class`` factory whose connections use ``_pinned_connection``."""

    def connection(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        conn = connection_class(*args, **kwargs)  # HTTPS: TLS still checks the host name
        conn._create_connection = _pinned_connection(allow_private)  # noqa: SLF001 - http.client's hook
        return conn

    return connection


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def http_open(self, req):  # noqa: ANN001, ANN201
        return self.do_open(_pinned(http.client.HTTPConnection, self.allow_private), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def https_open(self, req):  # noqa: ANN001, ANN201
        connection = _pinned(http.client.HTTPSConnection, self.allow_private)
        return self.do_open(connection, req, context=self._context)


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Apply the private-address guard to every redirect, as the crawler does."""

    max_redirections = REDIRECT_MAX_TIMES

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        reason = check_url(newurl, self.allow_private)
        if reason:
            raise ValidationUnreadable(f"it redirects to {newurl}, which is refused: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def read_source(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        allow_private = load_settings().allow_private_urls
        reason = check_url(source, allow_private)
        if reason:
            raise ValidationUnreadable(reason)
        opener = urllib.request.build_opener(
            _GuardedRedirects(allow_private),
            _PinnedHTTPHandler(allow_private),
            _PinnedHTTPSHandler(allow_private),
        )
        request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
        deadline = time.monotonic() + DOWNLOAD_TIMEOUT
        chunks: list[bytes] = []
        size = 0
        try:
            with opener.open(request, timeout=DOWNLOAD_TIMEOUT) as response:
                while chunk := response.read(64 * 1024):
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > DOWNLOAD_MAXSIZE:
                        raise ValidationUnreadable(
                            f"larger than the {DOWNLOAD_MAXSIZE / (1024 * 1024):g} MB download limit"
                        )
                    if time.monotonic() > deadline:
                        raise ValidationUnreadable(
                            f"the server did not send it within {DOWNLOAD_TIMEOUT:g} s"
                        )
        except (OSError, http.client.HTTPException) as exc:
            raise ValidationUnreadable(f"could not fetch it: {exc}") from exc
        return b"".join(chunks)
    path = Path(source)
    if not path.is_file():
        raise ValidationUnreadable("no such file")
    return path.read_bytes()


def validate_bytes(data: bytes, fmt: str = "auto", partner: str = "validate") -> dict[str, Any]:
    """Parse and normalize every item; collect errors (rejections) and warnings."""
    items = valid = 0
    errors: list[ParseProblem] = []
    warnings: list[ParseProblem] = []
    try:
        name, stream = parse_feed(data, fmt, VH_MAX_FEED_BYTES)
        context = NormalizeContext(partner=partner)
        seen: set[str] = set()
        for entry in stream:
            if isinstance(entry, ParseProblem):
                (errors if entry.severity == "error" else warnings).append(entry)
                continue
            items += 1
            key = entry.source_id or entry.url
            if key and key in seen:
                errors.append(
                    ParseProblem(
                        f"another item earlier in the feed has the same id {key!r}; only the first is kept",
                        item=key,
                        line=entry.line,
                        field="id",
                    )
                )
                continue
            if key:
                seen.add(key)
            opp, problems = normalize(entry, context)
            for p in problems:
                (errors if p.severity == "error" else warnings).append(p)
            if opp is None:
                continue
            valid += 1
    except FeedError as exc:
        if not items:
            raise ValidationUnreadable(str(exc)) from exc
        # Items were read before the feed broke (a truncated file): report them, and the break.
        line = _LINE.search(str(exc))
        errors.append(
            ParseProblem(
                f"{exc}; the items after this point could not be read (the crawler would fail the run "
                "and keep the previous data)",
                line=int(line.group(1)) if line else None,
                field="feed",
            )
        )
    return {
        "format": name,
        "items": items,
        "valid": valid,
        "errors": [p.as_dict() for p in errors],
        "warnings": [p.as_dict() for p in warnings],
    }


def validate_source(source: str, fmt: str = "auto") -> dict[str, Any]:
    return validate_bytes(read_source(source), fmt)
