"""The operator console's tests: ``app``, ``backend`` and ``client`` here are the console's (an
operator account, an empty embedded index in the test's home), overriding the public site's
sample-catalogue fixtures of ``tests/conftest.py`` for the modules of this folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.helpers import EMAIL, PASSWORD
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database


@pytest.fixture
def backend(home: Path) -> SqliteBackend:
    backend = SqliteBackend(load_settings().sqlite_index_path)
    backend.ensure_ready()
    return backend


@pytest.fixture
def app(db: Database, backend: SqliteBackend) -> Flask:
    add_operator(db, EMAIL, PASSWORD)
    return create_app({"TESTING": True, "SETTINGS": load_settings(), "BACKEND": backend, "DATABASE": db})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """An operator's browser set to English (the console follows the browser's language, French by
    default; tests/console/test_console_i18n.py checks the French console)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
