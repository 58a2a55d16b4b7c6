"""Alembic migrations (volunteer_hub/store/schema.py): a database made by the last release before Alembic is
upgraded in place and keeps its rows; the migrations build exactly the models' schema, on SQLite and on a real
PostgreSQL server. A model changed without a migration fails ``test_the_migrations_build_the_models_schema``:
write one with ``volunteer-hub db revision -m '...'`` (docs/operations.md)."""

from __future__ import annotations

import functools
import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, create_engine, inspect, select, text

from tests.conftest import FILES
from tests.helpers import cli as run_cli
from volunteer_hub.store import schema
from volunteer_hub.store.db import Base, CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import Operator

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201
    """A new, EMPTY database (no tables), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.create_database(migrated=False)
    yield url
    server.drop_database(url)


def run_sql(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        lines = [line for line in sql.splitlines() if not line.startswith("--")]
        for statement in "\n".join(lines).split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()


def previous_release_database(url: str) -> None:
    """The schema the last release before Alembic made (its DDL, kept in tests/files), with rows in it."""
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    run_sql(url, (FILES / "schema_before_alembic" / f"{dialect}.sql").read_text(encoding="utf-8"))
    created = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    record = {"id": "old:1", "title": "Aide aux devoirs", "causes": ["education"], "remote": False}
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO partner (id, name, url, format, status, paused, interval_minutes,"
                " cause_overrides, created_at, contact_email) VALUES ('old', 'Old Partner', 'https://old.example.org/feed.xml',"
                " 'auto', 'approved', false, 120, :overrides, :created, 'ops@old.example.org')"
            ),
            {"overrides": json.dumps({"soutien scolaire": "education"}), "created": created},
        )
        conn.execute(
            text(
                "INSERT INTO crawl_run (partner_id, trigger, status, started_at, seen, new, updated,"
                " unchanged, rejected, removed, indexed, bytes, rejected_by_reason, errors)"
                " VALUES ('old', 'schedule', 'succeeded', :created, 1, 1, 0, 0, 0, 0, 1, 2048, '{}', '[]')"
            ),
            {"created": created},
        )
        conn.execute(
            text(
                "INSERT INTO stored_opportunity (id, partner_id, source_id, content_hash, data, first_seen,"
                " last_seen, state) VALUES ('old:1', 'old', '1', 'abc', :data, :created, :created, 'live')"
            ),
            {"data": json.dumps(record), "created": created},
        )
        conn.execute(
            text(
                "INSERT INTO operator (email, password_hash, created_at, failed_logins, session_version)"
                " VALUES ('ops@example.org', 'hash', :created, 0, 3)"
            ),
            {"created": created},
        )
    engine.dispose()


def test_a_database_of_the_previous_release_is_upgraded_and_keeps_its_data(empty_url: str) -> None:
    previous_release_database(empty_url)
    db = Database(empty_url)  # what every command and web worker does on start
    assert schema.current_revision(db.engine) == schema.head_revision()
    assert schema.differences(db.engine) == []
    with db.session() as s:
        partner = s.get(Partner, "old")
        assert (partner.name, partner.interval_minutes, partner.contact_email) == (
            "Old Partner",
            120,
            "ops@old.example.org",
        )
        assert partner.cause_overrides == {"soutien scolaire": "education"}
        run = s.scalars(select(CrawlRun)).one()
        assert (run.status, run.bytes, run.partner_id) == ("succeeded", 2048, "old")
        stored = s.get(StoredOpportunity, "old:1")
        assert stored.data["title"] == "Aide aux devoirs" and stored.data["causes"] == ["education"]
        assert s.scalars(select(Operator)).one().session_version == 3
    # New rows next to the old ones; opening again changes nothing.
    with db.session() as s, s.begin():
        s.add(Partner(id="new", name="New", url="https://new.example.org/feed.xml"))
    db.engine.dispose()
    again = Database(empty_url)
    assert [p.id for p in again.partners()] == ["new", "old"]
    again.engine.dispose()


def test_the_migrations_build_the_models_schema(empty_url: str) -> None:
    """Fails when a model changes without a migration: ``volunteer-hub db revision -m '...'`` writes it."""
    db = Database(empty_url)
    assert schema.current_revision(db.engine) == schema.head_revision()
    differences = schema.differences(db.engine)
    assert differences == [], (
        "the models differ from what the migrations build; write a migration with "
        f"`volunteer-hub db revision -m '...'` (docs/operations.md): {differences}"
    )
    db.engine.dispose()


def test_a_model_change_without_a_migration_is_found(tmp_path: Path) -> None:
    """The check above can fail: a model table and a model column the database lacks are reported."""
    db = Database(f"sqlite:///{tmp_path / 'hub.db'}")
    with db.engine.begin() as conn:  # as if the models had gained the column and table after 0001
        conn.exec_driver_sql("ALTER TABLE partner DROP COLUMN etag")
        conn.exec_driver_sql("DROP TABLE rate_bucket")
    probe = Table("migration_probe", Base.metadata, Column("id", Integer, primary_key=True))
    try:
        found = _flat(db)
    finally:
        Base.metadata.remove(probe)
    assert {d[1].name for d in found if d[0] == "add_table"} == {"migration_probe", "rate_bucket"}
    assert [(d[2], d[3].name) for d in found if d[0] == "add_column"] == [("partner", "etag")]


def _flat(db: Database) -> list[tuple]:
    """Alembic's diff, with the per-column lists (type changes) flattened."""
    out: list[tuple] = []
    for diff in schema.differences(db.engine):
        out.extend(diff if isinstance(diff, list) else [diff])
    return out


