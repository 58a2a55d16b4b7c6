"""Elasticsearch faults on 127.0.0.1 (issue 16), on nodes these tests own (tests/es_local.py).

* A node killed (SIGKILL) during a crawl's bulk writes: the push reports exactly what was written
  (the rest stays pending in the database); restarted with its data, the next sync indexes the
  rest; restarted empty, ``index sync``'s check (indexer.truth) notices and rebuilds. Each time,
  every live opportunity is searchable exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
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
