"""Goal 6 (scale): build an index of N generated listings by streaming, then time every search shape.

    nice python -m bench.scale --n 100000 --sqlite --es-url http://127.0.0.1:9250
    nice python -m bench.scale --n 1000000 --es-url http://127.0.0.1:9250 --runs 30
    python -m bench.scale --n 100000 --sqlite --keep /tmp/idx   # keep the SQLite file for A/B runs
    python -m bench.scale --n 1000000 --es-url http://127.0.0.1:9250 --keep-alias vh-1m   # and the ES index

The listings come from ``bench.index_bench.iter_generate`` one batch at a time (1,000 per
``load_generation``), so memory stays flat whatever N is: the peak RSS is reported. Per backend: build
time (wall and this process's CPU), index size, documents per second, then p50/p95 (wall and CPU) per
query shape of ``bench/search_latency.py``. JSON under ``bench/results/scale-<n>-<time>.json``.
Elasticsearch: the generation is built as ``index rebuild`` builds it (replicas 0, refresh off during
the load), on the node given; its indices are deleted afterwards (kept with ``--keep-alias``, for
``bench.load`` and ``bench.pages``). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.index_bench import NOW, iter_generate
from bench.search_latency import latency_rows
from volunteer_hub.core.opportunity import Opportunity

BATCH = 1000
RESULTS = Path(__file__).resolve().parent / "results"


def chunks(n: int) -> Iterator[list[Opportunity]]:
    items = iter_generate(n)
    while chunk := list(itertools.islice(items, BATCH)):
        yield chunk


def build(backend: Any, n: int) -> dict[str, Any]:
    """Stream ``n`` listings into a new generation of ``backend`` and activate it."""
    wall, cpu = time.perf_counter(), time.process_time()
    name = backend.begin_generation()
    for i, chunk in enumerate(chunks(n), 1):
        report = backend.load_generation(name, chunk)
        if not report.ok:
            raise RuntimeError(f"indexing failed: {list(report.failed.items())[:3]}")
        if i % 100 == 0:
            print(f"    {i * BATCH:,} loaded, {time.perf_counter() - wall:.0f} s", flush=True)
    count = backend.seal_generation(name)
    backend.activate_generation(name)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert count == n, (count, n)
    return {"seconds": round(wall, 1), "cpu_seconds": round(cpu, 1), "per_second": round(n / wall)}


def run_sqlite(n: int, runs: int, keep: str | None) -> dict[str, Any]:
    from indexer.sqlite_backend import SqliteBackend

    workdir = keep or tempfile.mkdtemp(prefix="vh-scale-")
    backend = SqliteBackend(Path(workdir) / "search.sqlite3")
    print(f"SQLite {n:,} in {workdir}", flush=True)
    out = build(backend, n)
    gen = Path(backend.generation_path(backend.current_generation()))
    out["bytes"] = gen.stat().st_size
    out["latency"] = [asdict(r) for r in _latency("SQLite", backend, n, runs, goal=True)]
    backend.close()
    if not keep:
        for f in Path(workdir).iterdir():
            f.unlink()
        Path(workdir).rmdir()
    return out


def run_es(n: int, runs: int, url: str, keep_alias: str | None = None) -> dict[str, Any]:
    from indexer.es_backend import ElasticsearchBackend

    backend = ElasticsearchBackend(url, alias=keep_alias or f"vh-scale-{uuid.uuid4().hex[:8]}")
    print(f"Elasticsearch {n:,} at {url}", flush=True)
    try:
        out = build(backend, n)
        gen = backend.current_generation()
        stats = backend.es.indices.stats(index=gen, metric="store,segments")["indices"][gen]["primaries"]
        out["bytes"] = stats["store"]["size_in_bytes"]
        out["segments"] = stats["segments"]["count"]
        out["jvm_after_build"] = _jvm(backend)
        out["latency"] = [asdict(r) for r in _latency("Elasticsearch", backend, n, runs, goal=False)]
        out["jvm_after_search"] = _jvm(backend)
    finally:
        if not keep_alias:
            for name in backend.generations():
                backend.es.indices.delete(index=name)
    return out


def _jvm(backend: Any) -> dict[str, Any]:
    """The node's heap and garbage collections (count, ms): the evidence for the heap in docs/search.md."""
    node = next(iter(backend.es.nodes.stats(metric="jvm")["nodes"].values()))["jvm"]
    gcs = node["gc"]["collectors"]
    return {
        "heap_max_mb": node["mem"]["heap_max_in_bytes"] // 2**20,
        "heap_used_mb": node["mem"]["heap_used_in_bytes"] // 2**20,
        "heap_peak_old_mb": node["mem"]["pools"]["old"]["peak_used_in_bytes"] // 2**20,
        "gc": {k: (g["collection_count"], g["collection_time_in_millis"]) for k, g in gcs.items()},
    }


def _latency(label: str, backend: Any, n: int, runs: int, goal: bool) -> list[Any]:
    rows = latency_rows(label, backend, n, NOW, runs, goal)
    for r in rows:
        print(f"  {r.name:<48} {r.ours}  ({r.baseline})", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50, help="timed searches per shape (default 50)")
    parser.add_argument("--sqlite", action="store_true", help="the embedded backend")
    parser.add_argument("--es-url", help="an Elasticsearch node on 127.0.0.1")
    parser.add_argument("--keep", help="build the SQLite index in this directory and keep it")
    parser.add_argument("--keep-alias", help="build the Elasticsearch index under this alias and keep it")
    args = parser.parse_args(argv)
    if args.es_url and not args.es_url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("this benchmark only talks to 127.0.0.1")
    result: dict[str, Any] = {"n": args.n, "when": datetime.now(UTC).isoformat(timespec="seconds")}
    if args.sqlite:
        result["sqlite"] = run_sqlite(args.n, args.runs, args.keep)
    if args.es_url:
        result["elasticsearch"] = run_es(args.n, args.runs, args.es_url, args.keep_alias)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"scale-{args.n}-{datetime.now(UTC).strftime('%Y-%m-%dT%H%M%S')}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"peak RSS {result['peak_rss_mb']} MB; {out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
