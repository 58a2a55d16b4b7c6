"""Observability: ``/healthz`` (JSON, 200 or 503 with reasons) and ``/metrics`` (Prometheus).

Neither gives strangers a map of the installation: ``/healthz`` shows status and ok/failed per
check with a short reason (details - paths, hosts, PIDs, URLs - with the metrics token, or in the
console at ``/admin/health``); ``/metrics`` needs the metrics token when one is set, else a request
from a trusted network (loopback by default) that no proxy relayed.

In-process metrics (search latency, redirect clicks) are measured by app-wide request hooks
around the search endpoints and the ``/go/`` redirect, so views need no change; other code can
call ``observe_search_latency`` / ``count_redirect_click`` directly. Crawl metrics are read
from the database at scrape time (the crawls run in other processes).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from indexer.truth import check_index
from search_app.services import services
from volunteer_hub.core.moderation import CODES as MODERATION_CODES
from volunteer_hub.services.partners import list_partners
from volunteer_hub.services.scheduler_status import scheduler_status
from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.flags import trust_counts
from volunteer_hub.store.ops_models import AlertIncident
from volunteer_hub.store.states import RunStatus

log = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)

SEARCH_ENDPOINTS = {"public.search": "site", "api.search": "api"}
REDIRECT_ENDPOINT = "public.go"
DURATION_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
ITEM_OUTCOMES = (
    "seen", "new", "updated", "unchanged", "rejected", "removed", "indexed", "expired_on_arrival"
)  # fmt: skip

# Process-wide metrics (one registry per process, shared by every app instance).
REGISTRY = CollectorRegistry(auto_describe=True)
SEARCH_LATENCY = Histogram(
    "volunteer_hub_search_latency_seconds",
    "Time to answer a search (site page or API), seconds",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
REDIRECT_CLICKS = Counter(
    "volunteer_hub_redirect_clicks", "Visitors sent to a partner's page through /go/<id>", registry=REGISTRY
)


def observe_search_latency(seconds: float, endpoint: str = "site") -> None:
    """Hook: record one search's latency (done automatically for the search endpoints)."""
    SEARCH_LATENCY.labels(endpoint=endpoint).observe(seconds)


def count_redirect_click() -> None:
    """Hook: count one outbound redirect (done automatically for ``/go/<id>`` 302 answers)."""
    REDIRECT_CLICKS.inc()


def _database() -> Database:
    return services()._database()  # noqa: SLF001 - the shared, lazily opened database


# -- /healthz ------------------------------------------------------------------------------------
# What an orchestrator may read about a failed check: no path, host, PID or URL (the verbose view,
# behind the metrics token or the console's /admin/health, has the details).
SHORT_REASONS = {"database": "unreachable", "search": "unavailable", "scheduler": "unknown"}


def health_checks(db: Database) -> dict[str, dict[str, object]]:
    """Every check with its verbose ``detail`` (paths, hosts, URLs): for operators only."""
    checks: dict[str, dict[str, object]] = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "detail": db.engine.url.get_backend_name()}
    except Exception as exc:  # noqa: BLE001
        checks["database"] = {"ok": False, "detail": f"database unreachable: {exc.__class__.__name__}"}
    try:
        ok, detail = services().backend.health()
        checks["search"] = {"ok": bool(ok), "detail": detail}
    except Exception as exc:  # noqa: BLE001
        checks["search"] = {"ok": False, "detail": f"search backend error: {exc.__class__.__name__}"}
    if checks["search"]["ok"] and checks["database"]["ok"]:
        try:  # the index must hold what the database says it holds (indexer.truth)
            truth = check_index(db, services().backend)
        except Exception as exc:  # noqa: BLE001
            checks["search"] = {"ok": False, "detail": f"cannot count the index: {exc.__class__.__name__}"}
        else:
            if not truth.ok:
                checks["search"] = {"ok": False, "detail": truth.problem, "reason": "index incomplete"}
    if checks["database"]["ok"]:
        try:
            status = scheduler_status(db)
            checks["scheduler"] = {
                "ok": status.ok,
                "detail": status.detail,
                "last_beat": status.beat_at.isoformat() if status.beat_at else None,
                # a failed status names no host or PID: it may be shown to anyone
                "reason": None if status.ok else status.detail,
            }
        except Exception as exc:  # noqa: BLE001
            checks["scheduler"] = {
                "ok": False,
                "detail": f"cannot read the heartbeat: {exc.__class__.__name__}",
                "reason": "cannot read the heartbeat",
            }
    else:
        checks["scheduler"] = {"ok": False, "detail": "unknown: the database is unreachable"}
    return checks


