"""The database: an engine and session factory over every table of ``volunteer_hub.store``.

Importing this module registers every table (core, operations, public site, direct postings)
on ``Base``. ``Database(url)`` migrates the database to the code's schema with Alembic
(``volunteer_hub.store.schema``): a new database is created, an older one upgraded in place.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from volunteer_hub.core.config import Settings
from volunteer_hub.store import (  # noqa: F401 - the models register their tables on Base
    direct_models,
    ops_models,
    public_models,
    schema,
)
from volunteer_hub.store.states import RunStatus
from volunteer_hub.store.tables import Base, CrawlRun, LinkCheck, Partner, StoredOpportunity, utcnow

__all__ = ["Base", "CrawlRun", "Database", "LinkCheck", "Partner", "StoredOpportunity", "utcnow"]

log = logging.getLogger(__name__)
T = TypeVar("T")
SQLITE_WAL_PATIENCE = 30.0  # seconds, as the connections' busy timeout


class Database:
    """Engine + session factory. ``Database(settings).session()`` is a context manager."""

    # How long a new connection waits for a server that refuses it (restarting), in seconds. 0: fail at
    # once (the web: an error page beats a hung worker). Crawls set it, so a restart costs no crawl.
    connect_wait_seconds: float = 0

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        url = driver_url(url)
        if url.startswith("sqlite"):
            self.engine: Engine = create_engine(url, connect_args={"timeout": SQLITE_WAL_PATIENCE})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:  # a server: a connection broken by a restart is replaced, not handed out
            self.engine = create_engine(url, pool_pre_ping=True)
            event.listen(self.engine, "do_connect", self._connect_waiting)
        if migrate:
            schema.upgrade(self.engine)  # a new or older database is brought to the code's schema
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    def _connect_waiting(self, dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        """Open a DBAPI connection, retrying for ``connect_wait_seconds`` while the server refuses."""
        dbapi = dialect.loaded_dbapi
        return _retrying(
            lambda: dbapi.connect(*cargs, **cparams),
            patience=self.connect_wait_seconds,
            transient=lambda exc: isinstance(exc, dbapi.OperationalError),
            pause=0.25,
            max_pause=5.0,
            waiting=lambda exc, pause: log.warning(
                "database unreachable (%s); retrying in %.1f s", str(exc).splitlines()[0], pause
            ),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url)

    def partner(self, partner_id: str) -> Partner | None:
        with self.session() as s:
            return s.get(Partner, partner_id)

    def partners(self) -> list[Partner]:
        with self.session() as s:
            return list(s.scalars(select(Partner).order_by(Partner.id)))

    def last_good_run(self, s: Session, partner_id: str) -> CrawlRun | None:
        stmt = (
            select(CrawlRun)
            .where(CrawlRun.partner_id == partner_id, CrawlRun.status == RunStatus.SUCCEEDED)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        )
        return s.scalars(stmt).first()


def driver_url(url: str) -> str:
    """``postgresql://...`` (the usual form) means the psycopg 3 driver, the one the package depends on."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    _wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _wal(cur: Any, patience: float = SQLITE_WAL_PATIENCE) -> None:
    """Put the file in WAL mode (kept by the file: a no-op once done). Switching needs the file to
    itself and answers "database is locked" at once, without SQLite's busy wait, while another process
    switches or migrates a new file (web workers and the scheduler starting together): retry a while."""

    def switch() -> None:
        (mode,) = cur.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            cur.execute("PRAGMA journal_mode=WAL")

    _retrying(
        switch,
        patience=patience,
        transient=lambda exc: isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc),
        pause=0.02,
        max_pause=0.5,
    )


def _retrying(
    attempt: Callable[[], T],
    *,
    patience: float,
    transient: Callable[[Exception], bool],
    pause: float,
    max_pause: float,
    waiting: Callable[[Exception, float], object] | None = None,
) -> T:
    """``attempt()``, tried again after doubling pauses (up to ``max_pause``) while it raises an
    error ``transient`` accepts, until ``patience`` seconds have passed; any other error at once."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not transient(exc) or time.monotonic() + pause > deadline:
                raise
            if waiting is not None:
                waiting(exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, max_pause)
