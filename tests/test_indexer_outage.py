"""Search outages and refused writes: nothing is lost, nothing is reported as written when it was not.

Elasticsearch "down" is a closed port on 127.0.0.1 (connection refused at once); "back" is the
real test node (``es_url``), under the same alias.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from indexer.base import SearchQuery
from indexer.es_backend import ElasticsearchBackend
from indexer.sync import push_pending
from tests.conftest import drop_generations
from tests.helpers import fpxml
from tests.samples import NOW, RENNES, opp
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync

pytestmark = pytest.mark.elasticsearch


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def alias(es_url: str) -> Iterator[str]:
    name = f"vh-test-outage-{uuid.uuid4().hex[:8]}"
    yield name
    drop_generations(ElasticsearchBackend(es_url, alias=name))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    return database


def pending(db: Database) -> set[str]:
    with db.session() as s:
        rows = s.scalars(select(StoredOpportunity)).all()
    return {r.source_id for r in rows if r.indexed_hash != r.content_hash and r.state == "live"}


def items(n: int) -> list:
    return [
        opp(f"o{i}", f"Collecte de déchets {i}", causes=["environnement"], locations=[RENNES])
        for i in range(n)
    ]


def test_writes_during_an_outage_stay_pending_and_sync_catches_up(
    db: Database, es_url: str, alias: str
) -> None:
    down = ElasticsearchBackend(f"http://127.0.0.1:{closed_port()}", alias=alias)
    sync = PartnerSync(db, "test", now=NOW)
    sync.store(items(5))
    pushed = push_pending(db, down)
    assert pushed.indexed == 0 and set(pushed.index_failures) == {o.id for o in items(5)}
    assert "unreachable" in next(iter(pushed.index_failures.values()))
    assert pending(db) == {f"o{i}" for i in range(5)}  # kept in the database, marked pending

    up = ElasticsearchBackend(es_url, alias=alias)
    caught_up = push_pending(db, up)
    assert caught_up.indexed == 5 and not caught_up.index_failures
    assert pending(db) == set()
    assert up.search(SearchQuery(text="dechets", now=NOW)).total == 5

    # A removal decided while the index is down is retried too.
    later = PartnerSync(db, "test", now=NOW)
    later.store(items(4))
    later.retire_missing()
    assert push_pending(db, down).index_failures
    assert up.count() == 5
    assert push_pending(db, up).removed == 1 and up.count() == 4


def test_a_rejected_document_is_reported_not_dropped(db: Database, es_url: str, alias: str) -> None:
    backend = ElasticsearchBackend(es_url, alias=alias)
    backend.ensure_ready()
    bad = opp("bad", "Mission au pôle", locations=[RENNES.__class__(city="Nulle part", lat=95.0, lon=0.0)])
    batch = [*items(2), bad]
    report = backend.upsert(batch)
    assert report.written == 2 and list(report.failed) == [bad.id]
    assert "parsing" in report.failed[bad.id] or "latitude" in report.failed[bad.id]

    # Through the sync: the good ones are marked indexed, the bad one stays pending with its reason.
    sync = PartnerSync(db, "test", now=NOW)
    sync.store(batch)
    pushed = push_pending(db, backend)
    assert set(pushed.index_failures) == {bad.id} and pushed.indexed == 2
    assert pending(db) == {"bad"}
    # ... and is retried (and refused again) by the next sync, not forgotten.
    assert set(push_pending(db, backend).index_failures) == {bad.id}


def test_rebuild_with_a_refused_document_is_abandoned(db: Database, es_url: str, alias: str) -> None:
    from indexer.base import RebuildError
    from indexer.rebuild import rebuild_index

    backend = ElasticsearchBackend(es_url, alias=alias)
    sync = PartnerSync(db, "test", now=NOW)
    sync.store(items(3))
    push_pending(db, backend)
    live = backend.current_generation()
    sync.store([opp("bad", "Mission au pôle", locations=[RENNES.__class__(city="X", lat=95.0, lon=0.0)])])
    with pytest.raises(RebuildError, match="refused"):
        rebuild_index(db, backend, now=NOW)
    assert backend.generations() == [live] and backend.current_generation() == live
    report = rebuild_index(db, backend, now=NOW, max_failures=1)
    assert report.documents == 3 and list(report.failed) == [opp("bad", "x").id]


def run_cli(home: Path, search: str, alias: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLUNTEER_HUB_")}
    env.update(
        VOLUNTEER_HUB_HOME=str(home),
        VOLUNTEER_HUB_ALLOW_PRIVATE_URLS="1",
        VOLUNTEER_HUB_SEARCH=search,
        VOLUNTEER_HUB_ES_INDEX=alias,
    )
    return subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_crawl_during_an_outage_is_not_a_success_and_index_sync_catches_up(
    tmp_path: Path,
    feed_server: tuple[Path, str],  # noqa: F811 - the fixture imported above
    es_url: str,
    alias: str,
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(
        fpxml([(f"opp-{n}", f"Tri à la banque alimentaire {n}") for n in range(4)])
    )
    home = tmp_path / "home"
    down = f"http://127.0.0.1:{closed_port()}"
    assert (
        run_cli(home, down, alias, "partners", "add", "banque", "--url", f"{base}/feed.xml").returncode == 0
    )

    crawl = run_cli(home, down, alias, "crawl", "banque", "--json")
    assert crawl.returncode == 1, crawl.stdout + crawl.stderr
    run = json.loads(crawl.stdout)[0]
    assert run["status"] == "failed" and run["indexed"] == 0 and run["seen"] == 4
    assert "kept in the database" in run["message"]

    sync_down = run_cli(home, down, alias, "index", "sync")
    assert sync_down.returncode == 1 and "indexed 0" in sync_down.stdout and "failed 4" in sync_down.stdout

    sync_up = run_cli(home, es_url, alias, "index", "sync")
    assert sync_up.returncode == 0, sync_up.stderr
    assert "indexed 4" in sync_up.stdout and "failed 0" in sync_up.stdout
    found = json.loads(run_cli(home, es_url, alias, "search", "--json", "banque").stdout)
    assert found["total"] == 4
    with Database(f"sqlite:///{home / 'volunteer-hub.db'}").session() as s:
        assert s.scalars(select(CrawlRun)).one().status == "failed"
