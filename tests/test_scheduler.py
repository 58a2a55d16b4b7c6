"""The scheduler, for real: APScheduler with intervals of seconds, crawl subprocesses against
feeds served on 127.0.0.1, a persistent job store in the test's own database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from schedules.scheduler import expiry_job, housekeeping, job_id, start_scheduler, stop_scheduler
from tests.helpers import FAST, fpxml, wait_for
from tests.helpers import add_feed_partner as add_partner
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.crawl_processes import run_crawl
from volunteer_hub.services.dispatch import spawn_crawl_in_background
from volunteer_hub.store.db import CrawlRun, Database, Partner
from volunteer_hub.store.ops_models import SchedulerHeartbeat, aware
from volunteer_hub.store.runs import AlreadyRunning, running_run


def runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


def finished(db: Database, partner_id: str, count: int = 1) -> list[CrawlRun] | None:
    """The partner's runs once ``count`` are over and closed by the scheduler (log attached)."""
    done = [r for r in runs(db, partner_id) if r.status != "running" and r.log_file]
    return done if len(done) >= count else None


def test_scheduler_crawls_reconciles_and_persists(db: Database, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    root, base = feed_server
    (root / "a.xml").write_text(fpxml([("a1", "Mission A1"), ("a2", "Mission A2")]))
    (root / "b.xml").write_text(fpxml([("b1", "Mission B1")]))
    # A never-crawled partner at a 6-second interval; a paused one; a pending one.
    add_partner(db, "alpha", f"{base}/a.xml", interval=6)
    add_partner(db, "paused", f"{base}/a.xml", paused=True)
    add_partner(db, "pending", f"{base}/a.xml", status="pending")

    scheduler = start_scheduler(load_settings(), db, FAST)
    try:
        # First crawl soon after start, through the scheduler, as its own process.
        first = wait_for(lambda: finished(db, "alpha"), 60)[0]
        assert (first.trigger, first.status, first.seen) == ("schedule", "succeeded", 2)
        assert first.log_file and Path(first.log_file).is_file()
        assert scheduler.get_job(job_id("paused")) is None and scheduler.get_job(job_id("pending")) is None

        # Jobs live in the persistent store (the same database).
        with db.engine.connect() as conn:
            stored = {row[0] for row in conn.execute(text("SELECT id FROM apscheduler_jobs"))}
        assert job_id("alpha") in stored

        # Heartbeat row for the console and /healthz.
        with db.session() as s:
            beat = s.get(SchedulerHeartbeat, "scheduler")
        assert beat is not None and datetime.now(UTC) - aware(beat.beat_at) < timedelta(seconds=10)

        # A partner added meanwhile (as the CLI or console would) is picked up without a restart.
        add_partner(db, "bravo", f"{base}/b.xml", interval=3600)
        bravo = wait_for(lambda: finished(db, "bravo"), 60)[0]
        assert (bravo.trigger, bravo.status, bravo.seen) == ("schedule", "succeeded", 1)

        # alpha runs again at its interval (6 s, with jitter), unchanged feed -> 304.
        second = wait_for(lambda: finished(db, "alpha", 2), 60)[1]
        assert second.trigger == "schedule" and second.status in ("not-modified", "succeeded")

        # Interval change and pause apply at the next reconcile.
        with db.session() as s, s.begin():
            s.get(Partner, "bravo").interval_minutes = 7200
        wait_for(lambda: scheduler.get_job(job_id("bravo")).trigger.interval == timedelta(seconds=7200), 10)
        with db.session() as s, s.begin():
            s.get(Partner, "alpha").paused = True
        wait_for(lambda: scheduler.get_job(job_id("alpha")) is None, 10)
        # Approving the pending partner schedules its first crawl.
        with db.session() as s, s.begin():
            s.get(Partner, "pending").status = "approved"
        wait_for(lambda: finished(db, "pending"), 60)
    finally:
        stop_scheduler(scheduler, db)
    with db.session() as s:
        assert s.get(SchedulerHeartbeat, "scheduler").stopped_at is not None
    # Never two runs of one partner at the same time.
    for partner_id in ("alpha", "bravo", "pending"):
        spans = [(aware(r.started_at), aware(r.finished_at)) for r in runs(db, partner_id)]
        for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
            assert e1 is not None and s2 >= e1 - timedelta(seconds=1)


def test_interrupted_run_is_failed_at_start(db: Database, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    _root, base = feed_server
    add_partner(db, "crashed", f"{base}/none.xml", paused=True)
    with db.session() as s, s.begin():
        s.add(CrawlRun(partner_id="crashed", trigger="schedule", status="running"))
    scheduler = start_scheduler(load_settings(), db, FAST)
    try:
        run = runs(db, "crashed")[0]
        assert run.status == "failed" and "abandoned" in run.message
        assert run.finished_at is not None
    finally:
        stop_scheduler(scheduler, db)


def test_hard_timeout_kills_a_stuck_crawl_and_refuses_a_second(db: Database, silent_server: str) -> None:
    add_partner(db, "stuck", silent_server)
    settings = load_settings()
    # 8 s: the run is allocated before the thread starts, so the refusals below never race the timeout.
    thread = spawn_crawl_in_background(settings, db, "stuck", trigger="manual", timeout_seconds=8)
    wait_for(lambda: running_run(db, "stuck"), 30)
    # A second crawl while one runs is refused, not doubled: by us, and by the crawl command itself.
    with pytest.raises(AlreadyRunning):
        spawn_crawl_in_background(settings, db, "stuck", trigger="manual", timeout_seconds=20)
    with pytest.raises(AlreadyRunning):
        run_crawl(settings, db, "stuck", trigger="schedule", timeout_seconds=20)
    thread.join(60)
    assert not thread.is_alive()
    (run,) = runs(db, "stuck")
    assert run.status == "failed" and "hard timeout of 8 s" in run.message
    assert run.log_file and Path(run.log_file).is_file()
    assert running_run(db, "stuck") is None


def test_housekeeping_keeps_recent_runs_and_the_last_good_one(db: Database) -> None:
    add_partner(db, "old", "http://127.0.0.1:9/feed.xml")
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with db.session() as s, s.begin():
        s.add(CrawlRun(partner_id="old", status="succeeded", started_at=long_ago, seen=10))
        for n in range(30):
            s.add(CrawlRun(partner_id="old", status="failed", started_at=long_ago + timedelta(hours=n)))
    deleted = housekeeping(db, OpsConfig(retention_days=90, keep_runs_per_partner=5))
    left = runs(db, "old")
    assert deleted == 25
    assert len(left) == 6 and left[0].status == "succeeded"  # last good run kept for the shrink guard


def test_expiry_job_removes_expired_listings_from_search(home: Path) -> None:
    from datetime import UTC, datetime

    from indexer import open_backend
    from indexer.sync import push_pending
    from tests.samples import opp
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.store.partner_sync import PartnerSync

    settings = load_settings()
    db = Database.from_settings(settings)
    backend = open_backend(settings)
    backend.ensure_ready()
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="http://127.0.0.1:9/feed.xml"))
    ended = opp("ended", "Collecte terminée", end=datetime(2026, 1, 1, tzinfo=UTC))
    current = opp("current", "Collecte permanente", open_ended=True)
    # Crawled while it was still on (an item already over when crawled is never indexed).
    PartnerSync(db, "test", now=datetime(2025, 12, 1, tzinfo=UTC)).store([ended, current])
    push_pending(db, backend)
    assert backend.count() == 2

    expiry_job()

    assert backend.count() == 1
    assert backend.get(current.id) is not None and backend.get(ended.id) is None


