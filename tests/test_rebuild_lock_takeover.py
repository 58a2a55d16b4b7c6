"""A killed rebuild no longer holds the Elasticsearch rebuild lock for hours (issue 16).

The lock is a lease renewed while the rebuild runs (like crawl runs' leases in
volunteer_hub/store/runs.py). A lease left by a dead process of this host is taken over at once;
one from another host once it ended; a live holder's lease is respected.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from indexer.base import RebuildInProgress
from indexer.documents import iso
from indexer.es_backend import LOCK_INDEX, ElasticsearchBackend
from tests.conftest import drop_generations
from volunteer_hub.store.runs import HOST

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def backend(es_url: str) -> Iterator[ElasticsearchBackend]:
    es = ElasticsearchBackend(es_url, alias=f"vh-test-lock-{uuid.uuid4().hex[:8]}")
    yield es
    es.es.options(ignore_status=404).delete(index=LOCK_INDEX, id=es.alias, refresh=True)
    drop_generations(es)


def leave_lease(backend: ElasticsearchBackend, owner: str, expires_in: timedelta) -> None:
    """The lock document a rebuild leaves behind when it is killed with SIGKILL."""
    backend._ensure_lock_index()  # noqa: SLF001
    now = datetime.now(UTC)
    lease = {
        "owner": owner,
        "acquired_at": iso(now - timedelta(minutes=5)),
        "expires_at": iso(now + expires_in),
    }
    backend.es.index(index=LOCK_INDEX, id=backend.alias, document=lease, refresh=True)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    child.wait()
    return child.pid


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over(backend: ElasticsearchBackend) -> None:
    leave_lease(backend, f"{HOST}:{dead_pid()}:deadbeef", expires_in=timedelta(hours=1))
    with backend.rebuild_lock():
        held = backend.es.get(index=LOCK_INDEX, id=backend.alias)["_source"]
        assert held["owner"].startswith(f"{HOST}:")
        assert "deadbeef" not in held["owner"]
    assert not backend.es.exists(index=LOCK_INDEX, id=backend.alias)  # released


def test_an_ended_lease_of_another_host_is_taken_over(backend: ElasticsearchBackend) -> None:
    leave_lease(backend, "other-host.example:4242:cafe", expires_in=timedelta(seconds=-1))
    with backend.rebuild_lock():
        assert "cafe" not in backend.es.get(index=LOCK_INDEX, id=backend.alias)["_source"]["owner"]


def test_a_live_holders_lease_is_respected(backend: ElasticsearchBackend) -> None:
    leave_lease(backend, "other-host.example:4242:cafe", expires_in=timedelta(minutes=1))
    with pytest.raises(RebuildInProgress, match="other-host.example"), backend.rebuild_lock():
        pass

    leave_lease(backend, f"{HOST}:{os.getpid()}:alive", expires_in=timedelta(minutes=1))
    with pytest.raises(RebuildInProgress, match="alive"), backend.rebuild_lock():
        pass
