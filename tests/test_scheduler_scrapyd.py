"""Scale-out path: crawls dispatched to a real Scrapyd on 127.0.0.1 (project ``volunteer-hub``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from schedules.scheduler import start_scheduler, stop_scheduler
from tests.helpers import FAST, fpxml, search_json, wait_for
from tests.helpers import add_feed_partner as add_partner
from volunteer_hub.core.config import load_settings
from volunteer_hub.services.scrapyd import run_crawl_scrapyd
from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.runs import AlreadyRunning, running_run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scrapyd(home: Path, tmp_path: Path) -> Iterator[str]:
    """Scrapyd on 127.0.0.1 with the ``volunteer-hub`` project declared in its scrapy.cfg."""
    workdir = tmp_path / "scrapyd"
    workdir.mkdir()
    port = free_port()
    (workdir / "scrapy.cfg").write_text(
        "[settings]\nvolunteer-hub = schedules.scrapyd_settings\n\n"
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\nmax_proc = 4\n"
        f"logs_dir = {workdir / 'logs'}\neggs_dir = {workdir / 'eggs'}\ndbs_dir = {workdir / 'dbs'}\n"
        "items_dir =\n"
    )
    env = dict(os.environ)  # VOLUNTEER_HUB_HOME and ALLOW_PRIVATE_URLS from the `home` fixture
    proc = subprocess.Popen(
        [sys.executable, "-m", "scrapyd"],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=2) as res:
                    if json.loads(res.read())["status"] == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(
                    f"scrapyd did not start: {proc.stdout.read().decode() if proc.stdout else ''}"
                )
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


def test_crawl_through_scrapyd_records_and_indexes(
    home: Path,
    scrapyd: str,
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    with urllib.request.urlopen(f"{scrapyd}/listspiders.json?project=volunteer-hub", timeout=60) as res:
        assert json.loads(res.read())["spiders"] == ["partner"]
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("s1", "Soutien scolaire"), ("s2", "Soutien administratif")]))
    db = Database.from_settings(load_settings())
    add_partner(db, "remote", f"{base}/feed.xml")

    outcome = run_crawl_scrapyd(scrapyd, db, "remote", trigger="schedule", timeout_seconds=120)
    (run,) = runs(db, "remote")
    assert (run.trigger, run.status, run.seen, run.new, run.indexed) == ("schedule", "succeeded", 2, 2, 2)
    assert (
        outcome.log_file.startswith(f"{scrapyd}/logs/volunteer-hub/partner/")
        and run.log_file == outcome.log_file
    )
    assert search_json(home, "soutien")["total"] == 2

    # Through the scheduler: the second crawl of the unchanged feed is a 304, dispatched to Scrapyd.
    with db.session() as s, s.begin():
        s.get(CrawlRun, run.id).started_at = s.get(CrawlRun, run.id).started_at.replace(year=2000)
    scheduler = start_scheduler(load_settings(), db, replace(FAST, scrapyd_url=scrapyd))
    try:
        second = wait_for(
            lambda: [r for r in runs(db, "remote")[1:] if r.status != "running" and r.log_file], 90
        )
    finally:
        stop_scheduler(scheduler, db)
    assert (second[0].trigger, second[0].status) == ("schedule", "not-modified")
    assert second[0].log_file.startswith(scrapyd)


def test_scrapyd_crawl_cancelled_at_the_hard_timeout(home: Path, scrapyd: str, silent_server: str) -> None:  # noqa: F811
    db = Database.from_settings(load_settings())
    add_partner(db, "hung", silent_server)
    import threading

    result: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: result.update(
            outcome=run_crawl_scrapyd(scrapyd, db, "hung", trigger="manual", timeout_seconds=10)
        )
    )
    thread.start()
    wait_for(lambda: running_run(db, "hung"), 60)
    with pytest.raises(AlreadyRunning):
        run_crawl_scrapyd(scrapyd, db, "hung", trigger="manual", timeout_seconds=10)
    thread.join(90)
    assert result["outcome"].timed_out  # type: ignore[attr-defined]
    (run,) = runs(db, "hung")
    assert run.status == "failed"
