"""Goal 1: indexing throughput as a fraction of the raw ceiling, on both backends, same run.

* Elasticsearch, ours: ``begin/load/seal_generation`` from normalized records (analysis included),
  what ``index rebuild`` runs. Raw: the *same documents* (``to_source``, analyzed beforehand), into an
  index created with the same mapping and bulk-load settings, by ``helpers.streaming_bulk`` and by
  ``helpers.parallel_bulk`` (2 threads); the faster is the ceiling.
* SQLite, ours: the same generation calls. Raw: ``executemany`` of the same rows (already analyzed)
  into the same schema, then the same FTS optimize and ANALYZE.

``ratio`` = raw seconds / our seconds: the fraction of the ceiling's throughput we reach (goal >= 0.8).
Two figures for ours: the **first build** (nothing to reuse: every text analyzed, in worker processes)
and a **rebuild of the same records** (``index rebuild`` with nothing changed: analyses reused from the
live generation, indexer.analysis_cache). Raw gets the same bulk-load settings as ours (SQLite: the
same pragmas, no journal; Elasticsearch: refresh -1 and 0 replicas, restored at the end) and the
best of several bulk shapes. CPU seconds are this process's (the analysis workers' are not counted).
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stats import Row, timed
from indexer.documents import build_document, iso
from indexer.sqlite_backend import SqliteBackend, _connect
from volunteer_hub.core.opportunity import Opportunity

BATCH = 1000


def _batches(items: list[Any], size: int = BATCH) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _rebuild(backend: Any, opps: list[Opportunity]) -> int:
    name = backend.begin_generation()
    for chunk in _batches(opps):
        report = backend.load_generation(name, chunk)
        if not report.ok:
            raise RuntimeError(f"indexing failed: {list(report.failed.items())[:3]}")
    count = backend.seal_generation(name)
    backend.activate_generation(name)
    return count


def _timed_cpu(fn: Any) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of ``fn()``."""
    cpu = time.process_time()
    wall, _ = timed(fn)
    return wall, time.process_time() - cpu


def _ours_rows(label: str, n: int, first: tuple[float, float], again: tuple[float, float], raw_s: float,
               baseline: str, details: dict[str, Any]) -> list[Row]:  # fmt: skip
    rows = []
    for what, (wall, cpu) in (("first build", first), ("rebuild, records unchanged", again)):
        rows.append(
            Row(
                "indexing",
                f"{label} index {n:,}, {what}",
                f"{wall:.2f} s ({n / wall:,.0f}/s), CPU {cpu:.2f} s",
                baseline=baseline,
                ratio=round(raw_s / wall, 2),
                goal="ratio >= 0.8",
                met=raw_s / wall >= 0.8,
                details={"ours_s": round(wall, 3), "ours_cpu_s": round(cpu, 3), **details},
            )
        )
    return rows


