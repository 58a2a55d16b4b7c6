"""The benchmark command runs end to end (``python -m bench --quick``), so it cannot rot.

Nothing here asserts a duration: the quick run's figures on a loaded CI machine mean nothing. What
is asserted is behaviour the benchmark reports: every section produced its rows, an unchanged
partner's re-crawl was one 304 with zero writes, and a 1% change wrote exactly that 1%.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.elasticsearch
def test_quick_benchmark_runs_every_section(es_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--es-url", es_url, "--results-dir", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    (result,) = tmp_path.glob("*-quick.json")
    rows = json.loads(result.read_text())["rows"]
    sections = {r["section"] for r in rows}
    assert sections == {"indexing", "search", "pages", "load", "ingestion", "recrawl"}
    assert {r["name"] for r in rows if r["section"] == "indexing"} == {
        f"{backend} index 600, {build}"
        for backend in ("SQLite", "Elasticsearch")
        for build in ("first build", "rebuild, records unchanged")
    }
    by_name = {r["name"]: r for r in rows}
    unchanged = by_name["unchanged partner"]
    assert unchanged["met"] is True, unchanged
    assert unchanged["details"]["http_status"] == 304
    one_percent = by_name["3 of 300 items changed (1%)"]
    assert one_percent["details"]["updated"] == 3 and one_percent["details"]["new"] == 0, one_percent
    loads = [r for r in rows if r["section"] == "load"]
    assert all(r["details"]["errors"] == 0 for r in loads if "errors" in r["details"]), loads
    assert "section    measure" in proc.stdout  # the summary table is printed
