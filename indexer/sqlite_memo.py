"""What a search connection of the embedded backend keeps from one search to the next (docs/benchmarks.md).

Two things, both exact (a result never differs from a search without them):

* the text match: ``temp.vh_match`` (every listing a plan's words match, with its score) stays filled
  with the last plan's matches, so the next page, a facet click or a new filter with the same words
  skips the full-text queries, the score sums and the insert (70-80% of a common word's search);
  likewise ``temp.vh_near`` (the listings within a radius and their distance) for the same point;
* facet passes (the total and every facet count), by the statement and its arguments, so the next
  page of the same search skips the pass.

Both are forgotten when the index changes: another connection committed (``PRAGMA data_version``) or
this one wrote (``total_changes`` moved outside searches). A facet pass also depends on the time
(``expiry > now``): it is reused only while no listing's expiry falls between the time it was
counted at and the time of the new search.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

FACET_PASSES = 8  # per connection (one per thread): the last few searches' facet passes, counted


class IndexConnection(sqlite3.Connection):
    """A connection to an index file that carries its search memo."""

    memo: SearchMemo | None = None


class SearchMemo:
    def __init__(self, version: tuple[int, int]) -> None:
        self.version = version  # (PRAGMA data_version, total_changes) when it was last checked
        self.plan: Any = None  # the plan groups whose matches temp.vh_match holds
        self.tiers: list[tuple[float, int]] = []  # (score, listings) in temp.vh_match, best first
        self.near: Any = None  # the (point, radius) whose listings temp.vh_near holds
        self.passes: OrderedDict[Any, tuple[str, str | None, Any]] = OrderedDict()

    def facet_pass(self, conn: sqlite3.Connection, key: Any, now: str, count: Callable[[], T]) -> T:
        """What ``count()`` returns for ``key`` (every argument but the expiry cut-off ``now``),
        counted again only when a listing expired between the stored pass and ``now``. The caller
        must not change what it gets (it is kept)."""
        stored = self.passes.get(key)
        if stored is not None:
            counted_at, next_expiry, kept = stored
            if counted_at <= now and (next_expiry is None or now < next_expiry):
                self.passes.move_to_end(key)
                return kept  # type: ignore[no-any-return]
        counted = count()
        (next_expiry,) = conn.execute("SELECT min(expiry) FROM doc WHERE expiry > ?", (now,)).fetchone()
        self.passes[key] = (now, next_expiry, counted)
        if len(self.passes) > FACET_PASSES:
            self.passes.popitem(last=False)
        return counted


def search_memo(conn: sqlite3.Connection) -> SearchMemo | None:
    """``conn``'s memo, emptied when the index changed since the last search (call inside the search's
    read transaction, before its first read); None for a plain connection."""
    if not isinstance(conn, IndexConnection):
        return None
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    memo = conn.memo
    if memo is None or memo.version != version:
        memo = conn.memo = SearchMemo(version)
    return memo


def searched(conn: sqlite3.Connection) -> None:
    """After a search: its own writes (the scratch tables) do not count as a change of the index."""
    memo = conn.memo if isinstance(conn, IndexConnection) else None
    if memo is not None:
        memo.version = (memo.version[0], conn.total_changes)