def test_the_head_revision_is_read_as_alembic_reads_it() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(schema.alembic_config()).get_heads() == [schema.head_revision()]


def test_older_tables_get_the_columns_and_indexes_of_the_baseline(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A release older than the last one (before ``contact_email``, before grouping) is completed too."""
    url = f"sqlite:///{tmp_path / 'older.db'}"
    run_sql(
        url,
        "CREATE TABLE partner (id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL, url TEXT NOT NULL,"
        " format VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL, paused BOOLEAN NOT NULL,"
        " interval_minutes INTEGER NOT NULL, cause_overrides JSON NOT NULL, created_at DATETIME NOT NULL);"
        "INSERT INTO partner VALUES ('old', 'Old Partner', 'https://old.example.org/feed.xml', 'auto',"
        " 'approved', 0, 120, '{}', '2025-01-01 00:00:00');"
        "CREATE TABLE stored_opportunity (id VARCHAR(96) PRIMARY KEY, partner_id VARCHAR(64) NOT NULL"
        " REFERENCES partner(id), source_id TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL,"
        " data JSON NOT NULL, first_seen DATETIME NOT NULL, last_seen DATETIME NOT NULL,"
        " state VARCHAR(12) NOT NULL, gone_at DATETIME, indexed_hash VARCHAR(64), expiry DATETIME);"
        "CREATE TABLE operator (id INTEGER PRIMARY KEY, email VARCHAR(254) NOT NULL,"
        " password_hash TEXT NOT NULL, created_at DATETIME NOT NULL, failed_logins INTEGER NOT NULL,"
        " locked_until DATETIME, last_login_at DATETIME);"
        "INSERT INTO operator VALUES (1, 'ops@example.org', 'hash', '2025-01-01 00:00:00', 0, NULL, NULL)",
    )
    with caplog.at_level(logging.WARNING, logger="volunteer_hub.store.schema"):
        db = Database(url)
    assert "adding column partner.contact_email" in caplog.text
    inspector = inspect(db.engine)
    assert {"contact_email", "website", "etag", "default_country"} <= {
        c["name"] for c in inspector.get_columns("partner")
    }
    assert {"ix_stored_opportunity_grouping", "ix_stored_opportunity_duplicate_of"} <= {
        i["name"] for i in inspector.get_indexes("stored_opportunity")
    }
    assert db.partner("old").name == "Old Partner"
    with db.session() as s:
        assert s.scalars(select(Operator)).one().session_version == 0  # the server default
    assert schema.current_revision(db.engine) == schema.head_revision()


def test_operators_upgrade_and_check_from_the_command_line(home: Path, empty_url: str) -> None:
    """``db upgrade`` on a database of the previous release; ``db check`` then finds it matches the models."""
    previous_release_database(empty_url)
    home.mkdir(parents=True, exist_ok=True)
    cli = functools.partial(run_cli, VOLUNTEER_HUB_DATABASE_URL=empty_url)
    upgraded = cli(home, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"to {schema.head_revision()}" in upgraded.stdout
    check = cli(home, "db", "check")
    assert check.returncode == 0 and "matches the models" in check.stdout, check.stdout + check.stderr


def test_processes_opening_a_new_database_at_once_all_start(empty_url: str) -> None:
    """Web workers and the scheduler starting together on a new database: one migrates, none fails."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            Database(empty_url).engine.dispose()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db = Database(empty_url)
    assert schema.current_revision(db.engine) == schema.head_revision()
    assert schema.differences(db.engine) == []
    db.engine.dispose()
