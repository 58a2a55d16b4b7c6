"""Lookups of a list of listings stay on a selective index in SQLite.

SQLite plans without statistics and guesses that an equality on any index finds about ten rows, so
"id IN (500 ids) AND state = 'live'" walked the index of states: every live listing of every
partner, once per batch of a crawl's index push (at 500,000 stored listings, 0.9 s a batch). What is
checked is the plan SQLite picks for the statements these functions really send.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

from search_app.admin.data import grouped_errors
from tests import samples
from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.grouping import attach_sources

STATE_INDEX = "ix_stored_opportunity_state"


@contextmanager
def selects(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "stored_opportunity" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def plans(db: Database, seen: list[tuple[str, Any]]) -> list[str]:
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        return [
            " / ".join(row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params))  # type: ignore[union-attr]
            for sql, params in seen
        ]


def test_the_copies_of_a_batch_are_looked_up_by_duplicate_of(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    batch = [samples.opp(f"s{i}", f"Mission {i}") for i in range(500)]
    with selects(db) as seen:
        attach_sources(db, batch)
    (plan,) = plans(db, seen)
    assert "ix_stored_opportunity_duplicate_of" in plan and STATE_INDEX not in plan, plan


def test_the_console_finds_which_failed_items_are_live_by_id(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    errors = [{"severity": "error", "message": f"bad {i}", "item": f"s{i}"} for i in range(50)]
    with selects(db) as seen:
        grouped_errors(db, CrawlRun(partner_id="test", errors=errors))
    (plan,) = plans(db, seen)
    assert "sqlite_autoindex_stored_opportunity" in plan and STATE_INDEX not in plan, plan
