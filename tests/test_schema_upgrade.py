"""Additive schema upgrades: ``Database(url)`` adds missing nullable columns to existing tables."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, String, Table, create_engine, inspect, text

from volunteer_hub.store.db import Base, Database, Partner, SchemaUpgradeError


def old_partner_table(url: str) -> None:
    """A ``partner`` table from before ``contact_email`` (and any later column), with one row."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE partner (id VARCHAR(64) PRIMARY KEY, name VARCHAR(200) NOT NULL, url TEXT NOT NULL,"
            " format VARCHAR(32) NOT NULL, status VARCHAR(16) NOT NULL, paused BOOLEAN NOT NULL,"
            " interval_minutes INTEGER NOT NULL, cause_overrides JSON NOT NULL,"
            " created_at DATETIME NOT NULL)"
        )
        conn.exec_driver_sql(
            "INSERT INTO partner VALUES ('old', 'Old Partner', 'https://old.example.org/feed.xml', 'auto',"
            " 'approved', 0, 120, '{}', '2025-01-01 00:00:00')"
        )
    engine.dispose()


def test_missing_nullable_columns_are_added_and_data_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old_partner_table(url)
    with caplog.at_level(logging.WARNING, logger="volunteer_hub.store.db"):
        db = Database(url)
    columns = {c["name"] for c in inspect(db.engine).get_columns("partner")}
    assert {"contact_email", "website", "etag", "last_modified", "default_country"} <= columns
    assert "adding column partner.contact_email" in caplog.text
    partner = db.partner("old")
    assert partner is not None
    assert (partner.name, partner.interval_minutes, partner.contact_email) == ("Old Partner", 120, None)
    with db.session() as s, s.begin():
        s.get(Partner, "old").contact_email = "ops@old.example.org"
    assert db.partner("old").contact_email == "ops@old.example.org"
    # Idempotent: a second open adds nothing.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="volunteer_hub.store.db"):
        Database(url)
    assert "adding column" not in caplog.text


def test_stored_opportunities_from_before_grouping_get_its_columns_and_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old_partner_table(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE stored_opportunity (id VARCHAR(96) PRIMARY KEY, partner_id VARCHAR(64) NOT NULL"
            " REFERENCES partner(id), source_id TEXT NOT NULL, content_hash VARCHAR(64) NOT NULL,"
            " data JSON NOT NULL, first_seen DATETIME NOT NULL, last_seen DATETIME NOT NULL,"
            " state VARCHAR(12) NOT NULL, gone_at DATETIME, indexed_hash VARCHAR(64), expiry DATETIME)"
        )
    engine.dispose()
    db = Database(url)
    columns = {c["name"] for c in inspect(db.engine).get_columns("stored_opportunity")}
    assert {"group_key", "duplicate_of", "sources_hash"} <= columns
    indexes = {i["name"] for i in inspect(db.engine).get_indexes("stored_opportunity")}
    assert {"ix_stored_opportunity_grouping", "ix_stored_opportunity_duplicate_of"} <= indexes


def test_non_nullable_column_without_default_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'strict.db'}"
    table = Table(
        "schema_upgrade_probe",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("required", String(10), nullable=False),
        Column("with_default", String(10), nullable=False, server_default="x"),
    )
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE schema_upgrade_probe (id INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("INSERT INTO schema_upgrade_probe (id) VALUES (1)")
        engine.dispose()
        with pytest.raises(SchemaUpgradeError, match="schema_upgrade_probe.required"):
            Database(url)
        # Nothing was altered: the column with a server default was not added either.
        engine = create_engine(url)
        assert {c["name"] for c in inspect(engine).get_columns("schema_upgrade_probe")} == {"id"}
        with engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE schema_upgrade_probe ADD COLUMN required VARCHAR(10)")
        engine.dispose()
        db = Database(url)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT with_default FROM schema_upgrade_probe")).scalar() == "x"
    finally:
        Base.metadata.remove(table)
