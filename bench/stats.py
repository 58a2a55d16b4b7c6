"""Small helpers every benchmark section shares: percentiles, timing, a result row."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def percentile(samples: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``samples`` by the nearest-rank method (0.0 when empty)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q * len(ordered))))
    return ordered[rank - 1]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of durations given in seconds."""
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p95_ms": round(percentile(ms, 0.95), 2),
        "p99_ms": round(percentile(ms, 0.99), 2),
    }


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


@dataclass
class Row:
    """One line of the summary table: a goal, what we measured, the baseline, and the verdict."""

    section: str
    name: str
    ours: str
    baseline: str = ""
    ratio: float | None = None  # ours relative to the baseline, in the goal's direction
    goal: str = ""
    met: bool | None = None  # None: no goal, or not measurable in this run
    details: dict[str, Any] = field(default_factory=dict)
