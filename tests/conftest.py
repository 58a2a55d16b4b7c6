"""Shared fixtures: an isolated data directory per test, search backends, the database, local
servers (feeds, a stuck server, SMTP in tests/smtp_server.py), the scheduler, the public site.

``search_backend`` is parametrized over the embedded SQLite backend and a real
Elasticsearch node (tests/es_node.py), so conformance tests run on both. A module that needs
another flavour of a fixture (its own ``db``, ``app`` or ``client``) defines it and overrides
this one. Plain helpers are in tests/helpers.py.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from schedules.scheduler import build_scheduler
from search_app import create_app
from tests.helpers import FAST
from tests.site_samples import ALL
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.store.db import Database, Partner

pytest_plugins = ["tests.es_node", "tests.pg_server", "tests.smtp_server"]

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "allforgood"
FILES = Path(__file__).resolve().parent / "files"


# -- the order files are handed to xdist workers --------------------------------------------------
# scripts/test.sh runs `-n N --dist loadfile --no-loadscope-reorder`: a file goes whole to the next
# free worker, in the order below. xdist's own order (most tests first) sent the files of a few
# minute-long tests (a benchmark run, fault tests) last, to run alone while the other workers idled.
# Longest first (seconds per file from `--durations`, 2 cores), then the other slow and browser
# files, then the rest by number of tests, most first.
LONG_FILES = (
    "test_es_faults.py",  # own nodes: 3 starts, then a 3-node cluster
    "test_scheduler_kill.py",  # ~100-160 s: 4 scheduler subprocess kill/restart sequences
    "test_bench_quick.py",  # ~80 s: python -m bench --quick, one test
    "test_scheduler_scrapyd.py",  # ~70 s: a Scrapyd daemon per test
    "test_web_worker_kill.py",
    "test_pg_restart.py",
)


def _file_rank(items: list[pytest.Item]) -> tuple[int, int]:
    name = items[0].path.name
    if name in LONG_FILES:
        return (0, LONG_FILES.index(name))
    if any(item.get_closest_marker("slow") for item in items):
        return (1, 0)
    if any(item.get_closest_marker("browser") for item in items):
        return (2, -len(items))
    return (3, -len(items))


@pytest.hookimpl(trylast=True)  # after es_node/pg_server mark their items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    by_file: dict[Path, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(item.path, []).append(item)  # a file's tests stay together, in order
    ordered = sorted(by_file.values(), key=_file_rank)  # stable: the same order on every worker
    items[:] = [item for file_items in ordered for item in file_items]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh VOLUNTEER_HUB_HOME; crawls may reach 127.0.0.1 (test servers only)."""
    monkeypatch.setenv("VOLUNTEER_HUB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("VOLUNTEER_HUB_SEARCH", raising=False)
    monkeypatch.delenv("VOLUNTEER_HUB_DATABASE_URL", raising=False)
    monkeypatch.setenv("VOLUNTEER_HUB_ALLOW_PRIVATE_URLS", "1")
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings()


@pytest.fixture(params=["sqlite", "elasticsearch"])
def search_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    if request.param == "sqlite":
        backend = SqliteBackend(tmp_path / "search.sqlite3")
        backend.ensure_ready()
        yield backend
        return
    from indexer.es_backend import ElasticsearchBackend

    es_url = request.getfixturevalue("es_url")
    backend = ElasticsearchBackend(es_url, alias=f"vh-test-{uuid.uuid4().hex[:10]}")
    backend.ensure_ready()
    yield backend
    drop_generations(backend)


def drop_generations(backend) -> None:  # noqa: ANN001
    """Delete a test alias's indices (by name: ES refuses wildcard deletes)."""
    for name in backend.generations():
        backend.es.indices.delete(index=name)


# -- the database and the scheduler -------------------------------------------------------------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once per session (per xdist worker) by the code under test; each test
    gets a copy, as PostgreSQL tests get a ``CREATE DATABASE ... TEMPLATE`` copy (tests/pg_server.py).
    Migrating a new file costs far more than copying it; tests/test_migrations.py migrates its own."""
    path = tmp_path_factory.mktemp("sqlite-template") / "volunteer-hub.db"
    Database(f"sqlite:///{path}").engine.dispose()
    # Every connection is closed: the WAL is checkpointed into the file, which is then complete.
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database at the current schema, once on SQLite (a file in ``home``) and once on a real
    PostgreSQL server (tests/pg_server.py). Set as VOLUNTEER_HUB_DATABASE_URL, so ``load_settings()`` and
    the CLI subprocesses of ``tests.helpers.cli`` use it too."""
    if request.param == "sqlite":
        home.mkdir(parents=True, exist_ok=True)
        path = home / "volunteer-hub.db"  # where load_settings() puts it by default
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("VOLUNTEER_HUB_DATABASE_URL", url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.engine.dispose()  # PostgreSQL: the test's database can be dropped


@pytest.fixture
def scheduler(db: Database) -> Iterator[BackgroundScheduler]:
    sched = build_scheduler(load_settings(), db, FAST)
    sched.start(paused=True)  # jobs are stored and computed, never run
    yield sched
    sched.shutdown(wait=False)


# -- local servers --------------------------------------------------------------------------------
@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a stuck feed)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml"
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


# -- the public site on the sample catalogue (tests/site_samples.py) ------------------------------
@pytest.fixture(name="backend")
def backend_fixture(tmp_path: Path) -> SqliteBackend:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    report = backend.upsert(ALL)
    assert report.ok and report.written == len(ALL)
    return backend


@pytest.fixture(name="app")
def app_fixture(tmp_path: Path, backend: SqliteBackend) -> Flask:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    database = Database.from_settings(settings)
    with database.session() as session:
        session.add(
            Partner(id="amis-littoral", name="Réseau Littoral Breton", url="https://feeds.example.org/rss")
        )
        session.commit()
    return create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": database, "TESTING": True})


@pytest.fixture(name="client")
def client_fixture(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client
