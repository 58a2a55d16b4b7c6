"""Show one opportunity once when several partners publish it, with all its sources.

The database keeps every partner's record (each partner's crawl, stats and removals stay its
own). Before each push, ``regroup`` finds the copies (``volunteer_hub.core.identity``) among live
records and marks all but the canonical one ``duplicate_of`` it; copies are kept out of the
index (``push_pending`` deletes them like retired records), and the canonical record is indexed
with the copies listed in ``other_sources``. When the canonical record goes away, the next
copy becomes canonical at the next push, so a relayed mission never disappears from search
because one of its publishers dropped it (a moderator's hiding, though, hides the copies too).

``sources_hash`` on a canonical row is a digest of its copies (ids and content hashes): when it
changes, the row's ``indexed_hash`` is reset so the next push rewrites the document. The hash
sent to the index is the row's content hash combined with that list (``index_hash``), which
keeps the backends' skip-unchanged check truthful.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, fields

from sqlalchemy import bindparam, func, or_, select, update

from volunteer_hub.core.identity import (
    KEY_VERSION,
    VAGUE_KEY,
    Member,
    cluster,
    group_key,
    places_from,
    title_terms,
)
from volunteer_hub.core.opportunity import Location, Opportunity, Source
from volunteer_hub.core.timeutil import aware
from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.states import OpportunityState

BACKFILL_BATCH = 1000
# A record hidden by a moderator still takes part: when it is the one that would be shown, its
# copies stay out of search too (a listing reported as misleading is misleading everywhere).
GROUPED_STATES = (OpportunityState.LIVE, OpportunityState.HIDDEN)
_T = StoredOpportunity
_LOCATION_FIELDS = frozenset(f.name for f in fields(Location))


def regroup(db: Database) -> set[str]:
    """Recompute which live records are copies of another; returns the ids whose index state
    changed (new or former copies, canonical records whose list of copies changed)."""
    backfill_group_keys(db)
    with db.session() as s:
        shared = (
            select(_T.group_key)
            .where(
                _T.state.in_(GROUPED_STATES), _T.group_key.is_not(None), _T.group_key.not_in(("", VAGUE_KEY))
            )
            .group_by(_T.group_key)
            .having(func.count(func.distinct(_T.partner_id)) > 1)
        )
        blocks: dict[str, list[Member]] = defaultdict(list)
        hashes: dict[str, str] = {}
        title, locations, remote = _T.data["title"].as_string(), _T.data["locations"], _T.data["remote"]
        # Only the fields compared: decoding whole records would cost more than the comparison.
        for row in s.execute(
            select(
                _T.id, _T.partner_id, _T.first_seen, _T.group_key, _T.content_hash, title, locations, remote
            ).where(_T.state.in_(GROUPED_STATES), _T.group_key.in_(shared))
        ):
            opp_id, partner, first_seen, key, content_hash, title_text, places, is_remote = row
            spots = [
                Location(**{k: v for k, v in loc.items() if k in _LOCATION_FIELDS}) for loc in places or []
            ]
            blocks[key].append(
                Member(
                    opp_id, partner, aware(first_seen), title_terms(title_text or ""),
                    places_from(spots, bool(is_remote)),
                )
            )  # fmt: skip
            hashes[opp_id] = content_hash
        copies_now = select(_T.id, _T.duplicate_of).where(_T.duplicate_of.is_not(None))
        current_dup = dict(s.execute(copies_now).all())
        current_src = {
            opp_id: (sources_hash, state)
            for opp_id, sources_hash, state in s.execute(
                select(_T.id, _T.sources_hash, _T.state).where(_T.sources_hash.is_not(None))
            )
        }

    want_dup: dict[str, str] = {}
    copies: dict[str, list[str]] = defaultdict(list)
    for members in blocks.values():
        for opp_id, canonical in cluster(members).items():
            if canonical != opp_id:
                want_dup[opp_id] = canonical
                copies[canonical].append(opp_id)
    want_src = {
        canonical: hashlib.sha256("\x1f".join(f"{i}:{hashes[i]}" for i in sorted(ids)).encode()).hexdigest()[
            :32
        ]
        for canonical, ids in copies.items()
    }

    dup_changes = [
        {"b_id": i, "b_dup": want_dup.get(i)}
        for i in set(want_dup) | set(current_dup)
        if want_dup.get(i) != current_dup.get(i)
    ]
    src_changes = []
    for i in set(want_src) | set(current_src):
        new = want_src.get(i)
        old, state = current_src.get(i, (None, OpportunityState.LIVE))
        if new != old:
            # Reset indexed_hash only for a live canonical row (it must be rewritten); a row
            # that left or became a copy keeps it, so the push can still delete it.
            rewrite = state == OpportunityState.LIVE and i not in want_dup
            src_changes.append({"b_id": i, "b_src": new, "b_rewrite": rewrite})
    if dup_changes or src_changes:
        table = _T.__table__
        with db.session() as s, s.begin():
            conn = s.connection()
            if dup_changes:
                stmt = update(table).where(table.c.id == bindparam("b_id"))
                conn.execute(stmt.values(duplicate_of=bindparam("b_dup")), dup_changes)
            for change in src_changes:
                values: dict[str, object] = {"sources_hash": change["b_src"]}
                if change["b_rewrite"]:
                    values["indexed_hash"] = None
                conn.execute(update(table).where(table.c.id == change["b_id"]).values(**values))
    return {c["b_id"] for c in dup_changes} | {c["b_id"] for c in src_changes}


def backfill_group_keys(db: Database) -> int:
    """Compute the blocking key of rows stored before it existed (``group_key IS NULL``), or under
    an older rule (a key without the current ``KEY_VERSION`` prefix)."""
    done = 0
    stale = or_(_T.group_key.is_(None), _T.group_key.not_like(f"{KEY_VERSION}%"))
    while True:
        with db.session() as s, s.begin():
            rows = s.execute(select(_T.id, _T.data).where(stale).limit(BACKFILL_BATCH)).all()
            if not rows:
                return done
            params = [{"b_id": i, "b_key": record_group_key(data)} for i, data in rows]
            table = _T.__table__
            s.connection().execute(
                update(table).where(table.c.id == bindparam("b_id")).values(group_key=bindparam("b_key")),
                params,
            )
            done += len(rows)


def record_group_key(data: dict | Opportunity) -> str:
    """The stored form of ``group_key``: ``VAGUE_KEY`` when the record is too vague to be matched."""
    opp = data if isinstance(data, Opportunity) else Opportunity.from_dict(data)
    return group_key(opp) or VAGUE_KEY


def attach_sources(db: Database, opportunities: Iterable[Opportunity]) -> None:
    """Fill ``other_sources`` of canonical records from their live copies, and give them their
    ``index_hash`` as content hash (records without copies are left as they are)."""
    by_id = {o.id: o for o in opportunities}
    if not by_id:
        return
    found: dict[str, list[Source]] = defaultdict(list)
    with db.session() as s:
        # The state is checked here, not in SQL: "duplicate_of IN (...) AND state = 'live'" made SQLite
        # walk the index of states (nearly every row is live) instead of the few copies: a full scan per
        # batch of the crawl's index push, quadratic in the store (docs/benchmarks.md).
        rows = s.execute(
            select(_T.duplicate_of, _T.id, _T.partner_id, _T.data["url"].as_string(), _T.state)
            .where(_T.duplicate_of.in_(list(by_id)))
            .order_by(_T.first_seen, _T.id)
        )
        for canonical, opp_id, partner, url, state in rows:
            if state == OpportunityState.LIVE:
                found[canonical].append(Source(partner=partner, id=opp_id, url=url or ""))
    for canonical, sources in found.items():
        opp = by_id[canonical]
        opp.other_sources = sources
        opp.content_hash = index_hash(opp.content_hash, sources)


def index_hash(content_hash: str, sources: list[Source]) -> str:
    """What the index holds for a record listed with its copies: its content and the copies."""
    if not sources:
        return content_hash
    payload = json.dumps([content_hash, [asdict(src) for src in sources]], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]
