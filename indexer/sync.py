"""Apply one partner's crawl to the database (source of truth) and the search index.

Stages: ``store`` each normalized batch as it arrives (new / updated / unchanged), then
``finish`` the run: retire what the partner no longer publishes (only after a complete,
successful run that passes the shrink guard), then ``push`` pending writes to the index.
A document whose index write failed keeps ``indexed_hash != content_hash`` and is retried by
the next push, so a search outage loses nothing.

``indexed_hash`` is only ever set with a compare-and-set on the value the push read, so a push
racing with ``indexer.rebuild`` (which resets it after swapping generations) cannot mark as
indexed a write that went to the generation that was just retired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import bindparam, select, update

from indexer.base import SearchBackend, SearchBackendError
from indexer.grouping import attach_sources, record_group_key, regroup
from volunteer_hub.db import Database, StoredOpportunity
from volunteer_hub.opportunity import Opportunity

PUSH_BATCH = 500


@dataclass
class SyncCounts:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    indexed: int = 0
    index_failures: dict[str, str] = field(default_factory=dict)


@dataclass
class FinishOutcome:
    status: str  # succeeded / failed / partial / shrink-guarded
    message: str | None = None


class PartnerSync:
    def __init__(self, db: Database, partner_id: str, now: datetime | None = None) -> None:
        self.db = db
        self.partner_id = partner_id
        self.now = now or datetime.now(UTC)
        self.counts = SyncCounts()
        self.seen_ids: set[str] = set()

    def store(self, batch: Iterable[Opportunity]) -> None:
        """Upsert a batch of normalized opportunities into the database."""
        batch = [o for o in batch if o.id not in self.seen_ids]
        if not batch:
            return
        with self.db.session() as s, s.begin():
            wanted = StoredOpportunity.id.in_([o.id for o in batch])
            existing = {row.id: row for row in s.scalars(select(StoredOpportunity).where(wanted))}
            for opp in batch:
                self.seen_ids.add(opp.id)
                self.counts.seen += 1
                row = existing.get(opp.id)
                if row is None:
                    opp.first_seen = opp.last_seen = self.now
                    s.add(
                        StoredOpportunity(
                            id=opp.id, partner_id=self.partner_id, source_id=opp.source_id,
                            content_hash=opp.content_hash, data=opp.to_dict(), first_seen=self.now,
                            last_seen=self.now, state="live", expiry=opp.expiry(),
                            group_key=record_group_key(opp),
                        )
                    )
                    self.counts.new += 1
                    continue
                opp.first_seen, opp.last_seen = row.first_seen, self.now
                if row.state == "expired":
                    # Expired earlier (``index expire``); it is live again if the partner extended it.
                    expiry = opp.expiry()
                    if expiry is None or _aware(expiry) > self.now:
                        row.state = "gone"  # revived just below, like a returning item
                changed = row.content_hash != opp.content_hash or row.state == "gone"
                if changed:
                    self.counts.updated += 1
                    row.content_hash = opp.content_hash
                    row.data = opp.to_dict()
                    row.expiry = opp.expiry()
                    row.group_key = record_group_key(opp)
                else:
                    self.counts.unchanged += 1
                row.last_seen = self.now
                if row.state == "gone":
                    row.state, row.gone_at = "live", None

    def retire_missing(self) -> int:
        """Mark live opportunities the partner no longer publishes as gone (kept, with the date)."""
        with self.db.session() as s, s.begin():
            live = s.scalars(
                select(StoredOpportunity.id).where(
                    StoredOpportunity.partner_id == self.partner_id, StoredOpportunity.state == "live"
                )
            ).all()
            missing = [i for i in live if i not in self.seen_ids]
            for start in range(0, len(missing), 500):
                s.execute(
                    update(StoredOpportunity)
                    .where(StoredOpportunity.id.in_(missing[start : start + 500]))
                    .values(state="gone", gone_at=self.now)
                )
        self.counts.removed = len(missing)
        return len(missing)

    def finish(self, *, complete: bool, failed_reason: str | None, shrink_threshold: float) -> FinishOutcome:
        """Decide the run's outcome and retire missing items only when it is safe to."""
        if failed_reason:
            return FinishOutcome("failed", failed_reason)
        if not complete:
            return FinishOutcome("partial", "the crawl was cut short; nothing was removed")
        with self.db.session() as s:
            last_good = self.db.last_good_run(s, self.partner_id)
        if last_good and last_good.seen and self.counts.seen < last_good.seen * shrink_threshold:
            return FinishOutcome(
                "shrink-guarded",
                f"only {self.counts.seen} items against {last_good.seen} in the last good run "
                f"(below {shrink_threshold:.0%}); nothing was removed",
            )
        self.retire_missing()
        return FinishOutcome("succeeded")


def push_pending(db: Database, backend: SearchBackend, partner_id: str | None = None) -> SyncCounts:
    """Write every pending change to the index: changed live documents, and removals.

    Copies of another partner's record (``indexer.grouping``) count as removals; with a
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
        shown = (StoredOpportunity.state == "live") & StoredOpportunity.duplicate_of.is_(None)
        stmt = select(StoredOpportunity).where(
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
        pending = [(row.id, row.content_hash, row.indexed_hash, row.data) for row in s.scalars(stmt)]
        gone = [(row.id, row.indexed_hash) for row in s.execute(gone_stmt)]

    if reason is not None:  # unreachable or refusing: everything stays pending
        counts.index_failures.update({i: reason for i, *_rest in pending})
        counts.index_failures.update({i: reason for i, _prev in gone})
        return counts

    for start in range(0, len(pending), PUSH_BATCH):
        chunk = pending[start : start + PUSH_BATCH]
        opps = []
        for _id, content_hash, _prev, data in chunk:
            opp = Opportunity.from_dict(data)
            opp.content_hash = content_hash
            opps.append(opp)
        attach_sources(db, opps)
        try:
            report = backend.upsert(opps)
        except SearchBackendError as exc:
            counts.index_failures.update({i: str(exc) for i, *_rest in chunk})
            continue
        counts.index_failures.update(report.failed)
        done = [(i, h, prev) for i, h, prev, _d in chunk if i not in report.failed]
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


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
