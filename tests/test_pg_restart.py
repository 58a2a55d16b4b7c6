"""Issue 16 fault: the PostgreSQL server restarted in the middle of a crawl.

The test starts its own throw-away server (not the session's: other tests keep theirs), crawls a feed
served on 127.0.0.1 that is held back until the server is down, releases it while the database is
down, and starts the server again with its data (``scripts/postgres.sh stop|start --keep``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.held_feed import HeldFeed
from tests.helpers import add_feed_partner as add_partner
from tests.helpers import cli, fpxml
from tests.pg_server import PgServer, _script, start_server
from volunteer_hub.store.db import CrawlRun, Database, StoredOpportunity

pytestmark = [pytest.mark.postgresql, pytest.mark.slow]


@pytest.fixture(scope="module")
def own_pg() -> Iterator[PgServer]:
    """One server for this file's tests (each restarts it with its data, in its own database): an initdb
    and a start fewer than one server per test."""
    server = start_server()
    try:
        yield server
    finally:
        server.close()


def states(db: Database, partner_id: str) -> dict[str, str]:
    with db.session() as s:
        rows = s.scalars(select(StoredOpportunity).where(StoredOpportunity.partner_id == partner_id))
        return {row.source_id: row.state for row in rows}


def runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


FOUR = [(f"k{i}", f"Mission K{i}") for i in range(1, 5)]
LIVE_FOUR = dict.fromkeys(("k1", "k2", "k3", "k4"), "live")
LIVE_FIVE = LIVE_FOUR | {"k5": "live"}


@pytest.fixture
def scenario(home: Path, own_pg: PgServer) -> Iterator[tuple[Database, HeldFeed, dict[str, str]]]:
    """A partner crawled once (4 live listings) on the test's own server; its feed now adds a fifth."""
    url = own_pg.create_database()
    os.environ["VOLUNTEER_HUB_DATABASE_URL"] = url  # for ``cli`` (``home`` restores the environment)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLUNTEER_HUB_")} | {
        "VOLUNTEER_HUB_HOME": str(home),
        "VOLUNTEER_HUB_DATABASE_URL": url,
        "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS": "1",
    }
    feed, db = HeldFeed(), Database(url)
    try:
        feed.body = fpxml(FOUR).encode()
        add_partner(db, "steady", feed.url)
        first = cli(home, "crawl", "steady")
        assert first.returncode == 0, first.stderr
        assert states(db, "steady") == LIVE_FOUR
        feed.body = fpxml([*FOUR, ("k5", "Mission K5")]).encode()
        yield db, feed, env
    finally:
        feed.close()
        db.engine.dispose()
        os.environ.pop("VOLUNTEER_HUB_DATABASE_URL", None)


class Output:
    """A process's output read as it comes (a thread), so a test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return True
            time.sleep(0.2)
        return False

    def text(self) -> str:
        self._thread.join(30)
        return "".join(self.lines)


def crawl_across_a_restart(
    server: PgServer,
    db: Database,
    feed: HeldFeed,
    env: dict[str, str],
    while_down: Callable[[subprocess.Popen[str], Output], None],
) -> tuple[int, str]:
    """Crawl with the feed held back; once the crawl waits for it, stop the server as a crash would
    (immediate mode), release the feed, run ``while_down``, and start the server with its data."""
    feed.hold()
    proc = subprocess.Popen(
        [sys.executable, "-m", "volunteer_hub.cli", "crawl", "steady"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(proc)
    try:
        assert feed.requested.wait(60), "the crawl never asked for the feed"
        db.engine.dispose()
        port = str(server.port)
        stopped = _script("stop", "--port", port, "--keep")
        assert stopped.returncode == 0, stopped.stderr
        feed.release()
        while_down(proc, output)
        started = _script("start", "--port", port, "--keep", "--watch-pid", str(os.getpid()))
        assert started.returncode == 0, started.stderr
        proc.wait(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    feed.held = False
    db.engine.dispose()
    return proc.returncode, output.text()


def until_it_waits(_proc: subprocess.Popen[str], output: Output) -> None:
    """Keep the server down until the crawl says it is waiting for it (however slow the machine)."""
    assert output.wait_for("database unreachable", 120), "the crawl never met the stopped server"


def test_a_crawl_waits_for_a_restarted_postgresql_and_succeeds(
    home: Path, own_pg: PgServer, scenario: tuple[Database, HeldFeed, dict[str, str]]
) -> None:
    db, feed, env = scenario
    code, output = crawl_across_a_restart(own_pg, db, feed, env, until_it_waits)

    # The crawl waited for the server: the run succeeded with the fifth listing, nothing retired.
    assert code == 0, output
    assert "database unreachable" in output  # the wait is in the crawl's log
    _first, restarted = runs(db, "steady")
    assert (restarted.status, restarted.seen, restarted.new, restarted.removed) == ("succeeded", 5, 1, 0)
    assert states(db, "steady") == LIVE_FIVE

    again = cli(home, "crawl", "steady")
    assert again.returncode == 0, again.stderr
    assert runs(db, "steady")[-1].status == "succeeded"
    assert states(db, "steady") == LIVE_FIVE


def test_a_crawl_that_outwaits_its_patience_fails_cleanly_and_the_next_one_succeeds(
    home: Path, own_pg: PgServer, scenario: tuple[Database, HeldFeed, dict[str, str]]
) -> None:
    db, feed, env = scenario
    env = env | {"VOLUNTEER_HUB_CRAWL_DB_WAIT": "1"}  # the server stays down longer than the crawl waits
    code, output = crawl_across_a_restart(own_pg, db, feed, env, lambda proc, _output: proc.wait(120))

    assert code != 0, output
    assert "the database failed while storing listings" in output or "database unreachable" in output
    # Nothing half-written: the four listings still live, the last good run unchanged.
    assert states(db, "steady") == LIVE_FOUR
    first, dead = runs(db, "steady")
    assert (first.status, first.seen) == ("succeeded", 4)
    assert dead.status == "running"  # its process is gone: the next crawl closes it

    again = cli(home, "crawl", "steady")
    assert again.returncode == 0, again.stderr
    first, dead, next_run = runs(db, "steady")
    assert dead.status == "failed" and dead.message.startswith("abandoned: the crawl process died")
    assert (next_run.status, next_run.seen, next_run.new, next_run.removed) == ("succeeded", 5, 1, 0)
    assert states(db, "steady") == LIVE_FIVE
