"""A stop signal after the download is obeyed: Ctrl-C or SIGTERM while the crawl stores and indexes.

Scrapy stops its reactor on SIGINT/SIGTERM, and used to leave its handlers in place once the reactor
had stopped: a signal during the after-download steps (storing, the index push, which take minutes on
a large feed) did nothing, and the scheduler's timeout waited out its grace before SIGKILL.

The crawl here is the real ``volunteer-hub crawl`` in its own process; only its index push is held (a
stand-in for a slow index), so the signal lands in the after-download phase every time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import cli, fpxml
from volunteer_hub.store.db import CrawlRun, Database, StoredOpportunity

# The CLI, with the search index push replaced by one that says so on stdout and then hangs.
HELD_PUSH = """
import sys, time
import volunteer_hub.services.crawl as service

def held_publisher(db, backend):
    def publish(partner_id):
        print("pushing", flush=True)
        time.sleep(600)
    return publish

service.index_publisher = held_publisher
from volunteer_hub.cli.main import main
sys.exit(main(["crawl", "held"]))
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_signal_while_storing_and_indexing_stops_the_crawl(
    home: Path, db: Database, feed_server: tuple[Path, str], sig: signal.Signals
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a1", "Mission A1"), ("a2", "Mission A2")]), encoding="utf-8")
    added = cli(home, "partners", "add", "held", "--url", f"{base}/feed.xml", "--format", "fpxml")
    assert added.returncode == 0, added.stderr

    proc = subprocess.Popen(
        [sys.executable, "-c", HELD_PUSH],
        env=dict(os.environ),  # the home and database of the fixtures
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "pushing"  # the download is over, the push hangs
        proc.send_signal(sig)
        code = proc.wait(timeout=60)  # the held push would last 600 s if the signal were ignored
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read() if proc.stderr else ""

    with db.session() as s:
        run = s.scalars(select(CrawlRun).where(CrawlRun.partner_id == "held")).one()
        stored = set(s.scalars(select(StoredOpportunity.source_id)))
    assert stored == {"a1", "a2"}  # what was stored before the signal is kept
    if sig == signal.SIGINT:
        assert code == 130, stderr
        assert "interrupted" in stderr
        assert run.status == "failed"
        assert "interrupted (Ctrl-C)" in run.message
    else:
        # The default action: the process ends at once; the scheduler that started it closes the run
        # with its exit code (services.crawl_processes), as it does after a SIGKILL.
        assert code == -signal.SIGTERM, stderr
