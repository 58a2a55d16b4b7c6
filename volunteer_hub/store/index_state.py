"""What the database believes the search index holds: the truth the index is checked against.

One ``index_state`` row per backend (``backend_key``: ``elasticsearch:<alias>``, ``sqlite:<file>``)
records the live generation the last push or rebuild wrote to and the documents it then held.
``believed_documents`` derives the expected count from the opportunity rows themselves
(``indexed_hash``), so it is exact at any moment, not only after a push:

* at least: live, listed (not a copy) rows whose ``indexed_hash`` is set (not a rebuild marker);
* at most: that, plus retired rows still waiting for their deletion from the index.

A backend holding fewer documents than the lower bound, or serving another generation than the
recorded one, has lost documents (``indexer.truth``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.ops_models import IndexState
from volunteer_hub.store.states import OpportunityState
from volunteer_hub.store.tables import utcnow

REBUILD_MARKER = "rebuild:"  # indexed_hash prefix set by indexer.rebuild for rows not in the generation


@dataclass(frozen=True)
class Believed:
    """How many documents the database says the index holds: between ``at_least`` and ``at_most``."""

    at_least: int
    at_most: int


def believed_documents(db: Database) -> Believed:
    in_index = StoredOpportunity.indexed_hash.is_not(None) & ~StoredOpportunity.indexed_hash.startswith(
        REBUILD_MARKER
    )
    listed = (StoredOpportunity.state == OpportunityState.LIVE) & StoredOpportunity.duplicate_of.is_(None)
    with db.session() as s:
        at_most = s.scalar(select(func.count()).select_from(StoredOpportunity).where(in_index)) or 0
        at_least = s.scalar(select(func.count()).select_from(StoredOpportunity).where(in_index & listed)) or 0
    return Believed(int(at_least), int(at_most))


def recorded_state(db: Database, backend_key: str) -> IndexState | None:
    with db.session() as s:
        return s.get(IndexState, backend_key)


def record_state(db: Database, backend_key: str, generation: str | None, documents: int) -> None:
    """Remember the generation a push or rebuild just wrote to, and its document count."""
    with db.session() as s, s.begin():
        row = s.get(IndexState, backend_key)
        if row is None:
            row = IndexState(backend_key=backend_key)
            s.add(row)
        row.generation, row.documents, row.updated_at = generation, documents, utcnow()
