"""Goal 3: the API under concurrent load through the production server, against raw Elasticsearch.

``volunteer-hub serve`` (gunicorn, the shipped server) runs in a throw-away home over an index the
indexing section built; ``clients`` threads, each with its own keep-alive connection, send a mix of
keyword, cause, near-25-km, date and facet requests for ``seconds``. The baseline sends the *same
query bodies* our backend sent for those requests (recorded through the real app once) straight to
Elasticsearch's ``_search`` from the same load generator: same threads, same keep-alive connections,
same request order. p50/p95/p99, throughput and errors, and where the machine's CPU went during each
run: the load generator itself, the server (gunicorn's arbiter and workers), the Elasticsearch node,
and the whole machine (other users of a shared machine included), each per request. On a loaded
2-core machine those CPU figures, not the latencies, say whose code costs what.

Standalone, over an index that already exists (the 100,000-listing file of ``bench.scale --keep``)::

    python -m bench.load --sqlite-home /tmp/api100k --seconds 60
    python -m bench.load --es-url http://127.0.0.1:9250 --alias vh-bench-x --seconds 60 --rounds 2
"""

from __future__ import annotations

import argparse
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
TICK = os.sysconf("SC_CLK_TCK")
WARM_UP_SECONDS = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- CPU accounting --------------------------------------------------------------------------
def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) ``pid`` has used; 0.0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


class ServerCpu:
    """CPU seconds of a server process and its workers. Workers are found once, at the start (a
    gunicorn worker that died and was replaced would be missed: the server's log says so)."""

    def __init__(self, pid: int) -> None:
        self.pids = [pid, *_children(pid)]

    def seconds(self) -> float:
        return sum(_process_cpu(p) for p in self.pids)


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (``/proc/stat``)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


def _es_node_cpu(es_url: str | None) -> float | None:
    """CPU seconds the Elasticsearch node's process has used (its ``_nodes/stats``), None without one."""
    if not es_url:
        return None
    parts = urlsplit(es_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 9200, timeout=10)
    try:
        conn.request("GET", "/_nodes/_local/stats/process?filter_path=nodes.*.process.cpu.total_in_millis")
        nodes = json.loads(conn.getresponse().read())["nodes"]
        return sum(n["process"]["cpu"]["total_in_millis"] for n in nodes.values()) / 1000
    except (OSError, KeyError, ValueError):
        return None
    finally:
        conn.close()


def _cpu_snapshot(server: ServerCpu | None, es_url: str | None) -> dict[str, float | None]:
    busy, total = _machine_busy()
    return {
        "wall": time.perf_counter(),
        "generator": time.process_time(),
        "server": server.seconds() if server else None,
        "es": _es_node_cpu(es_url),
        "machine_busy": busy,
        "machine_total": total,
    }


def _cpu_report(before: dict[str, Any], after: dict[str, Any], requests: int) -> dict[str, Any]:
    """CPU used during the run, in milliseconds per request, and the machine's busy cores."""
    per = max(requests, 1)
    wall = after["wall"] - before["wall"]
    out: dict[str, Any] = {}
    for name in ("generator", "server", "es"):
        if before[name] is not None and after[name] is not None:
            used = after[name] - before[name]
            out[f"{name}_cpu_ms_per_request"] = round(1000 * used / per, 2)
            out[f"{name}_cores"] = round(used / wall, 2)
    busy = after["machine_busy"] - before["machine_busy"]
    out["machine_busy_cores"] = round(busy / wall, 2)
    out["machine_cpu_ms_per_request"] = round(1000 * busy / per, 2)
    out["load_average"] = os.getloadavg()[0]
    return out


