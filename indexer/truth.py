"""Index truth: is the search index what the database says it is?

The database is the source of truth (``volunteer_hub.store.index_state``): it records, per
backend, the generation last written and knows which rows were indexed. ``check_index`` compares
that with the backend and names what is wrong: another generation is served (the index was
deleted and recreated, or replaced), or documents are missing (a node came back empty, a file
was restored from an old copy). ``index sync``, the scheduler's periodic sync and ``/healthz``
call it; the first two repair with a full rebuild (``indexer.rebuild.repair_index``), the site answers 503
instead of silently showing "0 results" for live listings.

Documents beyond what the database expects (a push between its write and its bookkeeping) are
not a loss and never make search unavailable; the next push or rebuild settles them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.base import SearchBackend, SearchBackendError
from volunteer_hub.store.db import Database
from volunteer_hub.store.index_state import Believed, believed_documents, record_state, recorded_state


class IndexLost(SearchBackendError):
    """The index lost documents or serves another generation: searching it would mislead."""


@dataclass(frozen=True)
class IndexTruth:
    backend_key: str
    generation: str | None  # served by the backend now
    recorded_generation: str | None  # last written, as the database recorded it
    documents: int  # held by the backend now
    believed: Believed  # what the database says it holds
    problem: str | None  # why the index cannot be trusted; None when it can

    @property
    def ok(self) -> bool:
        return self.problem is None


def backend_key(backend: SearchBackend) -> str:
    """Names one index: ``elasticsearch:<alias>`` or ``sqlite:<file name>``."""
    alias = getattr(backend, "alias", None)
    if alias:
        return f"{backend.name}:{alias}"
    return f"{backend.name}:{Path(str(getattr(backend, 'path', ''))).name}"


def _generation(backend: SearchBackend) -> str | None:
    current = getattr(backend, "current_generation", None)
    return current() if callable(current) else None


def check_index(db: Database, backend: SearchBackend) -> IndexTruth:
    """Compare the backend with the database. Raises ``SearchBackendError`` when it cannot answer."""
    key = backend_key(backend)
    generation = _generation(backend)
    documents = backend.count()
    believed = believed_documents(db)
    state = recorded_state(db, key)
    recorded = state.generation if state is not None else None
    problem = None
    if recorded is not None and generation != recorded:
        problem = (
            f"the index serves generation {generation or '(none)'} but {recorded} was written last: "
            f"it was deleted or replaced ({documents} documents, {believed.at_least} expected)"
        )
    elif documents < believed.at_least:
        problem = (
            f"the index holds {documents} documents, the database expects at least {believed.at_least}: "
            "documents were lost"
        )
    return IndexTruth(key, generation, recorded, documents, believed, problem)


def record_written(db: Database, backend: SearchBackend, *, after_rebuild: bool = False) -> None:
    """Record the generation just written and its count. A push never overwrites the record of
    another generation (that is the evidence of a lost index); only a rebuild or rollback does."""
    key = backend_key(backend)
    generation = _generation(backend)
    if not after_rebuild:
        state = recorded_state(db, key)
        if state is not None and state.generation != generation:
            return
    record_state(db, key, generation, backend.count())
