"""Goal 3: the API under concurrent load through the production server, against raw Elasticsearch.

``volunteer-hub serve`` (gunicorn, the shipped server) runs in a throw-away home over an index the
indexing section built; ``clients`` threads, each with its own keep-alive connection, send a mix of
keyword, cause, near-25-km, date and facet requests for ``seconds``. The baseline sends the *same
query bodies* our backend sent for those requests (recorded through the real app once) straight to
Elasticsearch's ``_search`` from the same load generator. p50/p95/p99, throughput, errors.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.stats import Row, summary_ms

CLI = [sys.executable, "-m", "volunteer_hub.cli"]
PATHS = [
    "/api/v1/opportunities?q=collecte",
    "/api/v1/opportunities?q=tri+repas&cause=solidarite-insertion",
    "/api/v1/opportunities?cause=environnement",
    "/api/v1/opportunities?near=48.1113,-1.68&radius_km=25",
    "/api/v1/opportunities?near=45.764,4.8357&radius_km=25&sort=nearest",
    "/api/v1/opportunities?date_from=2026-12-05&date_to=2026-12-20",
    "/api/v1/facets?cause=education",
    "/api/v1/opportunities?region=bretagne&page=3",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hammer(
    host: str, port: int, requests: list[tuple[str, str, bytes | None]], clients: int, seconds: float
) -> dict[str, Any]:
    """``clients`` threads loop over ``requests`` (method, path, body) for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = k
        while time.perf_counter() < deadline:
            method, path, body = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            try:
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            latencies[k].append(time.perf_counter() - started)
            if not ok:
                errors[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [x for per in latencies for x in per]
    return {
        **summary_ms(flat),
        "requests": len(flat),
        "errors": sum(errors),
        "rps": round(len(flat) / elapsed, 1),
    }


def recorded_es_bodies(es_url: str, alias: str) -> list[tuple[str, str, bytes | None]]:
    """The ``_search`` bodies our ES backend sends for ``PATHS``, recorded through the real app."""
    from search_app.app import create_app
    from volunteer_hub.core.config import load_settings

    bodies: list[tuple[str, str, bytes | None]] = []
    with tempfile.TemporaryDirectory(prefix="vh-bench-rec-") as home:
        settings = load_settings(
            {
                "VOLUNTEER_HUB_HOME": home,
                "VOLUNTEER_HUB_SEARCH": es_url,
                "VOLUNTEER_HUB_ES_INDEX": alias,
                "VOLUNTEER_HUB_RATE_LIMIT_API": "0",
            }
        )
        app = create_app({"SETTINGS": settings, "TESTING": True})
        backend = app.extensions["volunteer_hub"].backend if "volunteer_hub" in app.extensions else None
        es = backend.es if backend is not None else None
        if es is None:
            raise RuntimeError("cannot reach the app's Elasticsearch client to record query bodies")
        real_search = es.search

        def recording_search(index: str, **body: Any) -> Any:
            bodies.append(("POST", f"/{index}/_search", json.dumps(body).encode()))
            return real_search(index=index, **body)

        es.search = recording_search  # type: ignore[method-assign]
        client = app.test_client()
        for path in PATHS:
            resp = client.get(path)
            assert resp.status_code == 200, (path, resp.status_code, resp.data[:300])
    return bodies


def load_rows(
    label: str,
    env_extra: dict[str, str],
    clients: int,
    seconds: float,
    es_url: str | None = None,
    alias: str | None = None,
) -> list[Row]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="vh-bench-serve-") as home:
        env = {
            **os.environ,
            "VOLUNTEER_HUB_HOME": home,
            "VOLUNTEER_HUB_RATE_LIMIT_API": "0",
            "VOLUNTEER_HUB_RATE_LIMIT_SEARCH": "0",
            "VOLUNTEER_HUB_RATE_LIMIT_FEEDS": "0",
            **env_extra,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")])
            ),
        }
        server = subprocess.Popen(
            CLI + ["serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            _wait_ready(port, server)
            ours = hammer("127.0.0.1", port, [("GET", p, None) for p in PATHS], clients, seconds)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    rows = [
        Row(
            "load",
            f"API via gunicorn, {label}, {clients} clients",
            f"p50 {ours['p50_ms']:.0f} / p95 {ours['p95_ms']:.0f} / p99 {ours['p99_ms']:.0f} ms, "
            f"{ours['rps']} req/s, {ours['errors']} errors",
            goal="zero errors",
            met=ours["errors"] == 0,
            details=ours,
        )
    ]
    if es_url and alias:
        parts = urlsplit(es_url)
        raw = hammer(
            parts.hostname or "127.0.0.1",
            parts.port or 9200,
            recorded_es_bodies(es_url, alias),
            clients,
            seconds,
        )
        ratio = ours["p95_ms"] / raw["p95_ms"] if raw["p95_ms"] else None
        rows.append(
            Row(
                "load",
                f"same bodies straight to Elasticsearch, {clients} clients",
                f"p50 {raw['p50_ms']:.0f} / p95 {raw['p95_ms']:.0f} / p99 {raw['p99_ms']:.0f} ms, "
                f"{raw['rps']} req/s",
                baseline="",
                ratio=round(ratio, 2) if ratio else None,
                goal="ours p95 <= 1.5x raw",
                met=ratio is not None and ratio <= 1.5 and ours["errors"] == 0,
                details=raw,
            )
        )
    return rows


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"serve exited {server.returncode}: {server.stdout.read().decode()[-800:]}")  # type: ignore[union-attr]
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("serve did not answer within 60 s")
