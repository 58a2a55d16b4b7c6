"""Every format through the real crawler: the shared fixtures (and a CSV) served from 127.0.0.1,
crawled by ``volunteer-hub crawl --all`` in one process, each partner auto-detected.

Run records are checked per partner: format, items seen and rejected (by reason).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FILES, FIXTURES
from tests.helpers import cli, search_json

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")

# partner -> (file, format, seen (stored), rejected)
EXPECTED = {
    "americorps": ("americorps-sample.xml.gz", "networkforgood", 1252, 0),
    "volunteermatch": ("volunteermatch-sample1.xml", "volunteermatch", 5, 0),
    "idealist": ("idealist-small-sample.xml", "idealist", 4, 0),
    "usaservice": ("usaservice.org-sample.xml.gz", "usaservice", 1298, 0),
    "sample": ("sampleData0.1.xml", "fpxml", 3, 0),
    "okay": ("okay_data.xml", "fpxml", 1, 9),
    "csv": ("missions-fr.csv", "csv", 2, 1),
}


def test_crawl_every_format(home: Path, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    root, base = feed_server
    for partner, (name, *_rest) in EXPECTED.items():
        source = FILES / name if name.endswith(".csv") else FIXTURES / name
        shutil.copy(source, root / name)
        assert cli(home, "partners", "add", partner, "--url", f"{base}/{name}").returncode == 0
    out = cli(home, "crawl", "--all", "--json")
    runs = {r["partner_id"]: r for r in json.loads(out.stdout)}
    for partner, (_name, fmt, seen, rejected) in EXPECTED.items():
        run = runs[partner]
        assert (run["format"], run["seen"], run["rejected"]) == (fmt, seen, rejected), run
        assert run["status"] == "succeeded", run
    assert runs["okay"]["rejected_by_reason"] == {"id: duplicate of an earlier item with the same id": 9}
    assert search_json(home, "--per-page", "1")["total"] > 0
