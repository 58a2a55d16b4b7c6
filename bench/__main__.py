"""One command for every performance goal of the project (issue 14), with baselines from the same run.

    python -m bench --quick                 # seconds: tiny sizes, the smoke run the test suite runs
    python -m bench                         # 100,000 listings, 32 clients for 60 s
    python -m bench --full                  # also 1,000,000 listings
    python -m bench --es-url http://127.0.0.1:9250   # or VOLUNTEER_HUB_BENCH_ES_URL; else --start-es
    python -m bench --only indexing,search  # sections: indexing, search, ingestion, load, pages

Prints one table (goal, ours, baseline, ratio, met) and writes the same as JSON under
``bench/results/`` (``--results-dir`` elsewhere). Absolute times on a shared machine are only
indications; the ratios against raw baselines measured in the same run are the figures that count.
Benchmarks never fail: a missed goal is a row marked "no", not an exit code. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import Row

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("indexing", "search", "ingestion", "load", "pages")


def sizes(args: argparse.Namespace) -> dict[str, Any]:
    if args.quick:
        return {"corpus": [args.n or 600], "runs": 5, "ingest": [300], "clients": 4, "seconds": 2.0}
    corpus = [args.n] if args.n else [10_000, 100_000]
    ingest = [10_000, 100_000]
    if args.full:
        corpus.append(1_000_000)
        ingest.append(1_000_000)
    return {"corpus": corpus, "runs": 100, "ingest": ingest, "clients": 32, "seconds": 60.0}


def run(args: argparse.Namespace) -> list[Row]:
    from bench import indexing, search_latency
    from bench.index_bench import NOW, generate

    plan = sizes(args)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    rows: list[Row] = []
    es_url = args.es_url
    for n in plan["corpus"]:
        if not only & {"indexing", "search", "load", "pages"}:
            break
        print(f"-- corpus of {n:,} generated listings", flush=True)
        opps = generate(n)
        index_rows, sqlite_backend, workdir = indexing.sqlite_indexing(opps)
        rows += map(_show, index_rows)
        try:
            if "search" in only:
                rows += map(
                    _show, search_latency.latency_rows("SQLite", sqlite_backend, n, NOW, plan["runs"], True)
                )
            if "pages" in only and n == plan["corpus"][-1 if args.quick else min(1, len(plan["corpus"]) - 1)]:
                from bench.pages import page_rows

                rows += map(_show, page_rows(sqlite_backend, opps[0].id, max(5, plan["runs"] // 5)))
            if "load" in only and n == max(plan["corpus"][:2]):
                from bench.load import load_rows

                index_file = Path(sqlite_backend.path)
                rows += map(
                    _show,
                    load_rows(f"SQLite {n:,}", _sqlite_env(index_file), plan["clients"], plan["seconds"]),
                )
        finally:
            sqlite_backend.close()
            workdir.cleanup()
        if es_url:
            alias = f"vh-bench-{uuid.uuid4().hex[:8]}"
            index_rows, es_backend = indexing.es_indexing(opps, es_url, alias)
            rows += map(_show, index_rows)
            try:
                if "search" in only:
                    rows += map(
                        _show,
                        search_latency.latency_rows("Elasticsearch", es_backend, n, NOW, plan["runs"], False),
                    )
                if "load" in only and n == max(plan["corpus"][:2]):
                    from bench.load import load_rows

                    env = {"VOLUNTEER_HUB_SEARCH": es_url, "VOLUNTEER_HUB_ES_INDEX": alias}
                    rows += map(
                        _show,
                        load_rows(
                            f"Elasticsearch {n:,}",
                            env,
                            plan["clients"],
                            plan["seconds"],
                            es_url=es_url,
                            alias=alias,
                        ),
                    )
            finally:
                for name in es_backend.generations():
                    es_backend.es.indices.delete(index=name)
    if "ingestion" in only:
        from bench.ingestion import ingestion_rows

        for n in plan["ingest"]:
            print(f"-- ingestion of a {n:,}-item feed", flush=True)
            rows += map(_show, ingestion_rows(n))
    return rows


def _sqlite_env(index_file: Path) -> dict[str, str]:
    """Serve the built embedded index: the app reads ``$VOLUNTEER_HUB_HOME/search.sqlite3``."""
    return {"VOLUNTEER_HUB_HOME": str(index_file.parent), "VOLUNTEER_HUB_SEARCH": "sqlite"}


def _show(row: Row) -> Row:
    verdict = {True: "yes", False: "NO", None: "-"}[row.met]
    ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
    print(f"  {row.section:<10} {row.name:<48} {row.ours}", flush=True)
    if row.baseline or row.goal:
        goal = f"goal {row.goal or '-'}: {verdict}"
        print(f"  {'':<10} {'':<48} baseline: {row.baseline or '-'}; ratio {ratio}; {goal}")
    return row


def table(rows: list[Row]) -> str:
    lines = [f"{'section':<10} {'measure':<48} {'ratio':>6}  {'goal':<28} met", "-" * 100]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        verdict = {True: "yes", False: "NO", None: "-"}[r.met]
        lines.append(f"{r.section:<10} {r.name[:48]:<48} {ratio:>6}  {r.goal[:28]:<28} {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="a seconds-long smoke run (tiny sizes)")
    mode.add_argument("--full", action="store_true", help="also 1,000,000 listings")
    parser.add_argument("--n", type=int, help="one corpus size instead of the mode's")
    parser.add_argument("--only", help=f"comma-separated sections among {', '.join(SECTIONS)}")
    parser.add_argument("--es-url", default=os.environ.get("VOLUNTEER_HUB_BENCH_ES_URL"))
    parser.add_argument("--start-es", action="store_true", help="start a throw-away node for the run")
    parser.add_argument("--results-dir", type=Path, default=REPO / "bench" / "results")
    args = parser.parse_args(argv)
    if args.es_url and not args.es_url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("benchmarks only talk to 127.0.0.1")
    if args.only and not set(args.only.split(",")) <= set(SECTIONS):
        parser.error(f"--only takes {', '.join(SECTIONS)}")

    es_port = None
    if not args.es_url and args.start_es:
        from bench.index_bench import start_es  # the one script-driven throw-away node

        args.es_url, es_port = start_es()
    started = datetime.now(UTC)
    print(
        f"python -m bench ({'quick' if args.quick else 'full' if args.full else 'standard'}), "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Elasticsearch {args.es_url or 'skipped (--es-url or --start-es)'}",
        flush=True,
    )
    try:
        rows = run(args)
    finally:
        if es_port:
            subprocess.run(
                ["bash", str(REPO / "scripts" / "elasticsearch.sh"), "stop", "--port", str(es_port)],
                check=False,
                capture_output=True,
            )
    print()
    print(table(rows))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    mode_name = "quick" if args.quick else "full" if args.full else "standard"
    out = args.results_dir / f"{started:%Y-%m-%dT%H%M%S}-{mode_name}.json"
    out.write_text(
        json.dumps(
            {
                "when": started.isoformat(timespec="seconds"),
                "mode": mode_name,
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "elasticsearch": args.es_url,
                "rows": [asdict(r) for r in rows],
            },
            indent=1,
            ensure_ascii=False,
            default=str,
        )
        + "\n"
    )
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
