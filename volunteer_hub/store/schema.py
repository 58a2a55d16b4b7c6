"""The schema's version: Alembic migrations in ``volunteer_hub/store/migrations/versions``.

``Database(url)`` calls :func:`upgrade`: a new database is migrated to the head revision; a database made by
a release before Alembic (its tables, no ``alembic_version``) is completed by the baseline revision, which
keeps its rows. ``volunteer-hub db upgrade|current|check|revision`` are the operator's and developer's doors
(docs/operations.md). A model changed without a migration fails ``tests/test_migrations.py``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine

from volunteer_hub.store import alerts_models, direct_models, ops_models, public_models  # noqa: F401 - tables
from volunteer_hub.store.tables import Base

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


# Alembic is imported only when there is migrating to do: opening a database at head (every CLI command,
# every web worker) reads ``alembic_version`` and the revision ids below, nothing more.
_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*['\"]?([\w]+)", re.M)


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")  # versions/0002_add_x.py
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


@functools.cache
def head_revision() -> str:
    """The newest revision of the code (one head: migrations form a line), read from the files' headers."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for key, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if key == "revision" else parents).add(value)
    heads = sorted(revisions - parents)
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({heads}): merge them into one")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for a new database or one made before Alembic."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions[0] if len(versions) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Migrate the database to ``revision``; False when there was nothing to do (the usual, cheap case)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return False
    from alembic import command

    with _migrating(engine):
        # Processes opening a new database together (web workers, the scheduler): the first migrates, the
        # others wait here and find it done.
        if revision == "head" and current_revision(engine) == head_revision():
            return False
        config = alembic_config(engine)
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    return True


_IN_PROCESS = threading.Lock()  # Alembic loads env.py as a module: one migration at a time per process


@contextlib.contextmanager
def _migrating(engine: Engine) -> Iterator[None]:
    """Serialise migrations: in this process, and across processes on a SQLite file (an exclusive flock on
    ``<database>-migrate.lock``, left in place; never on the database file itself: closing any descriptor
    of it would drop this process's SQLite locks). PostgreSQL is serialised by an advisory lock in the
    migration's transaction (migrations/env.py)."""
    with _IN_PROCESS:
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        if not path or path == ":memory:" or path.startswith("file:"):
            yield
            return
        with open(f"{path}-migrate.lock", "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def differences(engine: Engine) -> list[Any]:
    """What separates the database's schema from the models (Alembic's autogenerate diff): [] when none."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def _next_id() -> str:
    numbers = [int(p.name[:4]) for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def new_revision(message: str) -> list[Path]:
    """Write a migration from the models' changes since head (autogenerate against a scratch database at
    head); returns the new files, to read and edit before committing."""
    from alembic import command

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'head.db'}")
        try:
            upgrade(engine)
            config = alembic_config(engine)
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                scripts = command.revision(config, message=message, autogenerate=True, rev_id=_next_id())
        finally:
            engine.dispose()
    if not isinstance(scripts, list):
        scripts = [scripts]
    return [Path(s.path) for s in scripts if s is not None]
