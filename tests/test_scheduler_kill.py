"""Issue 16 fault: ``volunteer-hub scheduler`` killed with SIGKILL in the middle of a crawl, then started
again: nothing lost, nothing blocked.

Two ways to die: the scheduler alone (its crawl runs in its own process and session, and finishes), or
the whole service at once (scheduler and crawl, as ``docker kill`` or systemd's control-group kill do).
The partner is crawled every minute (the shortest interval), so the restarted scheduler's next crawl
comes within about a minute of the killed one's start. A "minute" lasts 10 seconds here
(VOLUNTEER_HUB_SCHEDULER_MINUTE_SECONDS) and the first crawl starts within a second: the same
sequence, without waiting 80 s per test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.held_feed import HeldFeed
from tests.helpers import add_feed_partner, fpxml, wait_for
from volunteer_hub.store.db import CrawlRun, Database, StoredOpportunity
from volunteer_hub.store.ops_models import SchedulerHeartbeat

pytestmark = pytest.mark.slow


def runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


def live(db: Database) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(StoredOpportunity.source_id).where(StoredOpportunity.state == "live")))


def start(home: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        VOLUNTEER_HUB_HOME=str(home),
        VOLUNTEER_HUB_RECONCILE_SECONDS="1",
        VOLUNTEER_HUB_SCHEDULER_MINUTE_SECONDS="10",
        VOLUNTEER_HUB_FIRST_CRAWL_DELAY="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "volunteer_hub.cli", "scheduler"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def beating(db: Database, pid: int) -> bool:
    with db.session() as s:
        row = s.get(SchedulerHeartbeat, "scheduler")
        return row is not None and row.pid == pid


@pytest.fixture
def feed() -> Iterator[HeldFeed]:
    served = HeldFeed()
    served.body = fpxml([("s1", "Mission S1"), ("s2", "Mission S2")]).encode()
    yield served
    served.close()


@pytest.fixture
def schedulers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def crawl_in_progress(home: Path, db: Database, feed: HeldFeed, schedulers: list) -> tuple[int, CrawlRun]:
    """Start the scheduler; return its pid and the run its crawl process holds while the feed is held."""
    add_feed_partner(db, "steady", feed.url, interval=1)
    feed.hold()
    scheduler = start(home)
    schedulers.append(scheduler)
    wait_for(lambda: beating(db, scheduler.pid), 60)
    assert feed.requested.wait(90), "the scheduler never crawled"
    (run,) = wait_for(lambda: [r for r in runs(db, "steady") if r.pid not in (None, scheduler.pid)], 30)
    assert run.status == "running"
    return scheduler.pid, run


def test_a_scheduler_killed_mid_crawl_loses_nothing_and_its_successor_goes_on(
    home: Path, db: Database, feed: HeldFeed, schedulers: list
) -> None:
    scheduler_pid, run = crawl_in_progress(home, db, feed, schedulers)
    os.kill(scheduler_pid, signal.SIGKILL)
    schedulers[0].wait(30)

    # The crawl is its own process: it finishes and records its run without the scheduler.
    feed.release()
    done = wait_for(lambda: [r for r in runs(db, "steady") if r.id == run.id and r.status != "running"], 90)
    assert (done[0].status, done[0].seen) == ("succeeded", 2)
    assert live(db) == {"s1", "s2"}

    # A new scheduler takes over the heartbeat and the persisted job: the next crawl runs on time.
    successor = start(home)
    schedulers.append(successor)
    wait_for(lambda: beating(db, successor.pid), 60)
    later = wait_for(lambda: [r for r in runs(db, "steady")[1:] if r.status != "running"], 150)
    assert later[0].status in ("succeeded", "not-modified") and later[0].trigger == "schedule"
    assert live(db) == {"s1", "s2"}


def test_a_service_killed_whole_mid_crawl_is_failed_at_restart_and_crawled_again(
    home: Path, db: Database, feed: HeldFeed, schedulers: list
) -> None:
    scheduler_pid, run = crawl_in_progress(home, db, feed, schedulers)
    # Everything at once: the scheduler's process group and the crawl's (it has its own session).
    os.killpg(scheduler_pid, signal.SIGKILL)
    os.killpg(run.pid, signal.SIGKILL)
    schedulers[0].wait(30)
    wait_for(lambda: subprocess.run(["kill", "-0", str(run.pid)], capture_output=True).returncode != 0, 30)
    feed.release()
    (left,) = runs(db, "steady")
    assert left.status == "running"  # nobody could close it

    successor = start(home)
    schedulers.append(successor)
    wait_for(lambda: beating(db, successor.pid), 60)
    # At start the dead crawl's run is failed with the reason; the partner is not blocked: crawled again.
    killed = runs(db, "steady")[0]
    assert killed.status == "failed" and killed.message.startswith("abandoned: the crawl process died")
    assert f"pid {run.pid}" in killed.message
    again = wait_for(lambda: [r for r in runs(db, "steady")[1:] if r.status != "running"], 150)
    assert (again[0].status, again[0].seen, again[0].trigger) == ("succeeded", 2, "schedule")
    assert live(db) == {"s1", "s2"}
