"""The database: an engine and session factory over every table of ``volunteer_hub.store``.

Importing this module registers every table (core, operations, public site, direct postings)
on ``Base``, so ``Database(url)`` creates what a new database lacks.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from volunteer_hub.core.config import Settings
from volunteer_hub.store import (  # noqa: F401 - register their tables
    alerts_models,
    direct_models,
    ops_models,
    public_models,
)
from volunteer_hub.store.states import RunStatus
from volunteer_hub.store.tables import Base, CrawlRun, Partner, StoredOpportunity, utcnow

__all__ = ["Base", "CrawlRun", "Database", "Partner", "StoredOpportunity", "utcnow"]

log = logging.getLogger(__name__)


class Database:
    """Engine + session factory. ``Database(settings).session()`` is a context manager."""

    def __init__(self, url: str) -> None:
        connect_args = {"timeout": 30} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        add_missing_columns(self.engine)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

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


class SchemaUpgradeError(RuntimeError):
    """A model column is missing from an existing table and cannot be added in place."""


def add_missing_columns(engine: Engine) -> list[str]:
    """Additive schema upgrade: ``ALTER TABLE ... ADD COLUMN`` for model columns an existing
    table lacks (``create_all`` only creates missing tables). Only nullable columns or columns
    with a server default can be added; any other missing column raises ``SchemaUpgradeError``
    before anything is altered. Returns the ``table.column`` names added."""
    existing_tables = set(inspect(engine).get_table_names())
    preparer = engine.dialect.identifier_preparer
    todo: list[tuple[str, str, str]] = []
    refused: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {c["name"] for c in inspect(engine).get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                refused.append(f"{table.name}.{column.name}")
                continue
            ddl = f"{preparer.quote(column.name)} {column.type.compile(dialect=engine.dialect)}"
            if column.server_default is not None:
                default = column.server_default.arg  # type: ignore[attr-defined]
                if not isinstance(default, str):
                    default = str(default.compile(dialect=engine.dialect))  # a text() clause
                else:
                    default = "'" + default.replace("'", "''") + "'"
                ddl += f" DEFAULT {default}"
            if not column.nullable:
                ddl += " NOT NULL"
            todo.append(
                (table.name, column.name, f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN {ddl}")
            )
    if refused:
        raise SchemaUpgradeError(
            "cannot add these missing columns to existing tables (not nullable, no server default): "
            + ", ".join(refused)
            + "; add them by hand or make them nullable"
        )
    added = []
    with engine.begin() as conn:
        for table_name, column_name, statement in todo:
            log.warning("schema upgrade: adding column %s.%s (%s)", table_name, column_name, statement)
            conn.exec_driver_sql(statement)
            added.append(f"{table_name}.{column_name}")
        # Indexes of existing tables (create_all only creates them with a new table).
        for table in Base.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            present_indexes = {i["name"] for i in inspect(conn).get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in present_indexes:
                    log.warning("schema upgrade: creating index %s", index.name)
                    index.create(conn)
    return added


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
