"""Index maintenance jobs behind ``volunteer-hub index expire | export | import``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

from indexer.base import SearchBackend, SearchBackendError, WriteReport
from indexer.rebuild import mark_expired
from indexer.sync import push_pending
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.store.db import Database

IMPORT_BATCH = 500


@dataclass
class ExpireReport:
    marked: int = 0  # database rows newly marked expired
    removed: int = 0  # documents deleted from the index
    failures: dict[str, str] = field(default_factory=dict)  # deletions still pending

    @property
    def ok(self) -> bool:
        return not self.failures


def expire_index(db: Database, backend: SearchBackend, now: datetime | None = None) -> ExpireReport:
    """Mark expired opportunities in the database and delete them from the index.

    Searches already filter expired documents out at query time; this job keeps the index small
    and its counts honest. Deletions that fail (backend down) stay pending for ``index sync``.
    """
    now = now or datetime.now(UTC)
    report = ExpireReport(marked=len(mark_expired(db, now)))
    pushed = push_pending(db, backend)  # deletes every non-live row still in the index
    report.removed = pushed.removed
    report.failures = dict(pushed.index_failures)
    if report.ok:
        try:
            # Documents expired in the index but unknown to (or already retired in) the database.
            report.removed += backend.delete_expired(now)
        except SearchBackendError as exc:
            report.failures["*"] = str(exc)
    return report


def write_jsonl(records: Iterable[Opportunity], out: IO[str]) -> int:
    """One ``Opportunity.to_dict()`` JSON object per line; returns how many."""
    n = 0
    for opp in records:
        out.write(json.dumps(opp.to_dict(), ensure_ascii=False, sort_keys=True))
        out.write("\n")
        n += 1
    return n


def read_jsonl(lines: Iterable[str]) -> Iterator[Opportunity]:
    """Parse records written by ``write_jsonl``; raises ``ValueError`` with the line number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            opp = Opportunity.from_dict(json.loads(line))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"line {number}: not an opportunity record ({exc})") from exc
        opp.content_hash = opp.content_hash or opp.compute_hash()
        yield opp


def import_jsonl(backend: SearchBackend, lines: Iterable[str]) -> WriteReport:
    """Upsert exported records into ``backend`` (e.g. to move from SQLite to Elasticsearch)."""
    total = WriteReport()
    batch: list[Opportunity] = []

    def flush() -> None:
        report = backend.upsert(batch)
        total.written += report.written
        total.skipped_unchanged += report.skipped_unchanged
        total.failed.update(report.failed)
        batch.clear()

    for opp in read_jsonl(lines):
        batch.append(opp)
        if len(batch) >= IMPORT_BATCH:
            flush()
    if batch:
        flush()
    return total
