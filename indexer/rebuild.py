"""Zero-downtime rebuild: write a new index generation from the database, then switch to it.

Steps (``rebuild_index``), all under the backend's rebuild lock so two rebuilds never race:

1. mark expired rows in the database (``OpportunityState.EXPIRED``), so they are not written;
2. create a new generation tuned for bulk loading (ES: replicas 0, refresh off; SQLite: a new
   file with no journal) and stream every live, unexpired ``StoredOpportunity`` into it, except
   copies of another partner's record, which are listed with it (``volunteer_hub.store.grouping``);
3. seal it (refresh, replicas back, FTS optimize) and check its count against what was written,
   and against the live generation (a rebuild never shrinks the index below
   ``shrink_threshold`` of it without ``force``: an empty or wrong database must not empty search);
4. switch atomically (ES: one ``_aliases`` call; SQLite: ``os.replace`` of a pointer file), keep
   the previous generation for ``rollback``, delete older ones;
5. reconcile ``indexed_hash`` in the database with what the new generation holds, then push
   whatever changed while the rebuild ran (``push_pending``).

Any failure before step 4 deletes the new generation and leaves the live one untouched.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import bindparam, or_, select, update

from indexer.base import GenerationalBackend, RebuildError, SearchBackendError
from indexer.sync import push_pending
from indexer.truth import IndexTruth, record_written
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.grouping import attach_sources, regroup
from volunteer_hub.store.index_state import REBUILD_MARKER
from volunteer_hub.store.partner_sync import SyncCounts
from volunteer_hub.store.states import OpportunityState

LOAD_BATCH = 1000

log = logging.getLogger(__name__)


@dataclass
class RebuildReport:
    backend: str
    generation: str  # the new live generation
    previous: str | None  # kept for rollback
    deleted: list[str] = field(default_factory=list)  # older generations removed
    documents: int = 0  # count of the new generation after sealing
    expired: int = 0  # rows newly marked expired in the database
    failed: dict[str, str] = field(default_factory=dict)  # documents the new generation refused
    load_seconds: float = 0.0
    total_seconds: float = 0.0
    caught_up: SyncCounts | None = None  # changes pushed after the swap

    def as_dict(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items() if k != "caught_up"}
        if self.caught_up is not None:
            data["caught_up"] = {
                "indexed": self.caught_up.indexed,
                "removed": self.caught_up.removed,
                "failed": len(self.caught_up.index_failures),
            }
        return data


def mark_expired(db: Database, now: datetime) -> list[str]:
    """Mark live rows whose expiry has passed as ``expired`` (kept, like gone ones); returns their ids.

    ``push_pending`` then removes them from the index like any non-live row.
    """
    with db.session() as s, s.begin():
        ids = list(
            s.scalars(
                select(StoredOpportunity.id).where(
                    StoredOpportunity.state == OpportunityState.LIVE,
                    StoredOpportunity.expiry.is_not(None),
                    StoredOpportunity.expiry <= now,
                )
            )
        )
        for start in range(0, len(ids), 500):
            s.execute(
                update(StoredOpportunity)
                .where(StoredOpportunity.id.in_(ids[start : start + 500]))
                .values(state=OpportunityState.EXPIRED)
            )
    return ids


def live_opportunities(
    db: Database, now: datetime, batch: int = LOAD_BATCH
) -> Iterator[tuple[list[Opportunity], dict[str, str]]]:
    """Live, unexpired stored opportunities that are not copies, in batches, with their copies
    attached; each batch comes with the stored content hash of its records (id -> hash)."""
    stmt = (
        select(StoredOpportunity.content_hash, StoredOpportunity.data)
        .where(
            StoredOpportunity.state == OpportunityState.LIVE,
            StoredOpportunity.duplicate_of.is_(None),
            or_(StoredOpportunity.expiry.is_(None), StoredOpportunity.expiry > now),
        )
        .order_by(StoredOpportunity.id)
        .execution_options(yield_per=batch)
    )
    with db.session() as s:
        for rows in s.execute(stmt).partitions(batch):
            chunk, stored = [], {}
            for content_hash, data in rows:
                opp = Opportunity.from_dict(data)
                opp.content_hash = stored[opp.id] = content_hash
                chunk.append(opp)
            attach_sources(db, chunk)
            yield chunk, stored


def rebuild_index(
    db: Database,
    backend: GenerationalBackend,
    *,
    now: datetime | None = None,
    shrink_threshold: float = 0.5,
    force: bool = False,
    max_failures: int = 0,
    progress: Callable[[int], None] | None = None,
) -> RebuildReport:
    """Build a new generation from the database and swap it in; see the module docstring.

    Raises ``RebuildInProgress`` when another rebuild holds the lock, ``RebuildError`` when the new
    generation was abandoned (it is deleted, the live one keeps serving), ``SearchBackendError``
    when the backend is unreachable.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    with backend.rebuild_lock():
        expired = mark_expired(db, now)
        regroup(db)
        previous = backend.current_generation()
        try:
            previous_count = backend.count() if previous else 0
        except SearchBackendError:
            previous_count = 0
        generation = backend.begin_generation()
        written: dict[str, str] = {}  # id -> content hash written to the new generation
        failed: dict[str, str] = {}
        try:
            load_started = time.monotonic()
            for chunk, stored in live_opportunities(db, now):
                report = backend.load_generation(generation, chunk)
                failed.update(report.failed)
                written.update((i, h) for i, h in stored.items() if i not in report.failed)
                if progress:
                    progress(len(written))
            load_seconds = time.monotonic() - load_started
            if len(failed) > max_failures:
                sample = next(iter(failed.items()))
                raise RebuildError(
                    f"{len(failed)} documents were refused by the new generation (e.g. {sample[0]}: "
                    f"{sample[1]}); the live generation is unchanged"
                )
            documents = backend.seal_generation(generation)
            if documents != len(written):
                raise RebuildError(
                    f"the new generation holds {documents} documents, {len(written)} were written; "
                    "the live generation is unchanged"
                )
            if not force and previous_count and documents < previous_count * shrink_threshold:
                raise RebuildError(
                    f"the new generation would hold {documents} documents against {previous_count} live "
                    f"(below {shrink_threshold:.0%}); refusing to swap without --force"
                )
        except BaseException:
            try:
                backend.drop_generation(generation)
            except Exception:  # noqa: BLE001 - the original error matters more; an orphan is harmless
                pass
            raise
        deleted = backend.activate_generation(generation, keep_previous=1)
        record_written(db, backend, after_rebuild=True)
        reconcile_indexed_hashes(db, written)
    caught_up = push_pending(db, backend)
    return RebuildReport(
        backend=backend.name,
        generation=generation,
        previous=previous,
        deleted=deleted,
        documents=documents,
        expired=len(expired),
        failed=failed,
        load_seconds=load_seconds,
        total_seconds=time.monotonic() - started,
        caught_up=caught_up,
    )


