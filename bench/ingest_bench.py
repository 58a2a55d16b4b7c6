"""Benchmark: parse + normalize a synthetic 100,000-item FPXML feed (~75 MB), streaming.

    python bench/ingest_bench.py [N]

Prints items, valid, seconds and peak RSS (``resource.getrusage``). Reference run (this
repository's CI container): 100,000 items in 40-60 s (about 1,600-2,500 items/s), peak RSS
about 190 MB, of which ~75 MB is the feed itself and ~35 MB the offline gazetteer.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawlers.formats.synthetic import write_fpxml  # noqa: E402
from crawlers.validate import validate_bytes  # noqa: E402


def main(n: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "feed.xml"
        size = write_fpxml(path, n)
        data = path.read_bytes()
        started = time.monotonic()
        result = validate_bytes(data)
        elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{result['items']} items ({size / 1e6:.0f} MB), {result['valid']} valid, "
        f"{len(result['errors'])} errors, {len(result['warnings'])} warnings: "
        f"{elapsed:.1f} s ({result['items'] / elapsed:,.0f} items/s), peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
