"""Elasticsearch faults on 127.0.0.1 (issue 16), on nodes these tests own (tests/es_local.py).

* A node killed (SIGKILL) during a crawl's bulk writes: the push reports exactly what was written
  (the rest stays pending in the database); restarted with its data, the next sync indexes the
  rest; restarted empty, ``index sync``'s check (indexer.truth) notices and rebuilds. Each time,
  every live opportunity is searchable exactly once.
* A three-node cluster with one replica, the node holding the primary killed during continuous
  indexing and searching: the client knows every node, searches keep answering, and every write
  Elasticsearch acknowledged is still there.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer.base import SearchQuery
from indexer.es_backend import ElasticsearchBackend
from indexer.rebuild import repair_index
from indexer.sync import push_pending
from indexer.truth import check_index
from tests.es_local import LocalNode
from tests.samples import NOW, RENNES, opp
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync

pytestmark = [pytest.mark.slow, pytest.mark.elasticsearch]

LIVE = 4000


@pytest.fixture
def node() -> Iterator[LocalNode]:
    es = LocalNode()
    es.start()
    yield es
    es.stop()


def indexed_rows(db: Database) -> int:
    with db.session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(StoredOpportunity)
                .where(StoredOpportunity.indexed_hash == StoredOpportunity.content_hash)
            )
            or 0
        )


def searchable_once(backend: ElasticsearchBackend, expected: set[str]) -> None:
    assert backend.count() == len(expected)
    assert backend.search(SearchQuery(text="benevoles", now=NOW, per_page=1)).total == len(expected)
    assert backend.ids() == expected  # ids are the documents' keys: nothing twice, nothing missing


def test_a_node_killed_during_bulk_writes_loses_nothing_after_restart(
    node: LocalNode, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    items = [opp(f"o{i}", f"Tri des dons avec les bénévoles {i}", locations=[RENNES]) for i in range(LIVE)]
    PartnerSync(db, "test", now=NOW).store(items)
    expected = {o.id for o in items}
    backend = ElasticsearchBackend(node.url, alias="vh-fault")

    outcome: list = []
    push = threading.Thread(target=lambda: outcome.append(push_pending(db, backend)))
    push.start()
    while indexed_rows(db) == 0 and push.is_alive():  # the first bulk chunk is written and recorded
        time.sleep(0.05)
    node.kill()
    push.join(180)
    assert not push.is_alive()
    counts = outcome[0]
    # The run report is truthful: what it says was indexed is what the database marks indexed,
    # and every other opportunity is reported failed (and stays pending).
    assert counts.indexed == indexed_rows(db) and 0 < counts.indexed < LIVE
    assert len(counts.index_failures) == LIVE - counts.indexed

    node.start()  # with its data
    caught_up = push_pending(db, backend)
    assert not caught_up.index_failures and indexed_rows(db) == LIVE
    assert check_index(db, backend).ok
    searchable_once(backend, expected)

    node.kill()
    node.wipe()
    node.start()  # empty
    assert push_pending(db, backend).indexed == 0  # nothing pending: only the check can tell
    truth = check_index(db, backend)
    assert not truth.ok
    report = repair_index(db, backend, truth)
    assert report.documents == LIVE and check_index(db, backend).ok
    searchable_once(backend, expected)


def wait_until(condition: Callable[[], bool], what: str, limit: float = 180) -> None:
    """Wait for ``condition``; fail naming ``what`` rather than hang when it never comes."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.2)


@pytest.fixture
def cluster() -> Iterator[list[LocalNode]]:
    nodes = [LocalNode() for _ in range(3)]
    shared = {
        "ES_CLUSTER_NAME": f"vh-fault-{uuid.uuid4().hex[:8]}",
        "ES_SEED_HOSTS": ",".join(f"127.0.0.1:{n.transport_port}" for n in nodes),
        "ES_INITIAL_MASTERS": ",".join(n.name for n in nodes),
    }
    for n in nodes:
        n.cluster_env = shared
    try:
        starting = [n.start_process() for n in nodes]  # together: a master needs two of them
        for proc in starting:
            _out, err = proc.communicate(timeout=400)
            assert proc.returncode == 0, err[-3000:]
        yield nodes
    finally:
        for n in nodes:
            n.stop()


def test_a_cluster_keeps_answering_and_loses_no_acknowledged_write_when_a_node_dies(
    cluster: list[LocalNode],
) -> None:
    backend = ElasticsearchBackend(",".join(n.url for n in cluster), alias="vh-cluster", replicas=1)
    backend.ensure_ready()
    backend.es.cluster.health(index="vh-cluster", wait_for_status="green", timeout="120s")
    acknowledged: set[str] = set()
    search_errors: list[str] = []
    searches_after_kill = 0
    killed = threading.Event()
    stop = threading.Event()

    def write() -> None:
        batch_no = 0
        while not stop.is_set():
            batch = [
                opp(f"w{batch_no}-{i}", f"Distribution alimentaire {batch_no}", locations=[RENNES])
                for i in range(25)
            ]
            batch_no += 1
            try:
                report = backend.upsert(batch)
            except Exception:  # noqa: BLE001 - an unacknowledged batch: it may or may not be there
                continue
            acknowledged.update(o.id for o in batch if o.id not in report.failed)

    def search() -> None:
        nonlocal searches_after_kill
        while not stop.is_set():
            try:
                backend.search(SearchQuery(text="distribution", now=NOW, per_page=5))
            except Exception as exc:  # noqa: BLE001
                search_errors.append(f"{type(exc).__name__}: {exc}")
            else:
                if killed.is_set():
                    searches_after_kill += 1

    workers = [threading.Thread(target=write), threading.Thread(target=search)]
    for w in workers:
        w.start()
    try:
        wait_until(lambda: len(acknowledged) >= 300, "300 acknowledged writes before the kill")
        shards = backend.es.cat.shards(index=backend.current_generation(), format="json")
        primary = next(sh["node"] for sh in shards if sh["prirep"] == "p")
        victim = next(n for n in cluster if n.name == primary)
        before_kill = len(acknowledged)
        victim.kill()
        killed.set()
        wait_until(
            lambda: len(acknowledged) >= before_kill + 300 and searches_after_kill >= 50,
            "300 more acknowledged writes and 50 searches after the kill",
        )
    finally:
        stop.set()
        for w in workers:
            w.join(120)

    assert not search_errors, search_errors[:3]
    backend.es.indices.refresh(index="vh-cluster")
    present = backend.ids()
    assert acknowledged <= present, f"{len(acknowledged - present)} acknowledged writes lost"