def health_body(checks: dict[str, dict[str, object]], *, verbose: bool) -> tuple[dict[str, object], int]:
    """The /healthz answer: status, one reason per failed check, and the checks (short or verbose)."""
    if verbose:
        shown = {name: {k: v for k, v in c.items() if k != "reason"} for name, c in checks.items()}
        reasons = [f"{name}: {c['detail']}" for name, c in checks.items() if not c["ok"]]
    else:
        shown = {
            name: {"ok": True} if c["ok"] else {"ok": False, "reason": _short_reason(name, c)}
            for name, c in checks.items()
        }
        reasons = [f"{name}: {c['reason']}" for name, c in shown.items() if not c["ok"]]
    body = {"status": "ok" if not reasons else "unhealthy", "reasons": reasons, "checks": shown}
    return body, 200 if not reasons else 503


def _short_reason(name: str, check: dict[str, object]) -> str:
    return str(check.get("reason") or SHORT_REASONS.get(name) or "failed")


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Status and ok/failed per check for orchestrators; the details with the metrics token."""
    body, status = health_body(health_checks(_database()), verbose=has_metrics_token())
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


# -- who may read the operational views -----------------------------------------------------------
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip")


def has_metrics_token() -> bool:
    """The request carries ``Authorization: Bearer <VOLUNTEER_HUB_METRICS_TOKEN>`` (one is set)."""
    token = services().settings.metrics_token
    if not token:
        return False
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


def from_trusted_network() -> bool:
    """The peer is in ``VOLUNTEER_HUB_METRICS_NETWORKS`` (loopback by default) and did not relay
    the request for someone else: behind a local reverse proxy, every visitor's request comes from
    127.0.0.1, with a forwarding header."""
    if any(name in request.headers for name in PROXY_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address((request.remote_addr or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped is not None:
        peer = peer.ipv4_mapped
    networks = services().settings.metrics_networks
    return any(peer in ipaddress.ip_network(n, strict=False) for n in networks)


# -- /metrics ------------------------------------------------------------------------------------
class DatabaseCollector(Collector):
    """Crawl and catalogue metrics computed from the database at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        db = self.db
        with db.session() as s:
            by_status = dict(s.execute(select(CrawlRun.status, func.count()).group_by(CrawlRun.status)).all())
            sums = s.execute(
                select(*(func.coalesce(func.sum(getattr(CrawlRun, o)), 0) for o in ITEM_OUTCOMES))
            ).one()
            durations = s.execute(
                select(CrawlRun.started_at, CrawlRun.finished_at).where(CrawlRun.finished_at.is_not(None))
            ).all()
            alerts = dict(
                s.execute(
                    select(AlertIncident.kind, func.count())
                    .where(AlertIncident.resolved_at.is_(None))
                    .group_by(AlertIncident.kind)
                ).all()
            )
        runs = GaugeMetricFamily(
            "volunteer_hub_crawl_runs", "Recorded crawl runs by status", labels=["status"]
        )
        for status in RunStatus:  # a series for every status, even at zero
            runs.add_metric([status], by_status.pop(status, 0))
        for status, count in by_status.items():
            runs.add_metric([status], count)
        yield runs
        items = GaugeMetricFamily(
            "volunteer_hub_crawl_items", "Items over recorded runs by outcome", labels=["outcome"]
        )
        for outcome, value in zip(ITEM_OUTCOMES, sums, strict=True):
            items.add_metric([outcome], int(value or 0))
        yield items
        buckets = [0] * len(DURATION_BUCKETS)
        total = 0.0
        for started, finished in durations:
            seconds = max(0.0, (finished - started).total_seconds())
            total += seconds
            for i, bound in enumerate(DURATION_BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
        hist = HistogramMetricFamily(
            "volunteer_hub_crawl_duration_seconds", "Duration of recorded crawl runs"
        )
        hist.add_metric(
            [],
            [(str(float(b)), c) for b, c in zip(DURATION_BUCKETS, buckets, strict=True)]
            + [("+Inf", len(durations))],
            total,
        )
        yield hist
        opps = GaugeMetricFamily("volunteer_hub_live_opportunities", "Live opportunities", labels=["partner"])
        for partner in list_partners(db):
            if partner.live:  # a series per partner with live listings
                opps.add_metric([partner.partner.id], partner.live)
        yield opps
        with db.session() as s:
            trust = trust_counts(s)
        listings = GaugeMetricFamily(
            "volunteer_hub_listing_rules",
            "Shown or suppressed listings an automatic rule holds for (docs/quality.md)",
            labels=["rule"],
        )
        for rule in ("stale", "dead-links", *MODERATION_CODES):  # a series for each, even at zero
            listings.add_metric([rule], trust.pop(rule, 0))
        for rule, count in sorted(trust.items()):
            listings.add_metric([rule], count)
        yield listings
        open_alerts = GaugeMetricFamily("volunteer_hub_open_alerts", "Open alert incidents", labels=["kind"])
        for kind in ("failing", "shrink-guarded", "stale"):
            open_alerts.add_metric([kind], alerts.get(kind, 0))
        yield open_alerts
        status = scheduler_status(db)
        up = GaugeMetricFamily("volunteer_hub_scheduler_up", "1 when the scheduler heartbeat is fresh")
        up.add_metric([], 1 if status.ok else 0)
        yield up
        if status.age_seconds is not None:
            age = GaugeMetricFamily(
                "volunteer_hub_scheduler_heartbeat_age_seconds", "Seconds since the last beat"
            )
            age.add_metric([], status.age_seconds)
            yield age


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text: with the metrics token when one is set, else from a trusted network only."""
    if services().settings.metrics_token:
        if not has_metrics_token():
            return Response("unauthorized\n", status=401, mimetype="text/plain")
    elif not from_trusted_network():
        message = "forbidden: set VOLUNTEER_HUB_METRICS_TOKEN or scrape from a trusted network\n"
        return Response(message, status=403, mimetype="text/plain")
    body = generate_latest(REGISTRY)
    registry = CollectorRegistry(auto_describe=False)
    try:
        registry.register(DatabaseCollector(_database()))
        body += generate_latest(registry)
    except Exception:  # noqa: BLE001 - in-process metrics stay available when the database is not
        log.exception("database metrics unavailable")
    response = Response(body, mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


# -- request hooks -------------------------------------------------------------------------------
def _start_timer() -> None:
    if request.endpoint in SEARCH_ENDPOINTS:
        g.vh_search_started = time.perf_counter()


def _record(response: Response) -> Response:
    endpoint = request.endpoint
    if endpoint in SEARCH_ENDPOINTS and "vh_search_started" in g:
        observe_search_latency(time.perf_counter() - g.vh_search_started, SEARCH_ENDPOINTS[endpoint])
    elif endpoint == REDIRECT_ENDPOINT and response.status_code in (301, 302, 303, 307):
        count_redirect_click()
    return response


def register(app: Flask) -> None:
    """Add /healthz, /metrics and the measuring hooks to the app."""
    app.register_blueprint(bp)
    app.before_request(_start_timer)
    app.after_request(_record)
