"""Sessions that give up quickly on a locked database, for work that must never stall a request
(counting a click before a redirect): SQLite's busy timeout, PostgreSQL's lock and statement
timeouts, set for one transaction only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.orm import Session

from volunteer_hub.store.db import Database

SQLITE_DEFAULT_BUSY_MS = 30_000  # Database's connect timeout (30 s), restored afterwards


@contextmanager
def short_wait_session(db: Database, milliseconds: int = 250) -> Iterator[Session]:
    """A session whose statements fail (``OperationalError``) after waiting ``milliseconds`` for a lock."""
    dialect = db.engine.dialect.name
    with db.session() as s:
        if dialect == "sqlite":
            s.execute(text(f"PRAGMA busy_timeout = {int(milliseconds)}"))
        elif dialect == "postgresql":
            s.execute(text(f"SET LOCAL lock_timeout = '{int(milliseconds)}ms'"))
            s.execute(text(f"SET LOCAL statement_timeout = '{int(milliseconds) * 4}ms'"))
        try:
            yield s
        finally:
            if dialect == "sqlite":  # the pooled connection keeps the setting: give the default back
                s.rollback()
                s.execute(text(f"PRAGMA busy_timeout = {SQLITE_DEFAULT_BUSY_MS}"))
