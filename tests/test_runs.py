"""Explicit crawl runs: the caller allocates the run, the crawling process holds a lease on it,
and a run whose process died never blocks the next crawl of its partner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import add_feed_partner as add_partner
from tests.helpers import cli, fpxml, wait_for
from volunteer_hub.core.config import load_settings
from volunteer_hub.services.crawl_processes import run_crawl
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.runs import (
    HOST,
    AlreadyRunning,
    LeaseKeeper,
    allocate_run,
    reap_abandoned,
    running_run,
)


def runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


def crawl_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLUNTEER_HUB_")}
    database = {"VOLUNTEER_HUB_DATABASE_URL": os.environ["VOLUNTEER_HUB_DATABASE_URL"]}  # ``db``'s
    return env | database | {"VOLUNTEER_HUB_HOME": str(home), "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS": "1"}


def test_a_crawl_killed_with_sigkill_does_not_block_the_next_one(
    home: Path,
    db: Database,
    silent_server: str,  # noqa: F811
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    """Issue 16: a killed ``volunteer-hub crawl`` used to block its partner until a scheduler noticed."""
    add_partner(db, "victim", silent_server)  # the feed never answers: the crawl is in progress
    proc = subprocess.Popen(
        [sys.executable, "-m", "volunteer_hub.cli", "crawl", "victim"],
        env=crawl_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        (killed,) = wait_for(lambda: [r for r in runs(db, "victim") if r.pid == proc.pid], 60)
        assert killed.status == "running" and killed.host == HOST
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("v1", "Mission V1")]))
    with db.session() as s, s.begin():
        s.get(Partner, "victim").url = f"{base}/feed.xml"
    # No scheduler runs here: the next crawl itself sees the dead process and goes ahead.
    out = cli(home, "crawl", "victim", "--json")
    assert out.returncode == 0, out.stderr
    first, second = runs(db, "victim")
    assert first.id == killed.id and first.status == "failed" and first.finished_at is not None
    assert first.message.startswith("abandoned: the crawl process died")
    assert (second.status, second.seen) == ("succeeded", 1)
    assert json.loads(out.stdout)[0]["id"] == second.id


def test_the_scheduler_crawls_into_the_run_it_allocated(db: Database, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    """The parent allocates the run and passes ``--run-id``: the id is known without reading any output."""
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("p1", "Mission P1"), ("p2", "Mission P2")]))
    add_partner(db, "parent", f"{base}/feed.xml")
    outcome = run_crawl(load_settings(), db, "parent", trigger="schedule", timeout_seconds=120)
    (run,) = runs(db, "parent")
    assert outcome.run_ids == [run.id] and outcome.exit_code == 0
    assert (run.trigger, run.status, run.seen) == ("schedule", "succeeded", 2)
    assert run.log_file == outcome.log_file and run.pid is not None and run.host == HOST


def test_crawl_run_id_is_the_callers_run(home: Path, db: Database, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("c1", "Mission C1")]))
    add_partner(db, "caller", f"{base}/feed.xml")
    add_partner(db, "other", f"{base}/feed.xml")
    run_id = allocate_run(db, "caller", "schedule")

    refused = cli(home, "crawl", "other", "--run-id", str(run_id))
    assert refused.returncode == 1 and f"run #{run_id} is not a run of other" in refused.stderr

    out = cli(home, "crawl", "caller", "--run-id", str(run_id), "--json")
    assert out.returncode == 0, out.stderr
    (reported,) = json.loads(out.stdout)
    (run,) = runs(db, "caller")
    assert reported["id"] == run.id == run_id
    assert (run.trigger, run.status, run.seen) == ("schedule", "succeeded", 1)

    again = cli(home, "crawl", "caller", "--run-id", str(run_id))
    assert again.returncode == 1 and f"run #{run_id} is over (succeeded)" in again.stderr
    assert len(runs(db, "caller")) == 1


def test_lease_rules_for_runs_on_other_hosts_and_dead_processes(db: Database) -> None:
    add_partner(db, "remote", "http://127.0.0.1:9/feed.xml")
    add_partner(db, "local", "http://127.0.0.1:9/feed.xml")
    # A crawl on another host with a live lease blocks a second crawl (its pid means nothing here).
    remote = allocate_run(db, "remote", "schedule", host="crawl-2.example", pid=1)
    with pytest.raises(AlreadyRunning, match=f"run #{remote}"):
        allocate_run(db, "remote", "manual")
    assert reap_abandoned(db) == []
    # ... until its lease expires (the host stopped renewing it).
    with db.session() as s, s.begin():
        s.get(CrawlRun, remote).lease_expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert running_run(db, "remote") is None
    with db.session() as s:
        expired = s.get(CrawlRun, remote)
    assert expired.status == "failed" and "no heartbeat from crawl-2.example" in expired.message

    # On this host, a dead pid is enough, whatever the lease says.
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(30)
    local = allocate_run(db, "local", "manual", pid=gone.pid)
    assert reap_abandoned(db) == [local]
    with db.session() as s:
        assert f"pid {gone.pid} on {HOST} is gone" in s.get(CrawlRun, local).message
    # This process is alive: its run is live and keeps its lease renewed.
    mine = allocate_run(db, "local", "manual", pid=os.getpid())

    def lease() -> datetime:
        with db.session() as s:
            return s.get(CrawlRun, mine).lease_expires_at

    first_lease = lease()
    with LeaseKeeper(db, [mine], every=0.05):
        wait_for(lambda: lease() > first_lease, 30, step=0.05)
    assert reap_abandoned(db) == [] and running_run(db, "local").id == mine
