"""Alembic's environment: the models' metadata and the connection ``volunteer_hub.store.schema`` passes."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text

from volunteer_hub.store.schema import Base  # with every model's table

config = context.config


def run(connection) -> None:  # noqa: ANN001
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        compare_server_default=False,
        render_as_batch=sqlite,  # SQLite alters tables by copying them: batch mode writes that for us
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes opening a new database at once: the second waits, then finds it migrated.
            connection.execute(text("SELECT pg_advisory_xact_lock(7355608)"))
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:  # the alembic command line, with sqlalchemy.url set
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
