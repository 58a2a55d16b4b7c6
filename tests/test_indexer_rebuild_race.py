"""A push racing with a rebuild's swap cannot mark as indexed a write that went to the old generation."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from indexer.rebuild import reconcile_indexed_hashes
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import mark_indexed, push_pending
from tests.samples import NOW, opp
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync


def row(db: Database, source_id: str) -> StoredOpportunity:
    with db.session() as s:
        return s.scalars(select(StoredOpportunity).where(StoredOpportunity.source_id == source_id)).one()


def test_push_marking_after_the_reconcile_leaves_the_row_pending(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    PartnerSync(db, "test", now=NOW).store([opp("a", "Mission A"), opp("b", "Mission B")])
    push_pending(db, backend)
    old_a = row(db, "a").content_hash

    # The rebuild reads "a" (old content); then a crawl changes it and a push starts writing it...
    PartnerSync(db, "test", now=NOW).store([opp("a", "Mission A, nouvelle version"), opp("b", "Mission B")])
    new_a = row(db, "a").content_hash
    assert new_a != old_a and row(db, "a").indexed_hash == old_a  # pending, as read by the push
    # ... the rebuild swaps and reconciles: "a" changed since it was read -> a rebuild marker ...
    reconcile_indexed_hashes(db, {row(db, "a").id: old_a, row(db, "b").id: row(db, "b").content_hash})
    assert row(db, "a").indexed_hash.startswith("rebuild:")
    assert row(db, "b").indexed_hash == row(db, "b").content_hash
    # ... and the racing push (which wrote to the retired generation) marks its write afterwards.
    assert mark_indexed(db, [(row(db, "a").id, new_a, old_a)]) == 0
    assert row(db, "a").indexed_hash != new_a  # still pending: the next push writes it again

    assert push_pending(db, backend).indexed == 1
    assert row(db, "a").indexed_hash == new_a
