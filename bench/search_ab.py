"""Interleaved A/B of the embedded search: two source trees, the same index file, alternating rounds.

    git worktree add /tmp/old <commit>     # or `git archive <commit> | tar -x -C /tmp/old`
    python -m bench.search_ab --tree /tmp/old --tree . --index /tmp/idx/search.sqlite3 --rounds 2 --runs 30

Each tree searches its own copy of the index directory (a newer tree may upgrade the file in place on
open), in a fresh process with that tree first on ``PYTHONPATH``: the shapes of
``bench/search_latency.py`` after 3 warm-ups, ``runs`` timed searches each. CPU time of the searching
process is the figure that compares code on a loaded machine (wall time mostly measures the wait for
a core); both are printed, p50 (p95) in ms, one column per tree and round.

``--no-memo`` measures searches that start from nothing: the backend's per-connection memo (the last
words' matches and facet passes, ``indexer/sqlite_memo.py``) is turned off, since the benchmark repeats
identical searches and would otherwise mostly measure the memo (trees without a memo ignore it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, sys, time
from bench.index_bench import NOW
from bench.search_latency import query_shapes
from bench.stats import summary_ms
from indexer.base import SearchQuery
from indexer.sqlite_backend import SqliteBackend
backend, runs, out = SqliteBackend(sys.argv[1]), int(sys.argv[2]), {}
backend.memo = sys.argv[3] == "memo"
for name, kw in query_shapes(NOW).items():
    query = SearchQuery(now=NOW, **kw)
    for _ in range(3):
        total = backend.search(query).total
    wall, cpu = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        backend.search(query)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    out[name] = {"wall": summary_ms(wall), "cpu": summary_ms(cpu), "total": total}
print(json.dumps(out))
"""


def probe(tree: Path, index: Path, runs: int, memo: bool = True) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(index), str(runs), "memo" if memo else "no-memo"],
        env=env, cwd=tree, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_ab", description=__doc__)
    parser.add_argument("--tree", action="append", required=True, help="a source tree (give two or more)")
    parser.add_argument("--index", required=True, help="the index's logical path (search.sqlite3)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-memo", action="store_true", help="searches start from nothing (see above)")
    args = parser.parse_args(argv)
    trees = [Path(t).resolve() for t in args.tree]
    source = Path(args.index).resolve()
    with tempfile.TemporaryDirectory(prefix="vh-ab-") as tmp:
        copies = []
        for i, _tree in enumerate(trees):
            shutil.copytree(source.parent, Path(tmp) / f"t{i}")
            copies.append(Path(tmp) / f"t{i}" / source.name)
        results: list[tuple[str, dict]] = []
        for r in range(1, args.rounds + 1):
            for i, tree in enumerate(trees):
                results.append((f"{tree.name} r{r}", probe(tree, copies[i], args.runs, not args.no_memo)))
                print(f"done {results[-1][0]}", file=sys.stderr, flush=True)
    shapes = list(results[0][1])
    for measure in ("cpu", "wall"):
        print(f"\n{measure} time, p50 (p95) ms")
        print("| shape | " + " | ".join(label for label, _ in results) + " |")
        print("|---" * (len(results) + 1) + "|")
        for shape in shapes:
            cells = [
                f"{res[shape][measure]['p50_ms']:.1f} ({res[shape][measure]['p95_ms']:.1f})"
                for _, res in results
            ]
            print(f"| {shape} | " + " | ".join(cells) + " |")
    totals = {shape: {label: res[shape]["total"] for label, res in results} for shape in shapes}
    print("\nhits per shape:", json.dumps(totals))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
