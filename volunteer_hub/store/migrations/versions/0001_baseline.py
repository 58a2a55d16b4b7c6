"""Baseline: the schema of the last release before Alembic (create_all + add_missing_columns).

On a new database it creates every table. On a database made by an earlier release (tables, no
``alembic_version``) it does what those releases did on opening: it creates the tables that are missing and
adds the missing columns (nullable, or with a server default) and indexes of the others, keeping every row.
The tables are frozen here, not imported from the models: later revisions change the models, not this file.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

log = logging.getLogger("volunteer_hub.store.schema")
BASELINE = sa.MetaData()

sa.Table(
    "alert_incident",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=20), nullable=False),
    sa.Column("open_key", sa.String(length=100), nullable=True),
    sa.Column("message", sa.Text(), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("recovery_notified_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("open_key"),
    sa.Index("ix_alert_incident_partner_id", "partner_id"),
    sa.Index("ix_alert_incident_resolved_at", "resolved_at"),
)

sa.Table(
    "operator",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("email", sa.String(length=254), nullable=False),
    sa.Column("password_hash", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failed_logins", sa.Integer(), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_operator_email", "email", unique=True),
)

sa.Table(
    "opportunity_activity",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("opportunity_id", sa.String(length=96), nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("org_slug", sa.String(length=200), nullable=False),
    sa.Column("month", sa.String(length=7), nullable=False),
    sa.Column("views", sa.Integer(), nullable=False),
    sa.Column("clicks", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("opportunity_id", "month", name="uq_activity_opportunity_month"),
    sa.Index("ix_opportunity_activity_month", "month"),
    sa.Index("ix_opportunity_activity_opportunity_id", "opportunity_id"),
    sa.Index("ix_opportunity_activity_org_slug", "org_slug"),
    sa.Index("ix_opportunity_activity_partner_id", "partner_id"),
)

sa.Table(
    "partner",
    BASELINE,
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("url", sa.Text(), nullable=False),
    sa.Column("format", sa.String(length=32), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("paused", sa.Boolean(), nullable=False),
    sa.Column("interval_minutes", sa.Integer(), nullable=False),
    sa.Column("cron", sa.String(length=120), nullable=True),
    sa.Column("website", sa.Text(), nullable=True),
    sa.Column("default_country", sa.String(length=2), nullable=True),
    sa.Column("contact_email", sa.String(length=200), nullable=True),
    sa.Column("cause_overrides", sa.JSON(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("etag", sa.Text(), nullable=True),
    sa.Column("last_modified", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id"),
)

sa.Table(
    "partner_access",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_partner_access_partner_id", "partner_id"),
    sa.Index("ix_partner_access_token_hash", "token_hash", unique=True),
)

sa.Table(
    "problem_report",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("opportunity_id", sa.String(length=96), nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("reason", sa.String(length=32), nullable=False),
    sa.Column("comment", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_problem_report_created_at", "created_at"),
    sa.Index("ix_problem_report_opportunity_id", "opportunity_id"),
    sa.Index("ix_problem_report_partner_id", "partner_id"),
    sa.Index("ix_problem_report_status", "status"),
)

sa.Table(
    "rate_bucket",
    BASELINE,
    sa.Column("key", sa.String(length=400), nullable=False),
    sa.Column("tokens", sa.Float(), nullable=False),
    sa.Column("updated", sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint("key"),
)

sa.Table(
    "scheduler_heartbeat",
    BASELINE,
    sa.Column("name", sa.String(length=64), nullable=False),
    sa.Column("host", sa.String(length=255), nullable=False),
    sa.Column("pid", sa.Integer(), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("jobs", sa.Integer(), nullable=False),
    sa.Column("interval_seconds", sa.Integer(), nullable=False),
    sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint("name"),
)

sa.Table(
    "crawl_run",
    BASELINE,
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("trigger", sa.String(length=16), nullable=False),
    sa.Column("status", sa.String(length=20), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("format", sa.String(length=32), nullable=True),
    sa.Column("seen", sa.Integer(), nullable=False),
    sa.Column("new", sa.Integer(), nullable=False),
    sa.Column("updated", sa.Integer(), nullable=False),
    sa.Column("unchanged", sa.Integer(), nullable=False),
    sa.Column("rejected", sa.Integer(), nullable=False),
    sa.Column("removed", sa.Integer(), nullable=False),
    sa.Column("indexed", sa.Integer(), nullable=False),
    sa.Column("expired_on_arrival", sa.Integer(), nullable=True),
    sa.Column("http_status", sa.Integer(), nullable=True),
    sa.Column("bytes", sa.Integer(), nullable=False),
    sa.Column("rejected_by_reason", sa.JSON(), nullable=False),
    sa.Column("errors", sa.JSON(), nullable=False),
    sa.Column("message", sa.Text(), nullable=True),
    sa.Column("log_file", sa.Text(), nullable=True),
    sa.Column("host", sa.String(length=255), nullable=True),
    sa.Column("pid", sa.Integer(), nullable=True),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_crawl_run_partner_id", "partner_id"),
    sa.Index("ix_crawl_run_status", "status"),
)

sa.Table(
    "direct_posting",
    BASELINE,
    sa.Column("id", sa.String(length=32), nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("opportunity_id", sa.String(length=96), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_reminded_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reminder_status", sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_direct_posting_partner_id", "partner_id"),
    sa.Index("ix_direct_posting_status", "status"),
)

sa.Table(
    "stored_opportunity",
    BASELINE,
    sa.Column("id", sa.String(length=96), nullable=False),
    sa.Column("partner_id", sa.String(length=64), nullable=False),
    sa.Column("source_id", sa.Text(), nullable=False),
    sa.Column("content_hash", sa.String(length=64), nullable=False),
    sa.Column("data", sa.JSON(), nullable=False),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("state", sa.String(length=12), nullable=False),
    sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("indexed_hash", sa.String(length=64), nullable=True),
    sa.Column("expiry", sa.DateTime(timezone=True), nullable=True),
    sa.Column("group_key", sa.String(length=20), nullable=True),
    sa.Column("duplicate_of", sa.String(length=96), nullable=True),
    sa.Column("sources_hash", sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(["partner_id"], ["partner.id"], ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id"),
    sa.Index("ix_stored_opportunity_duplicate_of", "duplicate_of"),
    sa.Index("ix_stored_opportunity_expiry", "expiry"),
    sa.Index("ix_stored_opportunity_grouping", "state", "group_key", "partner_id"),
    sa.Index("ix_stored_opportunity_partner_id", "partner_id"),
    sa.Index("ix_stored_opportunity_sources_hash", "sources_hash"),
    sa.Index("ix_stored_opportunity_state", "state"),
)


def _complete(bind: sa.Connection, table: sa.Table) -> None:
    """Bring a table of an earlier release up to the baseline: missing columns, then missing indexes."""
    inspector = sa.inspect(bind)
    present = {c["name"] for c in inspector.get_columns(table.name)}
    missing = [c for c in table.columns if c.name not in present]
    refused = [f"{table.name}.{c.name}" for c in missing if not c.nullable and c.server_default is None]
    if refused:
        raise RuntimeError(f"cannot add these NOT NULL columns without a default: {', '.join(refused)}")
    for column in missing:
        log.warning("schema upgrade: adding column %s.%s", table.name, column.name)
        op.add_column(
            table.name,
            sa.Column(
                column.name, column.type, nullable=column.nullable, server_default=column.server_default
            ),
        )
    indexes = {i["name"] for i in inspector.get_indexes(table.name)}
    for index in table.indexes:
        if index.name not in indexes:
            log.warning("schema upgrade: creating index %s", index.name)
            index.create(bind)


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    for table in BASELINE.sorted_tables:
        if table.name in existing:
            _complete(bind, table)
        else:
            table.create(bind)


def downgrade() -> None:
    BASELINE.drop_all(op.get_bind())
