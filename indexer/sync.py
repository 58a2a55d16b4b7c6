"""Push what the store holds to the search index.

``push_pending`` writes every pending change of the database (``volunteer_hub.store``) to the
backend. A document whose index write failed keeps ``indexed_hash != content_hash`` and is
retried by the next push, so a search outage loses nothing.

``indexed_hash`` is only ever set with a compare-and-set on the value the push read, so a push
racing with ``indexer.rebuild`` (which resets it after swapping generations) cannot mark as
indexed a write that went to the generation that was just retired.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, select, update

from indexer.base import SearchBackend, SearchBackendError
from indexer.truth import record_written
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.grouping import attach_sources, regroup
from volunteer_hub.store.partner_sync import SyncCounts
from volunteer_hub.store.states import OpportunityState

PUSH_BATCH = 500

log = logging.getLogger(__name__)


def push_pending(db: Database, backend: SearchBackend, partner_id: str | None = None) -> SyncCounts:
    """Write every pending change to the index: changed live documents, and removals.

    Copies of another partner's record (``volunteer_hub.store.grouping``) count as removals; with a
    ``partner_id``, records of other partners whose grouping just changed are pushed too.
    Raises nothing on a backend outage: failures are counted and stay pending.
    """
    regrouped = regroup(db)
    counts = SyncCounts()
    try:
        backend.ensure_ready()
    except SearchBackendError as exc:
        reason = str(exc)
    else:
        reason = None
    with db.session() as s:
        shown = (StoredOpportunity.state == OpportunityState.LIVE) & StoredOpportunity.duplicate_of.is_(None)
        # Ids and hashes only: the records are read a batch at a time below, so a crawl of a
        # million listings never holds them all (and no ORM object is built for them).
        stmt = select(
            StoredOpportunity.id, StoredOpportunity.content_hash, StoredOpportunity.indexed_hash
        ).where(
            shown,
            (StoredOpportunity.indexed_hash.is_(None))
            | (StoredOpportunity.indexed_hash != StoredOpportunity.content_hash),
        )
        gone_stmt = select(StoredOpportunity.id, StoredOpportunity.indexed_hash).where(
            ~shown, StoredOpportunity.indexed_hash.is_not(None)
        )
        if partner_id:
            mine = StoredOpportunity.partner_id == partner_id
            if len(regrouped) <= PUSH_BATCH:
                mine = mine | StoredOpportunity.id.in_(regrouped)
                stmt, gone_stmt = stmt.where(mine), gone_stmt.where(mine)
            # else: a large regrouping (first run after an upgrade): push everything pending
        pending = [(row.id, row.content_hash, row.indexed_hash) for row in s.execute(stmt)]
        gone = [(row.id, row.indexed_hash) for row in s.execute(gone_stmt)]

    if reason is not None:  # unreachable or refusing: everything stays pending
        counts.index_failures.update({i: reason for i, *_rest in pending})
        counts.index_failures.update({i: reason for i, _prev in gone})
        return counts

    for start in range(0, len(pending), PUSH_BATCH):
        chunk = pending[start : start + PUSH_BATCH]
        with db.session() as s:
            columns = (StoredOpportunity.id, StoredOpportunity.content_hash, StoredOpportunity.data)
            ids = [i for i, *_rest in chunk]
            current = {
                i: (h, d) for i, h, d in s.execute(select(*columns).where(StoredOpportunity.id.in_(ids)))
            }
        # The hash read with the data it hashes (a row changed since is marked with the hash it was
        # indexed with, so it stays pending); a row deleted meanwhile has nothing left to index.
        chunk = [(i, current[i][0], prev) for i, _h, prev in chunk if i in current]
        opps = []
        for opp_id, content_hash, _prev in chunk:
            opp = Opportunity.from_dict(current[opp_id][1])
            opp.content_hash = content_hash
            opps.append(opp)
        attach_sources(db, opps)
        try:
            report = backend.upsert(opps)
        except SearchBackendError as exc:
            counts.index_failures.update({i: str(exc) for i, *_rest in chunk})
            continue
        counts.index_failures.update(report.failed)
        done = [(i, h, prev) for i, h, prev in chunk if i not in report.failed]
        counts.indexed += len(done)
        mark_indexed(db, done)

    if gone:
        try:
            backend.delete([i for i, _prev in gone])
        except SearchBackendError as exc:
            counts.index_failures.update({i: str(exc) for i, _prev in gone})
        else:
            counts.removed = len(gone)
            mark_indexed(db, [(i, None, prev) for i, prev in gone])
    try:
        record_written(db, backend)
    except SearchBackendError as exc:  # the next push records it; check_index reports real trouble
        log.warning("could not record the index state: %s", exc)
    return counts


def mark_indexed(db: Database, done: list[tuple[str, str | None, str | None]]) -> int:
    """Set ``indexed_hash`` for (id, new value, value read before the write) rows, compare-and-set:
    a row whose ``indexed_hash`` changed meanwhile (a rebuild reset it) stays pending."""
    if not done:
        return 0
    table = StoredOpportunity.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .where(table.c.indexed_hash.is_not_distinct_from(bindparam("b_prev")))
        .values(indexed_hash=bindparam("b_new"))
    )
    params = [{"b_id": i, "b_new": new, "b_prev": prev} for i, new, prev in done]
    with db.session() as s, s.begin():
        result = s.connection().execute(stmt, params)
    return int(result.rowcount or 0)
