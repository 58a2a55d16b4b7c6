"""Shared fixtures: an isolated data directory per test, and search backends.

``search_backend`` is parametrized over the embedded SQLite backend and a real
Elasticsearch node (tests/es_node.py), so conformance tests run on both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from volunteer_hub.core.config import Settings, load_settings

pytest_plugins = ["tests.es_node"]

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "allforgood"
FILES = Path(__file__).resolve().parent / "files"


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