def sqlite_indexing(
    opps: list[Opportunity],
) -> tuple[list[Row], SqliteBackend, tempfile.TemporaryDirectory[str]]:
    """Returns the rows, and the built backend (kept for the latency section) with its directory."""
    workdir = tempfile.TemporaryDirectory(prefix="vh-bench-sqlite-")
    backend = SqliteBackend(Path(workdir.name) / "search.sqlite3")
    first = _timed_cpu(lambda: _rebuild(backend, opps))
    again = _timed_cpu(lambda: _rebuild(backend, opps))
    assert backend.count() == len(opps)

    rows = []
    for i, o in enumerate(opps, 1):
        d = build_document(o)
        rows.append((i, d, json.dumps(o.to_dict(), ensure_ascii=False), o.content_hash or o.compute_hash()))

    def raw() -> None:
        conn = _connect(str(Path(workdir.name) / "raw.sqlite3"), create=True, bulk=True)
        with conn:
            conn.executemany(
                "INSERT INTO doc (rowid, id, partner, organization, org_slug, language, remote, avail_start,"
                " avail_end, expiry, sort_start, posted, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    (
                        i,
                        d.id,
                        d.partner,
                        d.organization,
                        d.org_slug,
                        d.language,
                        int(d.remote),
                        iso(d.avail_start),
                        iso(d.avail_end),
                        iso(d.expiry),
                        iso(d.sort_start),
                        iso(d.posted),
                        h,
                    )
                    for i, d, _, h in rows
                ),
            )
            conn.executemany(
                "INSERT INTO doc_data (rowid, data) VALUES (?, ?)", ((i, j) for i, _, j, _ in rows)
            )
            conn.executemany(
                "INSERT INTO doc_cause VALUES (?, ?)", ((i, c) for i, d, _, _ in rows for c in d.causes)
            )
            conn.executemany(
                "INSERT INTO doc_region VALUES (?, ?)",
                ((i, r) for i, d, _, _ in rows for r in d.region_slugs),
            )
            conn.executemany(
                "INSERT INTO doc_point VALUES (?, ?, ?)",
                ((i, la, lo) for i, d, _, _ in rows for la, lo in d.points),
            )
            conn.executemany(
                "INSERT INTO doc_fts (rowid, title, body) VALUES (?, ?, ?)",
                ((i, d.title_terms, d.body_terms) for i, d, _, _ in rows),
            )
            conn.execute("INSERT INTO doc_fts (doc_fts) VALUES ('optimize')")
        conn.execute("ANALYZE")
        conn.close()

    raw_s, _ = timed(raw)
    size = Path(backend.generation_path(backend.current_generation())).stat().st_size
    details = {"raw_s": round(raw_s, 3), "bytes": size, "bytes_per_doc": size // len(opps)}
    index_rows = _ours_rows(
        "SQLite", len(opps), first, again, raw_s, f"raw executemany {raw_s:.2f} s", details
    )
    return index_rows, backend, workdir


def es_indexing(opps: list[Opportunity], url: str, alias: str) -> tuple[list[Row], Any]:
    """Returns the rows and the built backend (its alias is live; the caller drops it)."""
    from elasticsearch import helpers

    from indexer.es_backend import BULK_CHUNK, LOAD_CHUNK, ElasticsearchBackend, to_source

    backend = ElasticsearchBackend(url, alias=alias)
    first = _timed_cpu(lambda: _rebuild(backend, opps))
    again = _timed_cpu(lambda: _rebuild(backend, opps))
    assert backend.count() == len(opps)
    docs = [to_source(o, o.content_hash or o.compute_hash()) for o in opps]  # analysis outside the timing

    def raw(parallel: bool, chunk: int) -> None:
        index = backend.create_generation(bulk_loading=True)  # refresh -1, replicas 0: as ours
        actions = ({"_index": index, "_id": d["id"], "_source": d} for d in docs)
        try:
            if parallel:
                results = helpers.parallel_bulk(backend.es, actions, thread_count=2, chunk_size=chunk)
            else:
                results = helpers.streaming_bulk(backend.es, actions, chunk_size=chunk)
            failed = sum(1 for ok, _ in results if not ok)
            assert not failed, failed
            backend.finish_bulk_load(index)
        finally:
            backend.drop_generation(index)

    shapes = {
        f"streaming {BULK_CHUNK}": (False, BULK_CHUNK),
        f"parallel 2x{BULK_CHUNK}": (True, BULK_CHUNK),
        f"parallel 2x{LOAD_CHUNK}": (True, LOAD_CHUNK),
    }
    raw_times = {name: timed(lambda p=p, c=c: raw(p, c))[0] for name, (p, c) in shapes.items()}
    raw_s = min(raw_times.values())
    gen = backend.current_generation()
    store = backend.es.indices.stats(index=gen, metric="store")["indices"][gen]["primaries"]["store"]
    shown = ", ".join(f"{name} {t:.2f}" for name, t in raw_times.items())
    details = {
        **{f"raw {name} s": round(t, 3) for name, t in raw_times.items()},
        "store_bytes": store["size_in_bytes"],
    }
    rows = _ours_rows(
        "Elasticsearch", len(opps), first, again, raw_s, f"raw bulk {raw_s:.2f} s ({shown})", details
    )
    return rows, backend
