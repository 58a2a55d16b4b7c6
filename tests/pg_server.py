"""pytest plugin: a REAL PostgreSQL server for the test session (like tests/es_node.py for Elasticsearch).

Registered from ``tests/conftest.py``. Fixtures, started lazily (only when a test asks for them):

* ``pg_server`` (session): ``VOLUNTEER_HUB_TEST_PG_URL=postgresql+psycopg://user@host:port/db`` -> that
  server (the user must be allowed to create databases); otherwise ``scripts/postgres.sh start`` on a free
  port on 127.0.0.1, stopped at the end of the session (a watchdog in the script stops it should this process
  be killed). If no server can be had, the requesting tests FAIL with the reason; only
  ``VOLUNTEER_HUB_SKIP_PG=1``, set explicitly for a quick local run, turns that into a skip.
* ``postgres_url`` (function): a new database at the current schema, copied from a template database
  migrated once per session (``CREATE DATABASE ... TEMPLATE``: ~35 ms), dropped after the test.

Tests that use them get the ``postgresql`` marker, so ``-m "not postgresql"`` deselects them.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "postgres.sh"
ENV_URL = "VOLUNTEER_HUB_TEST_PG_URL"
ENV_SKIP = "VOLUNTEER_HUB_SKIP_PG"
_REPORT: list[str] = []


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class PgServer:
    """A server on which tests create and drop their own databases."""

    url: str  # the maintenance database (``postgres``), where CREATE DATABASE is run
    port: int | None = None  # None: an external server, not ours to stop
    _template: str | None = field(default=None, repr=False)
    _created: set[str] = field(default_factory=set, repr=False)

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()

    def create_database(self, *, migrated: bool = True) -> str:
        """A new database: at the current schema (from the session's template), or empty."""
        name = f"vh_test_{uuid.uuid4().hex[:12]}"
        template = self.template() if migrated else "template0"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._created.add(name)
        return self.database_url(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.discard(name or "")

    def template(self) -> str:
        if self._template is None:
            from volunteer_hub.store.db import Database  # migrates the template: the code under test

            name = f"vh_template_{uuid.uuid4().hex[:12]}"
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
            self._created.add(name)
            Database(self.database_url(name)).engine.dispose()
            self._template = name
        return self._template

    def close(self) -> None:
        for name in list(self._created):
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception:  # noqa: BLE001 - best effort: the server may already be gone
                pass
        self._created.clear()
        if self.port is not None:
            _script("stop", "--port", str(self.port))
            self.port = None


def start_server() -> PgServer:
    for _attempt in range(3):  # a free port can be taken between picking and binding it
        port = _free_port()
        proc = _script("start", "--port", str(port), "--watch-pid", str(os.getpid()))
        if proc.returncode == 0:
            return PgServer(url=proc.stdout.strip().splitlines()[-1], port=port)
        if "already in use" not in proc.stderr:
            break
    pytest.fail(
        f"Could not start PostgreSQL with scripts/postgres.sh (exit {proc.returncode}). Set {ENV_URL} to use "
        f"a running server, or {ENV_SKIP}=1 to skip PostgreSQL tests in a quick local run.\n{proc.stderr}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if os.environ.get(ENV_SKIP) == "1":
        if os.environ.get("CI"):
            pytest.fail(f"{ENV_SKIP}=1 is set in CI, where PostgreSQL tests must run", pytrace=False)
        pytest.skip(f"{ENV_SKIP}=1: PostgreSQL tests skipped on request")
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        server = PgServer(url=external)
        try:
            server._admin("SELECT 1")
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{ENV_URL}={external} is not reachable: {exc}", pytrace=False)
        _REPORT.append(f"PostgreSQL: external server {make_url(external).render_as_string()}")
    else:
        server = start_server()
        atexit.register(server.close)
        _REPORT.append(f"PostgreSQL: throw-away server on 127.0.0.1:{server.port}")
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def postgres_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh PostgreSQL database at the current schema, for one test."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "pg_server" in names or "postgres_url" in names:
            item.add_marker(pytest.mark.postgresql)


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001
    for line in _REPORT:
        terminalreporter.write_line(line)