def reconcile_indexed_hashes(db: Database, written: dict[str, str]) -> int:
    """After a swap, make ``indexed_hash`` describe the new generation; returns rows changed.

    * in the generation, unchanged since: its hash (nothing to do);
    * live but not in it, or changed since it was read: a marker unique to this rebuild, so the
      row is pending and a push that raced with the swap cannot mark it done (compare-and-set);
    * not live (or a copy of another record) and in it (retired meanwhile): its hash, so the
      next push deletes it;
    * not live and not in it: NULL (nothing to delete).
    """
    marker = f"{REBUILD_MARKER}{uuid.uuid4().hex[:16]}"
    changes: list[dict[str, str | None]] = []
    with db.session() as s:
        rows = s.execute(
            select(
                StoredOpportunity.id,
                StoredOpportunity.state,
                StoredOpportunity.content_hash,
                StoredOpportunity.indexed_hash,
                StoredOpportunity.duplicate_of,
            )
        )
        for opp_id, state, content_hash, indexed_hash, duplicate_of in rows:
            in_gen = written.get(opp_id)
            if state == OpportunityState.LIVE and duplicate_of is None:
                want = in_gen if in_gen is not None and in_gen == content_hash else marker
            else:
                want = in_gen
            if want != indexed_hash:
                changes.append({"b_id": opp_id, "b_new": want})
    if changes:
        table = StoredOpportunity.__table__
        stmt = update(table).where(table.c.id == bindparam("b_id")).values(indexed_hash=bindparam("b_new"))
        with db.session() as s, s.begin():
            for start in range(0, len(changes), 5000):
                s.connection().execute(stmt, changes[start : start + 5000])
    return len(changes)


def repair_index(
    db: Database, backend: GenerationalBackend, truth: IndexTruth, **options: object
) -> RebuildReport:
    """Rebuild the index from the database after ``indexer.truth.check_index`` found it lost
    documents or serves another generation; says so loudly in the log first."""
    log.error(
        "search index %s cannot be trusted: %s; rebuilding it from the database",
        truth.backend_key,
        truth.problem,
    )
    return rebuild_index(db, backend, **options)  # type: ignore[arg-type]


def adopt_generation(db: Database, backend: GenerationalBackend) -> int:
    """After a rollback: make the database describe the generation now served (what changed since
    is pending again, for ``index sync``) and record it; returns rows changed."""
    written = {opp.id: opp.content_hash or opp.compute_hash() for opp in backend.export()}
    changed = reconcile_indexed_hashes(db, written)
    record_written(db, backend, after_rebuild=True)
    return changed
