"""Index truth (issue 16): an Elasticsearch index that comes back empty is noticed and repaired.

The database records which generation it last wrote and knows which rows are indexed
(``indexer.truth``). The test deletes the live index under a test-unique alias on the shared node
(what a node restarted without its data looks like), lets a crawl-like push recreate an empty one,
then checks: the API answers 503 instead of "total 0", ``/healthz`` is unhealthy, ``index sync``
says so loudly and rebuilds, and everything is searchable again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from indexer.base import SearchQuery
from indexer.es_backend import ElasticsearchBackend
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from indexer.truth import check_index
from search_app import create_app
from tests.conftest import drop_generations
from tests.helpers import cli
from tests.samples import NOW, RENNES, opp
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.partner_sync import PartnerSync

LIVE = 12


def items(n: int = LIVE) -> list:
    return [
        opp(f"o{i}", f"Collecte de déchets {i}", causes=["environnement"], locations=[RENNES])
        for i in range(n)
    ]


def stored_and_pushed(db: Database, backend: object) -> None:
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    PartnerSync(db, "test", now=NOW).store(items())
    pushed = push_pending(db, backend)  # type: ignore[arg-type]
    assert pushed.indexed == LIVE and not pushed.index_failures


def site(home: Path, db: Database, backend: object, **env: str) -> Flask:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home), **env})
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": db, "TESTING": True})
    app.extensions["volunteer_hub"].index_truth_ttl = 0  # compare on every request
    return app


@pytest.fixture
def alias(es_url: str) -> Iterator[str]:
    name = f"vh-test-truth-{uuid.uuid4().hex[:8]}"
    yield name
    drop_generations(ElasticsearchBackend(es_url, alias=name))


@pytest.mark.elasticsearch
def test_an_index_that_comes_back_empty_is_noticed_and_rebuilt(home: Path, es_url: str, alias: str) -> None:
    env = {"VOLUNTEER_HUB_SEARCH": es_url, "VOLUNTEER_HUB_ES_INDEX": alias}
    db = Database.from_settings(load_settings({"VOLUNTEER_HUB_HOME": str(home), **env}))
    backend = ElasticsearchBackend(es_url, alias=alias)
    stored_and_pushed(db, backend)
    app = site(home, db, backend, **env)
    client = app.test_client()
    assert client.get("/api/v1/opportunities?q=dechets").get_json()["total"] == LIVE
    assert client.get("/healthz").get_json()["checks"]["search"] == {"ok": True}
    lost_generation = backend.current_generation()

    # The node "comes back empty": the live index is gone; the next push recreates an empty one.
    backend.es.indices.delete(index=lost_generation)
    assert push_pending(db, backend).indexed == 0
    assert backend.count() == 0 and backend.current_generation() != lost_generation

    truth = check_index(db, backend)
    assert not truth.ok and lost_generation in (truth.problem or "")
    answer = client.get("/api/v1/opportunities?q=dechets")
    assert answer.status_code == 503, "the API must not say total 0 for live rows"
    assert "error" in answer.get_json()
    page = client.get("/?q=dechets")
    assert page.status_code == 503 and b"<html" in page.data.lower()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["checks"]["search"] == {"ok": False, "reason": "index incomplete"}

    synced = cli(home, "index", "sync", **env)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "INDEX LOST" in synced.stderr and "rebuilding" in synced.stderr
    assert f"repaired: rebuilt elasticsearch with {LIVE} documents" in synced.stdout

    assert check_index(db, backend).ok
    assert backend.search(SearchQuery(text="dechets", now=NOW)).total == LIVE
    assert client.get("/api/v1/opportunities?q=dechets").get_json()["total"] == LIVE
    assert client.get("/healthz").get_json()["checks"]["search"] == {"ok": True}
    again = cli(home, "index", "sync", **env)  # nothing more to repair: quiet
    assert again.returncode == 0 and "INDEX LOST" not in again.stderr


def test_an_embedded_index_restored_from_an_old_copy_is_rebuilt(home: Path, tmp_path: Path) -> None:
    """The same truth on the embedded backend: a file that lost documents is noticed and rebuilt."""
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home)})
    db = Database.from_settings(settings)
    backend = SqliteBackend(settings.sqlite_index_path)
    stored_and_pushed(db, backend)
    assert backend.delete(sorted(backend.ids())[:5]) == 5  # an old copy restored, a disk that lost pages...
    truth = check_index(db, backend)
    assert not truth.ok and f"holds {LIVE - 5} documents" in (truth.problem or "")
    assert site(home, db, backend).test_client().get("/api/v1/opportunities").status_code == 503

    synced = cli(home, "index", "sync")
    assert synced.returncode == 0 and "INDEX LOST" in synced.stderr, synced.stderr
    assert SqliteBackend(settings.sqlite_index_path).count() == LIVE
    assert check_index(db, SqliteBackend(settings.sqlite_index_path)).ok


def test_documents_the_database_does_not_know_do_not_take_search_down(home: Path) -> None:
    """Only missing documents are an outage; a test catalogue loaded straight into the index is fine."""
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home)})
    db = Database.from_settings(settings)
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.upsert(items(3))
    assert check_index(db, backend).ok
    assert site(home, db, backend).test_client().get("/api/v1/opportunities").get_json()["total"] == 3
