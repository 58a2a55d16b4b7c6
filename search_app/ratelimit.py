"""Rate limiting: the one limiter (in-process token buckets, one per client key) of the site.

The API (below), the partner sign-up and sign-in (``search_app.portal``) and problem reports
(``search_app.reports``) all use ``RateLimiter``; the latter two through ``named(app, ...)``.

The API: one token bucket per client IP.

Each client (``request.remote_addr``; put ``werkzeug.middleware.proxy_fix.ProxyFix`` in front
when the app runs behind a reverse proxy) has a bucket of ``API_RATE_LIMIT`` tokens refilled
continuously over ``API_RATE_LIMIT_PERIOD`` seconds; each request takes one. An empty bucket
answers 429 with ``Retry-After`` (whole seconds until the next token) and a JSON error.

App config (defaults in brackets):

- ``API_RATE_LIMIT`` [120]: requests per period; 0 or None disables limiting.
- ``API_RATE_LIMIT_PERIOD`` [60]: seconds.
- ``API_RATE_LIMIT_BURST`` [= ``API_RATE_LIMIT``]: bucket capacity.

The state lives in the process: with several worker processes each keeps its own buckets,
so the effective limit is per worker. CORS preflights (OPTIONS) are not counted.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, jsonify, request

from search_app.serialize import error_payload

EXTENSION = "volunteer_hub_ratelimit"
DEFAULT_LIMIT = 120
DEFAULT_PERIOD = 60.0
MAX_CLIENTS = 100_000  # idle full buckets are dropped beyond this many tracked clients
# Headers a cross-origin script may read (see the CORS hook in search_app.api).
EXPOSED_HEADERS = "Retry-After, RateLimit-Limit, RateLimit-Remaining"


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by client; thread-safe; ``clock`` is injectable for tests."""

    def __init__(
        self,
        limit: int,
        period: float = DEFAULT_PERIOD,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit <= 0 or period <= 0:
            raise ValueError("limit and period must be positive")
        self.limit = limit
        self.period = float(period)
        self.capacity = float(burst if burst and burst > 0 else limit)
        self.rate = limit / self.period  # tokens per second
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> tuple[bool, int, float]:
        """Spend one of ``client``'s tokens: (allowed, tokens left, seconds until the next token)."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._prune(now)
                bucket = self._buckets[client] = Bucket(self.capacity, now)
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(self.capacity, bucket.tokens + elapsed * self.rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True, int(bucket.tokens), 0.0
            return False, 0, (1.0 - bucket.tokens) / self.rate

    def allow(self, client: str) -> bool:
        """Spend one of ``client``'s tokens; False when it has none left."""
        return self.take(client)[0]

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket has refilled (they would start full anyway)."""
        full = [
            k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_CLIENTS:  # still crowded: drop the least recently seen half
            for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[: MAX_CLIENTS // 2]:
                del self._buckets[key]


_named_lock = threading.Lock()


def named(app: Flask, name: str, limit: int, period: float) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use): ``limit`` at once, refilled over ``period``
    seconds, so a client that used them all gets one more every ``period / limit`` seconds."""
    key = f"{EXTENSION}:{name}"
    with _named_lock:
        if key not in app.extensions:
            app.extensions[key] = RateLimiter(limit, period)
        return app.extensions[key]


def limiter(app: Flask | None = None) -> RateLimiter | None:
    """The app's limiter, built from its config on first use; None when limiting is off."""
    app = app or current_app
    if EXTENSION not in app.extensions:
        limit = app.config.get("API_RATE_LIMIT", DEFAULT_LIMIT)
        app.extensions[EXTENSION] = (
            RateLimiter(
                int(limit),
                float(app.config.get("API_RATE_LIMIT_PERIOD", DEFAULT_PERIOD)),
                app.config.get("API_RATE_LIMIT_BURST"),
            )
            if limit
            else None
        )
    return app.extensions[EXTENSION]


def check() -> Response | None:
    """Before an API request: None to go on, or the 429 response when the client is over its limit."""
    if request.method == "OPTIONS":
        return None
    active = limiter()
    if active is None:
        return None
    allowed, remaining, wait = active.take(request.remote_addr or "unknown")
    if allowed:
        request.environ["volunteer_hub.ratelimit"] = (active.limit, remaining)
        return None
    retry_after = max(1, math.ceil(wait))
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


def add_headers(response: Response) -> Response:
    """After an allowed API request: ``RateLimit-Limit`` and ``RateLimit-Remaining``."""
    state = request.environ.get("volunteer_hub.ratelimit")
    if state:
        response.headers["RateLimit-Limit"] = str(state[0])
        response.headers["RateLimit-Remaining"] = str(state[1])
    return response
