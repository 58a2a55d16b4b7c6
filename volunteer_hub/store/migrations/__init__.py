"""Alembic migrations of the schema (run by ``volunteer_hub.store.schema``; docs/operations.md)."""