# -- the load generator ----------------------------------------------------------------------
def hammer(
    host: str,
    port: int,
    requests: list[tuple[str, str, bytes | None]],
    clients: int,
    seconds: float,
    *,
    server_pid: int | None = None,
    es_url: str | None = None,
) -> dict[str, Any]:
    """``clients`` threads loop over ``requests`` (method, path, body) for ``seconds``, each on its
    own keep-alive connection (reopened only after an error). Latencies, errors, throughput, and
    the CPU of the generator, the server (``server_pid`` and its children), the Elasticsearch node
    at ``es_url`` and the machine during the run."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    reconnects = [0] * clients
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        i = k
        start.wait()
        while time.perf_counter() < deadline[0]:
            method, path, body = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            try:
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                if resp.will_close:  # the server closed the connection: the next request reconnects
                    reconnects[k] += 1
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            latencies[k].append(time.perf_counter() - started)
            if not ok:
                errors[k] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    server = ServerCpu(server_pid) if server_pid else None
    before = _cpu_snapshot(server, es_url)
    deadline[0] = time.perf_counter() + seconds
    start.wait()
    for t in threads:
        t.join()
    after = _cpu_snapshot(server, es_url)
    elapsed = after["wall"] - before["wall"]
    flat = [x for per in latencies for x in per]
    return {
        **summary_ms(flat),
        "requests": len(flat),
        "errors": sum(errors),
        "reconnects": sum(reconnects),
        "rps": round(len(flat) / elapsed, 1),
        "cpu": _cpu_report(before, after, len(flat)),
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


def _line(r: dict[str, Any]) -> str:
    cpu = r["cpu"]
    parts = [
        f"p50 {r['p50_ms']:.0f} / p95 {r['p95_ms']:.0f} / p99 {r['p99_ms']:.0f} ms, {r['rps']} req/s, "
        f"{r['errors']} errors; CPU ms/request:"
    ]
    for name, label in (("server", "server"), ("es", "ES node"), ("generator", "generator")):
        if f"{name}_cpu_ms_per_request" in cpu:
            parts.append(f" {label} {cpu[f'{name}_cpu_ms_per_request']:.1f}")
    parts.append(
        f", machine {cpu['machine_cpu_ms_per_request']:.1f} ({cpu['machine_busy_cores']} cores busy)"
    )
    return "".join(parts)


def serve_env(home: str, env_extra: dict[str, str], tree: Path | None = None) -> dict[str, str]:
    """The server's environment: rate limits off (one client address sends everything), and the
    code of ``tree`` (default: this checkout) first on the path."""
    return {
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


def load_rows(
    label: str,
    env_extra: dict[str, str],
    clients: int,
    seconds: float,
    es_url: str | None = None,
    alias: str | None = None,
    rounds: int = 1,
    serve_args: list[str] | None = None,
    tree: Path | None = None,
) -> list[Row]:
    """``rounds`` x (ours for ``seconds``, then the raw baseline for ``seconds`` when ``es_url`` and
    ``alias`` are given), alternately, so both see the same machine; one row per run."""
    port = _free_port()
    raw_bodies = recorded_es_bodies(es_url, alias) if es_url and alias else None
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="vh-bench-serve-") as home:
        env = serve_env(home, env_extra, tree)
        server = subprocess.Popen(
            CLI + ["serve", "--port", str(port), *(serve_args or [])],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(port, server)
            api = [("GET", p, None) for p in PATHS]
            # Every worker up and warm (first requests open the database and the index) before measuring.
            hammer("127.0.0.1", port, api, clients, min(WARM_UP_SECONDS, seconds))
            for r in range(1, rounds + 1):
                suffix = f", round {r}" if rounds > 1 else ""
                ours = hammer("127.0.0.1", port, api, clients, seconds, server_pid=server.pid, es_url=es_url)
                rows.append(
                    Row(
                        "load",
                        f"API via gunicorn, {label}, {clients} clients{suffix}",
                        _line(ours),
                        goal="zero errors",
                        met=ours["errors"] == 0,
                        details=ours,
                    )
                )
                if raw_bodies is None or es_url is None:
                    continue
                parts = urlsplit(es_url)
                raw = hammer(
                    parts.hostname or "127.0.0.1",
                    parts.port or 9200,
                    raw_bodies,
                    clients,
                    seconds,
                    es_url=es_url,
                )
                ratio = ours["p95_ms"] / raw["p95_ms"] if raw["p95_ms"] else None
                rows.append(
                    Row(
                        "load",
                        f"same bodies straight to Elasticsearch, {clients} clients{suffix}",
                        _line(raw),
                        baseline="",
                        ratio=round(ratio, 2) if ratio else None,
                        goal="ours p95 <= 1.5x raw",
                        met=ratio is not None and ratio <= 1.5 and ours["errors"] == 0,
                        details={**raw, "bodies": len(raw_bodies)},
                    )
                )
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--sqlite-home", type=Path, help="a directory holding search.sqlite3 (bench.scale --keep)"
    )
    where.add_argument("--alias", help="an existing Elasticsearch alias (with --es-url)")
    parser.add_argument("--es-url", help="the Elasticsearch node (127.0.0.1)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rounds", type=int, default=1, help="ours and raw alternately, this many times")
    parser.add_argument("--serve-arg", action="append", default=[], help="passed to `volunteer-hub serve`")
    parser.add_argument("--tree", type=Path, help="serve this checkout's code (A/B runs); default this one")
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    if args.es_url and not args.es_url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("benchmarks only talk to 127.0.0.1")
    if args.alias and not args.es_url:
        parser.error("--alias needs --es-url")
    if args.sqlite_home:
        from bench.__main__ import _sqlite_env

        label = f"SQLite ({args.sqlite_home})"
        env = _sqlite_env(args.sqlite_home / "search.sqlite3")
        rows = load_rows(
            label,
            env,
            args.clients,
            args.seconds,
            rounds=args.rounds,
            serve_args=args.serve_arg,
            tree=args.tree,
        )
    else:
        env = {"VOLUNTEER_HUB_SEARCH": args.es_url, "VOLUNTEER_HUB_ES_INDEX": args.alias}
        rows = load_rows(
            f"Elasticsearch ({args.alias})", env, args.clients, args.seconds, args.es_url, args.alias,
            rounds=args.rounds, serve_args=args.serve_arg, tree=args.tree,
        )  # fmt: skip
    for row in rows:
        print(f"{row.name}: {row.ours}" + (f" (p95 ratio {row.ratio})" if row.ratio else ""), flush=True)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    out = args.results_dir / f"load-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    for row in rows:
        row.details["command"] = " ".join(
            ["python -m bench.load", *(argv if argv is not None else sys.argv[1:])]
        )
    out.write_text(json.dumps([r.__dict__ for r in rows], indent=1, default=str) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
