"""Configuration: every ``VOLUNTEER_HUB_*`` variable is read here, and only here.

Each process loads it once at its entry point (the CLI's commands, ``create_app``, the
scheduler, Scrapyd's spider) with ``load_settings()`` and passes the ``Settings`` down; nothing
reads the environment at import time. The scheduler's and alerts' values are parsed here too
(``ops_values``) into ``volunteer_hub.core.ops_config.OpsConfig``. The README's configuration
table lists them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MB = 1024 * 1024


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number, or ``default`` when unset, unreadable or not positive."""
    try:
        value = float((env.get(name) or "").strip() or default)
    except ValueError:
        return default
    return value if value > 0 else default


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    return int(raw) if raw else default


def _text(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


@dataclass(frozen=True)
class Settings:
    home: Path
    search: str  # "sqlite" or an http(s) URL of an Elasticsearch node
    database_url: str
    allow_private_urls: bool
    es_index: str = "volunteer-hub"
    shrink_threshold: float = 0.5
    es_shards: int = 1
    es_replicas: int = 0
    # Fetching partner URLs (crawls, ``validate``, the portal sign-up).
    download_timeout: float = 60.0  # seconds for a whole download (the fetch deadline)
    download_maxsize: int = 100 * MB  # bytes on the wire, and after Content-Encoding decompression
    max_feed_bytes: int = 200 * MB  # bytes after decompressing a gzip file (gzip bombs)
    retry_times: int = 2
    # Seconds a crawl waits for a database server that refuses connections (a restart) before failing.
    crawl_db_wait: float = 60.0
    # The web app.
    secret_key: str | None = None  # None: a random key kept in ``home / "secret_key"``
    cookie_secure: bool = True  # ``VOLUNTEER_HUB_COOKIE_SECURE=0`` allows cookies over plain http
    metrics_token: str | None = None
    # Without a token, /metrics answers only requests from these networks (not through a proxy).
    metrics_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # Where the public reaches the site ("https://benevolat.example.org"): every absolute link
    # and e-mail is built from it, never from a request's Host header. None in development.
    public_url: str | None = None
    # Host names the site answers to; others get 400. Empty: the public URL's host, if any.
    trusted_hosts: tuple[str, ...] = ()
    # Reverse proxies in front of the site whose X-Forwarded-* headers are believed (ProxyFix);
    # 0: none, the client is the TCP peer.
    trusted_proxies: int = 0
    # Requests per client address: (requests, seconds); 0 requests switches the limit off.
    rate_limit_api: tuple[int, float] = (120, 60.0)
    rate_limit_search: tuple[int, float] = (60, 60.0)  # HTML search pages and the widget
    rate_limit_feeds: tuple[int, float] = (60, 60.0)  # RSS and Atom feeds
    # The link checker (services.links): seconds between two requests to one host, hosts checked
    # at once (one request at a time per host), seconds allowed per check, and how long a link
    # must stay dead (two checks at least that far apart) before its listing is hidden.
    link_check_delay: float = 1.0
    link_check_hosts: int = 4
    link_check_timeout: float = 20.0
    link_dead_after_hours: float = 24.0
    # Staleness rules (services.staleness), each "flag" or "hide"; a partner may set its own
    # months for the first one (Partner.stale_after_months). 0 months switches a rule off.
    stale_not_updated_months: int = 6  # not updated by its partner (the record's "updated" date)
    stale_not_updated_action: str = "flag"
    stale_undated_months: int = 12  # no date at all, and first seen longer ago than this
    stale_undated_action: str = "hide"
    # Partner pictures (services.images): bytes and seconds allowed per picture, pixels a picture
    # may have (decompression bombs), hours before a failed picture is tried again (doubling on
    # each failure, at most a week), days before a cached picture is asked again (conditional GET).
    picture_max_bytes: int = 5 * MB
    picture_timeout: float = 20.0
    picture_max_pixels: int = 40_000_000
    picture_retry_hours: float = 6.0
    picture_refresh_days: float = 7.0
    # Map tiles of the site's maps (a Leaflet URL template) and their attribution (HTML, shown on the map).
    map_tiles: str = OSM_TILES
    map_attribution: str = OSM_ATTRIBUTION

    @property
    def uses_elasticsearch(self) -> bool:
        return self.search.startswith(("http://", "https://"))

    @property
    def sqlite_index_path(self) -> Path:
        return self.home / "search.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pictures_dir(self) -> Path:
        """The partner picture cache (``volunteer_hub.store.pictures``)."""
        return self.home / "pictures"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    home = Path(env.get("VOLUNTEER_HUB_HOME") or Path.home() / ".volunteer-hub").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    retries = (env.get("VOLUNTEER_HUB_RETRY_TIMES") or "").strip()
    return Settings(
        home=home,
        search=(env.get("VOLUNTEER_HUB_SEARCH") or "sqlite").strip(),
        database_url=env.get("VOLUNTEER_HUB_DATABASE_URL") or f"sqlite:///{home / 'volunteer-hub.db'}",
        allow_private_urls=_truthy(env.get("VOLUNTEER_HUB_ALLOW_PRIVATE_URLS")),
        es_index=env.get("VOLUNTEER_HUB_ES_INDEX") or "volunteer-hub",
        shrink_threshold=float(env.get("VOLUNTEER_HUB_SHRINK_THRESHOLD") or 0.5),
        es_shards=int(env.get("VOLUNTEER_HUB_ES_SHARDS") or 1),
        es_replicas=int(env.get("VOLUNTEER_HUB_ES_REPLICAS") or 0),
        download_timeout=_positive(env, "VOLUNTEER_HUB_DOWNLOAD_TIMEOUT", 60),
        download_maxsize=int(_positive(env, "VOLUNTEER_HUB_DOWNLOAD_MAXSIZE", 100 * MB)),
        max_feed_bytes=int(_positive(env, "VOLUNTEER_HUB_MAX_FEED_BYTES", 200 * MB)),
        retry_times=int(retries) if retries else 2,
        crawl_db_wait=_non_negative(env, "VOLUNTEER_HUB_CRAWL_DB_WAIT", 60.0),
        secret_key=env.get("VOLUNTEER_HUB_SECRET_KEY") or None,
        cookie_secure=(env.get("VOLUNTEER_HUB_COOKIE_SECURE") or "").strip() != "0",
        metrics_token=env.get("VOLUNTEER_HUB_METRICS_TOKEN") or None,
        metrics_networks=_networks(env, "VOLUNTEER_HUB_METRICS_NETWORKS", ("127.0.0.0/8", "::1/128")),
        public_url=_public_url(env),
        trusted_hosts=tuple(
            h.strip().lower() for h in (env.get("VOLUNTEER_HUB_TRUSTED_HOSTS") or "").split(",") if h.strip()
        ),
        trusted_proxies=_trusted_proxies(env),
        rate_limit_api=_rate_limit(env, "VOLUNTEER_HUB_RATE_LIMIT_API", (120, 60.0)),
        rate_limit_search=_rate_limit(env, "VOLUNTEER_HUB_RATE_LIMIT_SEARCH", (60, 60.0)),
        rate_limit_feeds=_rate_limit(env, "VOLUNTEER_HUB_RATE_LIMIT_FEEDS", (60, 60.0)),
        link_check_delay=_non_negative(env, "VOLUNTEER_HUB_LINK_CHECK_DELAY", 1.0),
        link_check_hosts=int(_positive(env, "VOLUNTEER_HUB_LINK_CHECK_HOSTS", 4)),
        link_check_timeout=_positive(env, "VOLUNTEER_HUB_LINK_CHECK_TIMEOUT", 20.0),
        link_dead_after_hours=_non_negative(env, "VOLUNTEER_HUB_LINK_DEAD_AFTER_HOURS", 24.0),
        stale_not_updated_months=int(_non_negative(env, "VOLUNTEER_HUB_STALE_NOT_UPDATED_MONTHS", 6)),
        stale_not_updated_action=_rule_action(env, "VOLUNTEER_HUB_STALE_NOT_UPDATED_ACTION", "flag"),
        stale_undated_months=int(_non_negative(env, "VOLUNTEER_HUB_STALE_UNDATED_MONTHS", 12)),
        stale_undated_action=_rule_action(env, "VOLUNTEER_HUB_STALE_UNDATED_ACTION", "hide"),
        picture_max_bytes=int(_positive(env, "VOLUNTEER_HUB_PICTURE_MAX_BYTES", 5 * MB)),
        picture_timeout=_positive(env, "VOLUNTEER_HUB_PICTURE_TIMEOUT", 20.0),
        picture_max_pixels=int(_positive(env, "VOLUNTEER_HUB_PICTURE_MAX_PIXELS", 40_000_000)),
        picture_retry_hours=_positive(env, "VOLUNTEER_HUB_PICTURE_RETRY_HOURS", 6.0),
        picture_refresh_days=_positive(env, "VOLUNTEER_HUB_PICTURE_REFRESH_DAYS", 7.0),
        map_tiles=_map_tiles(env),
        map_attribution=_text(env, "VOLUNTEER_HUB_MAP_ATTRIBUTION") or OSM_ATTRIBUTION,
    )


def _map_tiles(env: Mapping[str, str]) -> str:
    """``VOLUNTEER_HUB_MAP_TILES``: an http(s) tile URL template with {z}, {x} and {y}."""
    raw = _text(env, "VOLUNTEER_HUB_MAP_TILES")
    if raw is None:
        return OSM_TILES
    parts = urlsplit(raw)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or not all(key in raw for key in ("{z}", "{x}", "{y}"))
    ):
        raise ConfigError(
            "VOLUNTEER_HUB_MAP_TILES must be an http(s) tile URL with {z}, {x} and {y}, like "
            f"{OSM_TILES} (got {raw!r})"
        )
    return raw


