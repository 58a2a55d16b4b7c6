"""Rate limiting: the one limiter of the site, token buckets in the database shared by every worker.

The buckets live in the database (``volunteer_hub.store.rate_limit``), so the gunicorn workers of
``volunteer-hub serve`` spend the same tokens: a limit is per client address for the whole site,
not per process. The client is ``request.remote_addr``, which ``ProxyFix`` takes from
``X-Forwarded-For`` only with ``VOLUNTEER_HUB_TRUSTED_PROXIES`` set (``create_app``).

Limited, per client address (``Settings``; docs/operations.md):

- ``api`` [120/minute]: everything under ``/api/`` (CORS preflights are not counted); 429 with a JSON
  error, ``Retry-After``, and ``RateLimit-Limit``/``RateLimit-Remaining`` on every answer;
- ``search`` [60/minute]: the HTML search page and the widget; ``feeds`` [60/minute]: RSS and Atom
  feeds; both answer 429 with ``Retry-After`` and a friendly page;
- ``named(app, ...)`` limiters: the partner sign-up and sign-in (``search_app.portal``) and problem
  reports (``search_app.reports``).

Each client has a bucket of ``limit`` tokens refilled continuously over ``period`` seconds; each
request takes one. App config ``API_RATE_LIMIT`` (0 or None: off), ``API_RATE_LIMIT_PERIOD`` and
``API_RATE_LIMIT_BURST`` override the API's settings (tests). When the database cannot be written
the request goes through (logged): a limiter must not take the search down with it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError

from search_app.serialize import error_payload
from search_app.services import services
from volunteer_hub.store import rate_limit
from volunteer_hub.store.db import Database

log = logging.getLogger(__name__)

EXTENSION = "volunteer_hub_ratelimit"
DEFAULT_LIMIT = 120
DEFAULT_PERIOD = 60.0
PRUNE_EVERY = 300.0  # seconds between deletions of refilled buckets (per limiter, per process)
# Headers a cross-origin script may read (see the CORS hook in search_app.api).
EXPOSED_HEADERS = "Retry-After, RateLimit-Limit, RateLimit-Remaining"
# Site endpoints limited, and the limit each one spends.
SITE_KINDS = {"public.search": "search", "public.widget": "search", "public.feed": "feeds"}


class RateLimiter:
    """Token buckets keyed by client, in the database; ``clock`` (epoch seconds) is injectable for tests.

    ``database``: where the buckets live; None: the app's (``search_app.services``) at each call."""

    def __init__(
        self,
        limit: int,
        period: float = DEFAULT_PERIOD,
        burst: int | None = None,
        clock: Callable[[], float] = time.time,
        *,
        name: str = "api",
        database: Database | None = None,
    ) -> None:
        if limit <= 0 or period <= 0:
            raise ValueError("limit and period must be positive")
        self.limit = limit
        self.period = float(period)
        self.capacity = float(burst if burst and burst > 0 else limit)
        self.rate = limit / self.period  # tokens per second
        self.clock = clock
        self.name = name
        self.database = database
        self._next_prune = 0.0

    def _db(self) -> Database:
        return self.database or services()._database()  # noqa: SLF001 - the shared, lazily opened database

    def take(self, client: str) -> tuple[bool, int, float]:
        """Spend one of ``client``'s tokens: (allowed, tokens left, seconds until the next token)."""
        now = self.clock()
        try:
            db = self._db()
            if now >= self._next_prune:
                self._next_prune = now + PRUNE_EVERY
                rate_limit.prune(db, f"{self.name}:", self.capacity, self.rate, now)
            return rate_limit.take(db, f"{self.name}:{client}", self.capacity, self.rate, now)
        except SQLAlchemyError:
            log.warning("rate limit %s: database unavailable, request let through", self.name, exc_info=True)
            return True, int(self.capacity) - 1, 0.0

    def allow(self, client: str) -> bool:
        """Spend one of ``client``'s tokens; False when it has none left."""
        return self.take(client)[0]


_named_lock = threading.Lock()


def named(app: Flask, name: str, limit: int, period: float) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use): ``limit`` at once, refilled over ``period``
    seconds, so a client that used them all gets one more every ``period / limit`` seconds."""
    key = f"{EXTENSION}:{name}"
    with _named_lock:
        if key not in app.extensions:
            app.extensions[key] = RateLimiter(limit, period, name=name)
        return app.extensions[key]


def limiter(app: Flask | None = None, kind: str = "api") -> RateLimiter | None:
    """The app's ``kind`` limiter (api, search, feeds), built from its settings on first use;
    None when that limit is off."""
    app = app or current_app
    key = EXTENSION if kind == "api" else f"{EXTENSION}:{kind}"
    if key not in app.extensions:
        limit, period = getattr(app.extensions["volunteer_hub"].settings, f"rate_limit_{kind}")
        burst = None
        if kind == "api":
            limit = app.config.get("API_RATE_LIMIT", limit)
            period = app.config.get("API_RATE_LIMIT_PERIOD", period)
            burst = app.config.get("API_RATE_LIMIT_BURST")
        app.extensions[key] = RateLimiter(int(limit), float(period), burst, name=kind) if limit else None
    return app.extensions[key]


def _spend(kind: str) -> tuple[RateLimiter, int] | None:
    """Spend the client's token of ``kind``: None when allowed, else (limiter, seconds to wait)."""
    active = limiter(kind=kind)
    if active is None:
        return None
    allowed, remaining, wait = active.take(request.remote_addr or "unknown")
    if allowed:
        request.environ["volunteer_hub.ratelimit"] = (active.limit, remaining)
        return None
    return active, max(1, math.ceil(wait))


def check() -> Response | None:
    """Before an API request: None to go on, or the 429 response when the client is over its limit."""
    if request.method == "OPTIONS":
        return None
    refused = _spend("api")
    if refused is None:
        return None
    active, retry_after = refused
    response = jsonify(
        error_payload(
            f"Too many requests: at most {active.limit} every {active.period:g} seconds per client; "
            f"retry in {retry_after} s"
        )
    )
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    response.headers["RateLimit-Limit"] = str(active.limit)
    response.headers["RateLimit-Remaining"] = "0"
    return response


def check_site() -> Response | None:
    """Before a site request: the search page, the widget and feeds spend their limit; 429 with a page."""
    kind = SITE_KINDS.get(request.endpoint or "")
    if kind is None or request.method == "OPTIONS":
        return None
    refused = _spend(kind)
    if refused is None:
        return None
    _active, retry_after = refused
    page = render_template(
        "error.html",
        status=429,
        title=gettext("Too many requests"),
        message=gettext(
            "You have made a lot of requests in a short time. Please wait %(seconds)s seconds and try again.",
            seconds=retry_after,
        ),
    )
    return Response(page, status=429, headers={"Retry-After": str(retry_after)}, mimetype="text/html")


def add_headers(response: Response) -> Response:
    """After an allowed API request: ``RateLimit-Limit`` and ``RateLimit-Remaining``."""
    state = request.environ.get("volunteer_hub.ratelimit")
    if state:
        response.headers["RateLimit-Limit"] = str(state[0])
        response.headers["RateLimit-Remaining"] = str(state[1])
    return response


def register(app: Flask) -> None:
    app.before_request(check_site)
