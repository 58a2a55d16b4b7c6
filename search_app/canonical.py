"""Absolute links never come from the request's ``Host`` header.

Behind ``create_app``, a small WSGI layer (``CanonicalHost``) first refuses requests for a host
the site does not serve (400), then, when the public URL is configured
(``VOLUNTEER_HUB_PUBLIC_URL``), rewrites the request's host, scheme and path prefix to it. Every
``url_for(..., _external=True)``, canonical link, sitemap entry, feed link and e-mailed sign-in
link is then built from the configured address, whatever a client sent: a forged ``Host:
evil.example`` can no longer make the site e-mail a partner a link to another server.

Without a public URL (development, tests), links follow the request; sign-in e-mails are then
refused (``portal.account.send_login_link``) rather than sent with a link an attacker chose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from volunteer_hub.core.config import Settings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def _host_name(host: str) -> str:
    """``Example.org:8000`` -> ``example.org``; ``[::1]:80`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def trusted_hosts(settings: Settings) -> tuple[str, ...]:
    """The host names served: the setting, else the public URL's host and loopback (health checks
    and a local reverse proxy); empty (anything) when neither is configured."""
    if settings.trusted_hosts:
        return tuple(_host_name(h) for h in settings.trusted_hosts)
    if settings.public_url:
        return (_host_name(urlsplit(settings.public_url).netloc), *LOOPBACK_HOSTS)
    return ()


class CanonicalHost:
    def __init__(self, app: WSGIApp, settings: Settings) -> None:
        self.app = app
        self.allowed = trusted_hosts(settings)
        self.public = urlsplit(settings.public_url) if settings.public_url else None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or ""
        if self.allowed and _host_name(host) not in self.allowed:
            body = b"Unknown host.\n"
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if self.public is not None:
            environ["HTTP_HOST"] = self.public.netloc
            environ["wsgi.url_scheme"] = self.public.scheme
            if self.public.path.rstrip("/"):  # served under a prefix the proxy strips
                environ["SCRIPT_NAME"] = self.public.path.rstrip("/")
        return self.app(environ, start_response)


def install(app: Any, settings: Settings) -> None:
    app.wsgi_app = CanonicalHost(app.wsgi_app, settings)
