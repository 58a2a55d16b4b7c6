"""Goal 2: search latency per query shape, on a backend built by the indexing section.

p50/p95 over ``runs`` timed searches after a warm-up, in process (the backend's own cost, no HTTP).
The embedded backend's goal: p95 <= 100 ms at 100,000 listings, <= 30 ms at 10,000 (interpolated
goals are not invented: below 10,000 the 30 ms goal applies, between the two the 100 ms one).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from bench.stats import Row, summary_ms
from indexer.base import SearchQuery


def query_shapes(now: datetime) -> dict[str, dict[str, Any]]:
    return {
        "keyword": {"text": "dechets"},
        "two keywords + cause": {"text": "collecte plage", "causes": ["environnement"]},
        "cause + region": {"causes": ["education"], "regions": ["bretagne"]},
        "near Rennes 30 km, nearest": {"near": (48.1113, -1.68), "radius_km": 30, "sort": "nearest"},
        "browse page 5": {"page": 5},
        "date window, not remote": {
            "date_from": now + timedelta(days=10),
            "date_to": now + timedelta(days=20),
            "filters": {"remote": False},
        },
    }


def goal_ms(n: int) -> float:
    return 30.0 if n <= 10_000 else 100.0


def latency_rows(label: str, backend: Any, n: int, now: datetime, runs: int, goal: bool) -> list[Row]:
    rows = []
    for name, kw in query_shapes(now).items():
        query = SearchQuery(now=now, **kw)
        for _ in range(max(3, runs // 10)):
            total = backend.search(query).total
        samples, cpu = [], []
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            backend.search(query)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        s = summary_ms(samples)
        # This process's CPU time too: on a loaded machine wall time mostly measures the wait for a
        # core, while CPU time compares code versions fairly (in-process backends only: ES works elsewhere).
        c = summary_ms(cpu)
        limit = goal_ms(n)
        rows.append(
            Row(
                "search",
                f"{label} {n:,}: {name}",
                f"p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms (CPU p50 {c['p50_ms']:.1f} ms)",
                baseline=f"{total:,} hits",
                goal=f"p95 <= {limit:.0f} ms" if goal else "",
                met=(s["p95_ms"] <= limit) if goal else None,
                details={**s, "cpu": c, "total": total},
            )
        )
    return rows