class ConfigError(ValueError):
    """A setting has a value the application cannot run with."""


def _non_negative(env: Mapping[str, str], name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a number (got {raw!r})") from None
    if value < 0:
        raise ConfigError(f"{name} must be 0 or more (got {raw!r})")
    return value


def _rule_action(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip().lower() or default
    if raw not in ("flag", "hide"):
        raise ConfigError(f"{name} must be flag or hide (got {raw!r})")
    return raw


def _networks(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated networks ("10.0.0.0/8, 192.168.1.7"), each checked; ``default`` when unset."""
    raw = _text(env, name)
    if raw is None:
        return default
    networks = tuple(n.strip() for n in raw.split(",") if n.strip())
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ConfigError(f"{name}: not a network or address: {network!r}") from None
    return networks


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = (_text(env, "VOLUNTEER_HUB_PUBLIC_URL") or "").rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"VOLUNTEER_HUB_PUBLIC_URL must be the site's address, like https://benevolat.example.org "
            f"(got {raw!r})"
        )
    return raw


def _trusted_proxies(env: Mapping[str, str]) -> int:
    raw = (env.get("VOLUNTEER_HUB_TRUSTED_PROXIES") or "").strip() or "0"
    if not raw.isdigit() or int(raw) > 10:
        raise ConfigError(
            f"VOLUNTEER_HUB_TRUSTED_PROXIES must be the number of reverse proxies in front of the site, "
            f"0 to 10 (got {raw!r})"
        )
    return int(raw)


PERIODS = {"s": 1.0, "second": 1.0, "m": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}


def _rate_limit(env: Mapping[str, str], name: str, default: tuple[int, float]) -> tuple[int, float]:
    """``120/minute`` (also ``120/m``, ``120/60`` seconds, or ``120``: per minute); ``0``: off."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    count, _, per = raw.partition("/")
    per = per.strip() or "minute"
    try:
        limit = int(count.strip())
        period = PERIODS[per] if per in PERIODS else float(per)
    except (KeyError, ValueError):
        limit, period = -1, 0.0
    if limit < 0 or not 0 < period < 1e9:
        raise ConfigError(
            f"{name} must look like 120/minute, 10/second, 600/hour or 0 for no limit (got {raw!r})"
        )
    return limit, period


def ops_values(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The scheduler's and alerts' settings, as ``core.ops_config.OpsConfig`` keyword arguments
    (that dataclass keeps their defaults and documentation, docs/operations.md)."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {
        "crawl_timeout_seconds": _int(env, "VOLUNTEER_HUB_CRAWL_TIMEOUT", 1800),
        "workers": _int(env, "VOLUNTEER_HUB_SCHEDULER_WORKERS", 4),
        "reconcile_seconds": _int(env, "VOLUNTEER_HUB_RECONCILE_SECONDS", 30),
        "misfire_grace_seconds": _int(env, "VOLUNTEER_HUB_MISFIRE_GRACE", 900),
        # Test settings: the subprocess scheduler's tests shorten a partner's "minute" and the wait
        # before a never-crawled partner's first crawl (docs/operations.md says to leave them alone).
        "minute_seconds": _int(env, "VOLUNTEER_HUB_SCHEDULER_MINUTE_SECONDS", 60),
        "first_crawl_delay_seconds": _int(env, "VOLUNTEER_HUB_FIRST_CRAWL_DELAY", 20),
        "retention_days": _int(env, "VOLUNTEER_HUB_RUN_RETENTION_DAYS", 90),
        "keep_runs_per_partner": _int(env, "VOLUNTEER_HUB_KEEP_RUNS", 20),
        "alert_failures": _int(env, "VOLUNTEER_HUB_ALERT_FAILURES", 3),
        "alert_webhook": _text(env, "VOLUNTEER_HUB_ALERT_WEBHOOK"),
        "public_url": _public_url(env),
        "smtp_host": _text(env, "VOLUNTEER_HUB_SMTP_HOST"),
        "smtp_port": _int(env, "VOLUNTEER_HUB_SMTP_PORT", 25),
        "smtp_starttls": _truthy(env.get("VOLUNTEER_HUB_SMTP_STARTTLS")),
        "smtp_user": _text(env, "VOLUNTEER_HUB_SMTP_USER"),
        "smtp_password": env.get("VOLUNTEER_HUB_SMTP_PASSWORD") or None,
        "alert_email_from": (env.get("VOLUNTEER_HUB_ALERT_EMAIL_FROM") or "volunteer-hub@localhost").strip(),
        "scrapyd_url": (_text(env, "VOLUNTEER_HUB_SCRAPYD_URL") or "").rstrip("/") or None,
        "alert_email_to": tuple(
            a.strip() for a in (env.get("VOLUNTEER_HUB_ALERT_EMAIL_TO") or "").split(",") if a.strip()
        ),
    }
    return values