def test_scheduler_command_runs_until_sigterm(db: Database, home: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = dict(os.environ, VOLUNTEER_HUB_RECONCILE_SECONDS="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "volunteer_hub.cli", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def beating() -> bool:
            with db.session() as s:
                row = s.get(SchedulerHeartbeat, "scheduler")
                return row is not None and row.pid == proc.pid

        wait_for(beating, 30)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "scheduler started" in out


def test_operators_add_from_stdin(home: Path) -> None:
    import os
    import subprocess
    import sys

    def add(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "volunteer_hub.cli",
                "operators",
                "add",
                "Ops@Example.org",
                "--password-stdin",
            ],
            input=password + "\n",
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert add("short").returncode == 1
    done = add("correct horse battery")
    assert done.returncode == 0 and "added operator ops@example.org" in done.stdout
    from volunteer_hub.store.auth import authenticate

    assert authenticate(
        Database.from_settings(load_settings()), "ops@example.org", "correct horse battery"
    ).ok


def test_restart_catches_up_on_a_missed_run(db: Database, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    """A persisted job whose run was missed while the scheduler was down runs soon after restart."""
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("r1", "Mission R1")]))
    add_partner(db, "late", f"{base}/feed.xml", interval=3600)
    with db.session() as s, s.begin():  # crawled long ago: overdue
        s.add(
            CrawlRun(
                partner_id="late",
                status="succeeded",
                seen=1,
                log_file="x",
                started_at=datetime.now(UTC) - timedelta(days=2),
                finished_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
    first = start_scheduler(load_settings(), db, FAST)
    stop_scheduler(first, db)
    # The job is persisted with a next run; push it far into the future, as if it had been missed.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE apscheduler_jobs SET next_run_time = next_run_time + 86400"))
    second = start_scheduler(load_settings(), db, FAST)
    try:
        job = second.get_job(job_id("late"))
        due_in = (job.next_run_time - datetime.now(UTC)).total_seconds()
        assert due_in < 61
        # The catch-up run is spread over a minute; then the crawl process needs its own time.
        wait_for(lambda: finished(db, "late", 2), max(due_in, 0) + 60)
    finally:
        stop_scheduler(second, db)
