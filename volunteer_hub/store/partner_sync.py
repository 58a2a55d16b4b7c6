"""Apply one partner's crawl to the database, the source of truth.

``store`` each normalized batch as it arrives (new / updated / unchanged), then ``finish`` the
run: retire what the partner no longer publishes, only after a complete, successful run that
passes the shrink guard. Pushing the changes to a search index is the indexer's job
(``indexer.sync.push_pending``), which reads what this module wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import select, update

from volunteer_hub.core.moderation import REPEATED_TEXT, repeated_descriptions
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.flags import moderate_row, replace_flags, settle, settled_state
from volunteer_hub.store.grouping import record_group_key
from volunteer_hub.store.states import OpportunityState, RunStatus


@dataclass
class SyncCounts:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    indexed: int = 0
    # Already over when the partner published them (a 2009 event in today's feed): stored as
    # "expired", so never indexed, listed or in the sitemap; counted for the run report.
    expired_on_arrival: int = 0
    suppressed: int = 0  # hidden by an automatic rule when stored (store.flags)
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
        counts_before = replace(self.counts)
        try:
            self._store(batch)
        except BaseException:
            # Not written: neither seen nor counted (a seen id is never retired; the run report is truthful).
            self.seen_ids.difference_update(o.id for o in batch)
            self.counts = counts_before
            raise

    def _store(self, batch: list[Opportunity]) -> None:
        with self.db.session() as s, s.begin():
            wanted = StoredOpportunity.id.in_([o.id for o in batch])
            existing = {row.id: row for row in s.scalars(select(StoredOpportunity).where(wanted))}
            for opp in batch:
                self.seen_ids.add(opp.id)
                self.counts.seen += 1
                over = opp.is_expired(self.now)
                self.counts.expired_on_arrival += over
                row = existing.get(opp.id)
                if row is None:
                    opp.first_seen = opp.last_seen = self.now
                    row = StoredOpportunity(
                        id=opp.id,
                        partner_id=self.partner_id,
                        source_id=opp.source_id,
                        content_hash=opp.content_hash,
                        data=opp.to_dict(),
                        first_seen=self.now,
                        last_seen=self.now,
                        expiry=opp.expiry(),
                        state=OpportunityState.EXPIRED if over else OpportunityState.LIVE,
                        group_key=record_group_key(opp),
                    )
                    self._moderate(row, opp)
                    s.add(row)
                    self.counts.new += 1
                    continue
                opp.first_seen, opp.last_seen = row.first_seen, self.now
                opp.last_verified = Opportunity.from_dict(row.data).last_verified  # the link checker's
                if row.state == OpportunityState.EXPIRED:
                    # Expired earlier (``index expire``); it is live again if the partner extended it.
                    expiry = opp.expiry()
                    if expiry is None or aware(expiry) > self.now:
                        row.state = OpportunityState.GONE  # revived just below, like a returning item
                changed = row.content_hash != opp.content_hash or row.state == OpportunityState.GONE
                if changed:
                    self.counts.updated += 1
                    row.content_hash = opp.content_hash
                    row.data = opp.to_dict()
                    row.expiry = opp.expiry()
                    row.group_key = record_group_key(opp)
                else:
                    self.counts.unchanged += 1
                    row.expiry = opp.expiry()  # the rule may have changed (a start alone now ends)
                row.last_seen = self.now
                if row.state == OpportunityState.GONE:
                    row.state, row.gone_at = OpportunityState.LIVE, None
                if over:
                    row.state = OpportunityState.EXPIRED
                self._moderate(row, opp)

    def _moderate(self, row: StoredOpportunity, opp: Opportunity) -> None:
        """The moderation rules of the record, and the state they imply (``store.flags``)."""
        moderate_row(row, opp, self.now)
        if settle(row) and row.state == OpportunityState.SUPPRESSED:
            self.counts.suppressed += 1

    def flag_repeated_texts(self) -> int:
        """Flag the partner's listings that share one description many times; returns how many.

        Memory stays flat in the partner's size: the descriptions and flags are streamed (ids kept),
        and only the rows whose flag or state changes are loaded, 500 at a time. Loading every row
        at once held ~10 KB per listing (1.4 GB at the end of a 100,000-item crawl).
        """
        T = StoredOpportunity
        mine = (T.partner_id == self.partner_id) & T.state.in_(
            (OpportunityState.LIVE, OpportunityState.SUPPRESSED)
        )
        with self.db.session() as s, s.begin():
            rows = s.execute(
                select(T.id, T.data["description"].as_string(), T.flags, T.state, T.flag_override)
                .where(mine)
                .execution_options(yield_per=2000)
            )
            # Rows to touch: flagged now, flagged before, or whose state its flags contradict
            # (``settle`` used to run on every row); noted in the same pass as the descriptions.
            touched: set[str] = set()

            def described() -> Iterator[tuple[str, str]]:
                for opp_id, text, flags, state, override in rows:
                    if REPEATED_TEXT in (flags or {}) or state != settled_state(flags, override):
                        touched.add(opp_id)
                    yield opp_id, text or ""

            found = repeated_descriptions(described())
            touched.update(found)
            ids = sorted(touched)
            for start in range(0, len(ids), 500):
                for row in s.scalars(select(T).where(T.id.in_(ids[start : start + 500]))):
                    finding = found.get(row.id)
                    detail = {REPEATED_TEXT: (finding.action, finding.detail)} if finding else {}
                    replace_flags(row, (REPEATED_TEXT,), detail, self.now)
                    settle(row)
                s.flush()
                s.expunge_all()
        return len(found)

    def retire_missing(self) -> int:
        """Mark live (or suppressed) opportunities the partner no longer publishes as gone (kept, dated)."""
        with self.db.session() as s, s.begin():
            live = s.scalars(
                select(StoredOpportunity.id).where(
                    StoredOpportunity.partner_id == self.partner_id,
                    StoredOpportunity.state.in_((OpportunityState.LIVE, OpportunityState.SUPPRESSED)),
                )
            ).all()
            missing = [i for i in live if i not in self.seen_ids]
            for start in range(0, len(missing), 500):
                s.execute(
                    update(StoredOpportunity)
                    .where(StoredOpportunity.id.in_(missing[start : start + 500]))
                    .values(state=OpportunityState.GONE, gone_at=self.now)
                )
        self.counts.removed = len(missing)
        return len(missing)

    def finish(self, *, complete: bool, failed_reason: str | None, shrink_threshold: float) -> FinishOutcome:
        """Decide the run's outcome and retire missing items only when it is safe to."""
        self.flag_repeated_texts()
        if failed_reason:
            return FinishOutcome(RunStatus.FAILED, failed_reason)
        if not complete:
            return FinishOutcome(RunStatus.PARTIAL, "the crawl was cut short; nothing was removed")
        with self.db.session() as s:
            last_good = self.db.last_good_run(s, self.partner_id)
        if last_good and last_good.seen and self.counts.seen < last_good.seen * shrink_threshold:
            return FinishOutcome(
                RunStatus.SHRINK_GUARDED,
                f"only {self.counts.seen} items against {last_good.seen} in the last good run "
                f"(below {shrink_threshold:.0%}); nothing was removed",
            )
        self.retire_missing()
        return FinishOutcome(RunStatus.SUCCEEDED)
