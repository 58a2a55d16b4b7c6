"""Goal 4 at 1,000,000 listings: partners of a realistic size crawled one after another into one home.

One feed of 1,000,000 items (about 750 MB) is refused by design: the download limit is 100 MB
(``crawlers/settings.py``, ``VOLUNTEER_HUB_DOWNLOAD_MAXSIZE``). So a million listings arrive here as
``--partners`` feeds of ``--n`` items, each with its own numbers and organization (no partner copies
another), crawled by the real CLI (``volunteer-hub crawl``, its own process, as the scheduler runs
it) into one SQLite database and one embedded index. Per crawl: wall and CPU seconds, items per
CPU-second, peak RSS. The question it answers: does the tenth partner cost what the first did, or
does some step read the whole store on every crawl? Then goal 5 at that size: the last partner
crawled again unchanged (one 304, nothing written) and with 1% of its items changed (that 1% written),
with the whole store beside it.

    python -m bench.ingestion_scale --partners 10 --n 100000

Rows are printed as each crawl ends and written to ``bench/results/ingestion-scale-<time>.json``
(rewritten after every crawl: a run cut short keeps what it measured). Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ingestion import add_partner, crawl, crawl_env, recrawl_rows, serve
from crawlers.formats.synthetic import write_fpxml

RESULTS = Path(__file__).resolve().parent / "results"


def _size_mb(home: Path) -> float:
    return round(sum(f.stat().st_size for f in home.iterdir() if f.is_file()) / 2**20, 1)


def run(partners: int, n: int, out: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vh-bench-ingest-scale-") as tmp:
        root = Path(tmp)
        feeds, home = root / "feeds", root / "home"
        feeds.mkdir()
        server, base = serve(feeds)
        env = crawl_env(home)
        try:
            for k in range(partners):
                partner = f"syn{k:02d}"
                feed = feeds / f"{partner}.xml"
                write_fpxml(feed, n, first=k * n, organization=f"Réseau Synthétique {k}")
                add_partner(env, partner, f"{base}/{feed.name}")
                wall, cpu, rss, record = crawl(env, partner=partner)
                if k < partners - 1:
                    feed.unlink()  # the disk holds one feed at a time; the last is crawled again below
                if record["new"] != n or record["indexed"] != n:
                    raise RuntimeError(f"{partner}: {record['new']} new, {record['indexed']} indexed of {n}")
                row = {
                    "partner": partner,
                    "listings_before": k * n,
                    "wall_s": round(wall, 1),
                    "cpu_s": round(cpu, 1),
                    "items_per_cpu_s": round(n / cpu),
                    "peak_rss_mb": round(rss),
                    "home_mb": _size_mb(home),
                    "when": time.strftime("%H:%M:%S"),
                }
                rows.append(row)
                print(
                    f"{partner}: {n:,} items after {k * n:,}: {wall:.0f} s wall, {cpu:.0f} s CPU "
                    f"({row['items_per_cpu_s']}/CPU-s), peak {rss:.0f} MB, home {row['home_mb']} MB",
                    flush=True,
                )
                out.write_text(json.dumps({"partners": partners, "n": n, "crawls": rows}, indent=1) + "\n")
            recrawls = recrawl_rows(env, feed, n, partner=partner, first=(partners - 1) * n)
            for r in recrawls:
                print(f"re-crawl with {partners * n:,} stored, {r.name}: {r.ours} (met: {r.met})", flush=True)
            result = {"partners": partners, "n": n, "crawls": rows, "recrawls": [vars(r) for r in recrawls]}
            out.write_text(json.dumps(result, indent=1, default=str) + "\n")
        finally:
            server.shutdown()
    return rows


def main(argv: list[str] | None = None) -> int:
    summary = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.ingestion_scale", description=summary)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--n", type=int, default=100_000, help="items per partner feed")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"ingestion-scale-{time.strftime('%Y-%m-%dT%H%M%S')}.json"
    run(args.partners, args.n, out)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
