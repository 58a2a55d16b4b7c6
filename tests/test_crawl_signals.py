"""A stop signal ends a crawl at once at every step and records its run as interrupted; during the
download it retires nothing.

Scrapy's own handlers stop gracefully: they waited for the download in flight (minutes for a slow
partner), then stayed installed once the reactor had stopped, so a signal during the after-download
steps (storing, the index push: minutes on a large feed) did nothing, and the scheduler's timeout
waited out its grace before SIGKILL (crawlers.runner.stopped_by_signals).

The crawls here are the real ``volunteer-hub crawl`` in its own process, against a feed served on
127.0.0.1 that can be held; in the after-download test only the index push is held (a stand-in for a
slow index), so the signal lands in that phase every time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.held_feed import HeldFeed
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


def signalled(
    argv: list[str], ready: Callable[[subprocess.Popen[str]], bool], sig: signal.Signals
) -> tuple[int, str]:
    """Run ``argv`` with the fixtures' home and database, send it ``sig`` once ``ready(process)``;
    its exit code and stderr. It must end within 60 s: a held step ignoring the signal lasts minutes."""
    proc = subprocess.Popen(
        argv, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert ready(proc)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, proc.stderr.read() if proc.stderr else ""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_signal_while_storing_and_indexing_stops_the_crawl(
    home: Path, db: Database, feed_server: tuple[Path, str], sig: signal.Signals
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a1", "Mission A1"), ("a2", "Mission A2")]), encoding="utf-8")
    added = cli(home, "partners", "add", "held", "--url", f"{base}/feed.xml", "--format", "fpxml")
    assert added.returncode == 0, added.stderr

    code, stderr = signalled(
        [sys.executable, "-c", HELD_PUSH],
        lambda proc: proc.stdout.readline().strip() == "pushing",  # the download is over, the push hangs
        sig,
    )

    with db.session() as s:
        run = s.scalars(select(CrawlRun).where(CrawlRun.partner_id == "held")).one()
        stored = set(s.scalars(select(StoredOpportunity.source_id)))
    assert stored == {"a1", "a2"}  # what was stored before the signal is kept
    assert code == 128 + sig, stderr
    assert f"interrupted by {sig.name}" in stderr
    assert run.status == "failed"
    assert run.message.startswith(f"interrupted by {sig.name} before the run finished")


def test_a_stop_signal_during_the_download_fails_the_run_and_retires_nothing(
    home: Path, db: Database
) -> None:
    feed = HeldFeed()
    feed.body = fpxml([("a1", "Mission A1"), ("a2", "Mission A2")]).encode()
    try:
        assert cli(home, "partners", "add", "slow", "--url", feed.url, "--format", "fpxml").returncode == 0
        assert cli(home, "crawl", "slow").returncode == 0
        feed.body = fpxml([("a1", "Mission A1")]).encode()  # a2 would be retired by a complete crawl
        feed.hold()
        code, stderr = signalled(
            [sys.executable, "-m", "volunteer_hub.cli", "crawl", "slow"],
            lambda _proc: feed.requested.wait(60),
            signal.SIGTERM,
        )
    finally:
        feed.close()
    with db.session() as s:
        last = s.scalars(
            select(CrawlRun).where(CrawlRun.partner_id == "slow").order_by(CrawlRun.id.desc())
        ).first()
        live = set(s.scalars(select(StoredOpportunity.source_id).where(StoredOpportunity.state == "live")))
    assert code == 128 + signal.SIGTERM, stderr
    assert last.status == "failed"
    assert last.message.startswith("interrupted by SIGTERM before the run finished")
    assert live == {"a1", "a2"}  # a download cut short retires nothing
