"""Embedded search backend: SQLite with FTS5, no server.

Layout: ``doc`` holds one row per opportunity (filters, sort keys and the JSON record), side
tables hold multi-valued fields (causes, regions, points), and ``doc_fts`` holds the
analyzed title/body terms (see volunteer_hub.core.analysis). Geo search is a bounding box on the
indexed ``doc_point`` table, then the exact haversine distance.

Generations (zero-downtime rebuild): ``path`` is the logical name. Until the first rebuild the
index lives in ``path`` itself; a rebuild writes ``<path>.gen-<UTC timestamp>``, then
atomically replaces the pointer file ``<path>.current`` (``os.replace``) with that file's name.
Every connection is per thread and per generation: before each operation the backend checks
the pointer (one ``stat``) and reconnects when it changed. Readers that still hold the old
generation keep working on it (their file is kept as the previous generation, for rollback).
We never ``os.replace`` a database file itself: in WAL mode the ``-wal``/``-shm`` files go by
name, so a new file under an old name would share them with the old connections.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import math
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from indexer.analysis_cache import Known, analyses, fingerprint, texts_and_hashes
from indexer.base import (
    FacetValue,
    Hit,
    RebuildInProgress,
    SearchBackendError,
    SearchQuery,
    SearchResult,
    UnknownFilter,
    WriteReport,
)
from indexer.documents import SearchDocument, Terms, build_document, iso
from indexer.practical import FACET_VALUES, TIME_BITS, time_mask
from indexer.sqlite_memo import IndexConnection, SearchMemo, search_memo, searched
from indexer.understanding import understood_search
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.html import to_text
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.practical import COMMITMENT_LEVELS, practical_label
from volunteer_hub.core.regions import region_label
from volunteer_hub.core.spelling import edit_distance
from volunteer_hub.core.taxonomy import cause_label
from volunteer_hub.core.understanding import BODY, CAUSE, SAME_LANGUAGE, TITLE, QueryPlan

P = ParamSpec("P")
R = TypeVar("R")

KM_PER_DEGREE = 111.19508
# SearchQuery.filters name -> the ``doc`` column it compares for equality (tests/test_conformance.py).
FILTER_COLUMNS = {
    "remote": "remote",
    "partner": "partner",
    "organization": "org_slug",
    "language": "language",
    # the practical filters (indexer.practical); NULL (unknown) never equals a value
    "minors": "open_to_minors",
    "accessible": "accessible",
    "recurrence": "recurrence",
    "skills_based": "skills_based",
    "groups": "for_groups",  # GROUPS is an SQL keyword
    "family": "family_friendly",
    "commitment": "commitment",
}
# Multi-valued filters kept as a bit mask column: any of the asked values matches.
FILTER_MASKS = {"time_of_week": ("time_mask", TIME_BITS)}
PRACTICAL_COLUMNS = (
    ("open_to_minors", "INTEGER"), ("accessible", "INTEGER"), ("recurrence", "TEXT"),
    ("time_mask", "INTEGER NOT NULL DEFAULT 0"), ("skills_based", "INTEGER"), ("for_groups", "INTEGER"),
    ("family_friendly", "INTEGER"),
)  # fmt: skip


def _commitment_sql(hours: str) -> str:
    """SQL giving core.practical.commitment_level of the ``hours`` expression (in-place upgrade)."""
    levels = [f"WHEN {hours} <= {most} THEN '{level}'" for level, most in COMMITMENT_LEVELS[:-1]]
    last = COMMITMENT_LEVELS[-1][0]
    return f"CASE WHEN {hours} IS NULL OR {hours} <= 0 THEN NULL {' '.join(levels)} ELSE '{last}' END"


# The facet pass (total and every facet count of a search) scans this covering index only, never a
# ``doc`` row (~1 us each), and groups by its leading masks in index order (no sort): one pass returns
# each distinct (causes, regions, practical values) combination with its count (docs/benchmarks.md).
# The other columns cover the filters of the common searches. Replaces ``doc_practical_2``.
FACET_INDEX = (
    "CREATE INDEX IF NOT EXISTS doc_facets ON doc(cause_mask, region_mask, prac_mask, expiry, remote,"
    " avail_end, avail_start, language, open_to_minors, accessible, recurrence, time_mask, skills_based,"
    " for_groups, family_friendly, commitment)"
)
# Causes and regions as bit masks on ``doc``: facet_bit gives each value of a kind its bit (in the order
# values are first written). Past MAX_BITS values a kind has values without a bit (``bit`` NULL): its
# filter and facet then read the side table (doc_cause, doc_region), as every search did before.
MAX_BITS = 62
FACET_KINDS = {"cause": ("cause_mask", "doc_cause", "cause"), "region": ("region_mask", "doc_region", "slug")}

SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    partner TEXT NOT NULL,
    organization TEXT,
    org_slug TEXT,
    language TEXT,
    remote INTEGER NOT NULL,
    avail_start TEXT NOT NULL,
    avail_end TEXT NOT NULL,
    expiry TEXT NOT NULL,
    sort_start TEXT NOT NULL,
    posted TEXT NOT NULL,
    content_hash TEXT,
    open_to_minors INTEGER,
    accessible INTEGER,
    recurrence TEXT,
    time_mask INTEGER NOT NULL DEFAULT 0,
    skills_based INTEGER,
    for_groups INTEGER,
    family_friendly INTEGER,
    quality INTEGER NOT NULL DEFAULT 0,
    commitment TEXT,
    cause_mask INTEGER NOT NULL DEFAULT 0,
    region_mask INTEGER NOT NULL DEFAULT 0,
    prac_mask INTEGER NOT NULL DEFAULT 0  -- the practical facet values it has: bit i = _PRACTICAL_ORDER[i]
);
-- The JSON record lives apart from the filter columns, so scans, sorts and facet joins over
-- ``doc`` touch ~150 bytes per row instead of the whole record.
CREATE TABLE IF NOT EXISTS doc_data (rowid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_partner ON doc(partner);
CREATE INDEX IF NOT EXISTS doc_expiry ON doc(expiry);
CREATE INDEX IF NOT EXISTS doc_posted ON doc(posted DESC, id);  -- browsing and "newest": no full sort
CREATE INDEX IF NOT EXISTS doc_sort_start ON doc(sort_start, id);  -- "soonest"
CREATE TABLE IF NOT EXISTS doc_cause (rowid INTEGER NOT NULL, cause TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_cause_idx ON doc_cause(cause, rowid);
-- (rowid, value): facet counts read it without touching the table (docs/benchmarks.md)
CREATE INDEX IF NOT EXISTS doc_cause_rc ON doc_cause(rowid, cause);
CREATE TABLE IF NOT EXISTS doc_region (rowid INTEGER NOT NULL, slug TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_region_idx ON doc_region(slug, rowid);
CREATE INDEX IF NOT EXISTS doc_region_rs ON doc_region(rowid, slug);
CREATE TABLE IF NOT EXISTS doc_point (rowid INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL);
CREATE INDEX IF NOT EXISTS doc_point_idx ON doc_point(lat, lon);
CREATE INDEX IF NOT EXISTS doc_point_row ON doc_point(rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_fts USING fts5(title, body, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS facet_bit (
    kind TEXT NOT NULL, value TEXT NOT NULL, bit INTEGER, PRIMARY KEY (kind, value)
) WITHOUT ROWID;
"""


def _unavailable_when_broken(method: Callable[P, R]) -> Callable[P, R]:
    """A damaged or unreadable index file is a search outage (``SearchBackendError``: 503 on the
    site, unhealthy, ``index rebuild`` recovers), never an unexplained crash."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise SearchBackendError(f"the embedded search index cannot be read: {exc}") from exc

    return wrapper


class SqliteBackend:
    name = "sqlite"
    # Keep the last text match and facet passes per connection (indexer/sqlite_memo.py); exact, so
    # only the benchmark turns it off (to measure a search that starts from nothing).
    memo = True

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.pointer = f"{self.path}.current"
        self._local = threading.local()

    # -- connection -------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection to the current generation (reopened when it changes)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if self.path == ":memory:":
            if conn is None:
                conn = local.conn = _connect(self.path, create=True)
            return conn
        signature = self._pointer_signature()
        if conn is not None and local.signature == signature:
            return conn
        for attempt in range(5):
            target = self.generation_path(self.current_generation())
            if conn is not None and local.target == target:
                local.signature = signature
                return conn
            try:
                new = _connect(target, create=target == self.path)
            except sqlite3.OperationalError:
                # The generation we read from the pointer was removed meanwhile: read it again.
                if attempt == 4:
                    raise
                time.sleep(0.05)
                signature = self._pointer_signature()
                continue
            if conn is not None:
                conn.close()
            local.conn, local.target, local.signature = new, target, signature
            return new
        raise AssertionError("unreachable")

    def _pointer_signature(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.pointer)
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @_unavailable_when_broken
    def ensure_ready(self) -> None:
        self.conn  # noqa: B018 - opening the connection creates the schema

    def health(self) -> tuple[bool, str]:
        try:
            # Reads the schema and the document table: a damaged file fails here, not only on searches.
            self.conn.execute("SELECT count(*) FROM doc").fetchone()
            return True, f"sqlite {sqlite3.sqlite_version} at {self.path} ({self.current_generation()})"
        except sqlite3.Error as exc:
            return False, f"sqlite error: {exc}"

    # -- generations ------------------------------------------------------------------------
    def current_generation(self) -> str:
        """File name of the generation searches use: the pointer's content, else ``path``'s name."""
        try:
            name = Path(self.pointer).read_text().strip()
        except FileNotFoundError:
            name = ""
        return name or Path(self.path).name

    def generation_path(self, generation: str) -> str:
        return str(Path(self.path).parent / generation)

    def generations(self) -> list[str]:
        """Existing generation files, oldest first (the original ``path`` counts as the oldest)."""
        base = Path(self.path)
        pattern = re.compile(re.escape(base.name) + r"\.gen-\d{20}")
        found = sorted(p.name for p in base.parent.glob(f"{base.name}.gen-*") if pattern.fullmatch(p.name))
        return ([base.name] if base.exists() else []) + found

    def begin_generation(self) -> str:
        """Create an empty generation file for a rebuild; returns its name."""
        name = f"{Path(self.path).name}.gen-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        conn = _connect(self.generation_path(name), create=True, bulk=True)
        _mark_analyzer(conn)
        conn.close()
        return name

    def load_generation(self, generation: str, opportunities: Iterable[Opportunity]) -> WriteReport:
        """Bulk-insert into a generation being built (one transaction per call).

        Documents are prepared first, then written with one ``executemany`` per table (the per-row
        statements cost half the load: docs/benchmarks.md); a batch SQLite refuses (an id written
        twice) is written again row by row, so the report names the refused documents. The analysis
        of a record unchanged since the live generation is read from it (indexer.analysis_cache).
        """
        report = WriteReport()
        conn = self._builder(generation)
        opps = list(opportunities)
        texts, hashes = texts_and_hashes(opps)  # a malformed record's text is None: reported below
        known = self._previous_terms(conn, generation, opps)
        terms, report.reused_analysis = analyses(opps, hashes, known, texts)
        prepared: list[_Prepared] = []
        for opp, content_hash, known_terms, text in zip(opps, hashes, terms, texts, strict=True):
            try:
                prepared.append(_prepare(opp, content_hash, known_terms, text))
            except (ValueError, TypeError) as exc:
                report.failed[opp.id] = f"{type(exc).__name__}: {exc}"
        try:
            with conn:
                _insert_many(conn, prepared)
        except sqlite3.Error:
            with conn:
                for item in prepared:
                    try:
                        _insert_prepared(conn, item)
                    except sqlite3.Error as exc:
                        report.failed[item[0].id] = f"{type(exc).__name__}: {exc}"
                    else:
                        report.written += 1
        else:
            report.written += len(prepared)
        return report

    def _previous_terms(self, conn: sqlite3.Connection, generation: str, opps: list[Opportunity]) -> Known:
        """id -> (content hash, title terms, body terms) in the live generation, for ``opps``; empty when
        it was analyzed by another analyzer (or there is none)."""
        attached: dict[str, bool] = self._local.__dict__.setdefault("previous_attached", {})
        if generation not in attached:
            attached[generation] = _attach_previous(conn, self.generation_path(self.current_generation()))
        if not attached[generation] or not opps:
            return {}
        marks = ",".join("?" * len(opps))
        rows = conn.execute(
            "SELECT d.id, d.content_hash, f.title, f.body FROM prev.doc d JOIN prev.doc_fts f"
            f" ON f.rowid = d.rowid WHERE d.id IN ({marks})",
            [opp.id for opp in opps],
        )
        return {opp_id: (content_hash, title, body) for opp_id, content_hash, title, body in rows}

    def seal_generation(self, generation: str) -> int:
        """Finish a generation: merge the FTS segments, switch to WAL, sync; returns its count."""
        conn = self._builder(generation)
        if self._local.__dict__.get("previous_attached", {}).pop(generation, False):
            conn.execute("DETACH DATABASE prev")  # read-only: ANALYZE would try to write it
        with conn:
            conn.execute("INSERT INTO doc_fts (doc_fts) VALUES ('optimize')")
            _touch(conn)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
        count = int(conn.execute("SELECT count(*) FROM doc").fetchone()[0])
        conn.close()
        self._local.builders.pop(generation, None)
        _fsync(self.generation_path(generation))
        return count

    def activate_generation(self, generation: str, keep_previous: int = 1) -> list[str]:
        """Point searches at ``generation`` atomically; delete all but ``keep_previous`` older ones."""
        previous = self.current_generation()
        self._write_pointer(generation)
        keep = {generation, previous}
        older = [g for g in self.generations() if g not in keep]
        stale = older[: max(0, len(older) - (keep_previous - 1))]
        for name in stale:
            self.drop_generation(name)
        return stale

    def previous_generation(self) -> str | None:
        current = self.current_generation()
        older = [g for g in self.generations() if g != current and _gen_key(g) < _gen_key(current)]
        return older[-1] if older else None

    def rollback(self) -> str:
        """Point searches back at the previous generation; returns its name."""
        previous = self.previous_generation()
        if previous is None:
            raise SearchBackendError("no previous generation to roll back to")
        self._write_pointer(previous)
        return previous

    def drop_generation(self, generation: str) -> None:
        """Delete a generation's files (never the current one). Open readers keep their inode."""
        if generation == self.current_generation():
            raise SearchBackendError(f"refusing to delete the current generation {generation}")
        getattr(self._local, "previous_attached", {}).pop(generation, None)
        builder = getattr(self._local, "builders", {}).pop(generation, None)
        if builder is not None:
            builder.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.generation_path(generation) + suffix)

    @contextlib.contextmanager
    def rebuild_lock(self) -> Iterator[None]:
        """An exclusive, non-blocking lock (flock on ``<path>.rebuild.lock``) for one rebuild at a time."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.rebuild.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise RebuildInProgress(f"another rebuild of {self.path} is running") from exc
            try:
                handle.seek(0)
                handle.truncate()
                handle.write(f"pid {os.getpid()} since {datetime.now(UTC).isoformat()}\n")
                handle.flush()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _builder(self, generation: str) -> sqlite3.Connection:
        builders: dict[str, sqlite3.Connection] = self._local.__dict__.setdefault("builders", {})
        if generation not in builders:
            builders[generation] = _connect(self.generation_path(generation), create=False, bulk=True)
        return builders[generation]

    def _write_pointer(self, generation: str) -> None:
        if not Path(self.generation_path(generation)).exists():
            raise SearchBackendError(f"generation {generation} does not exist")
        if generation == Path(self.path).name:
            # Back to the original file: no pointer at all means exactly that.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.pointer)
            return
        tmp = f"{self.pointer}.tmp-{os.getpid()}-{threading.get_ident()}"
        with open(tmp, "w") as handle:
            handle.write(generation + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(Path(self.pointer).parent)

    # -- writes -----------------------------------------------------------------------------
    @_unavailable_when_broken
    def upsert(self, opportunities: Iterable[Opportunity]) -> WriteReport:
        """Write new and changed records (one lookup and one ``executemany`` per table for the batch);
        a record whose content hash is the indexed one is skipped."""
        report = WriteReport()
        conn = self.conn
        opps = list(opportunities)
        hashes = [opp.content_hash or opp.compute_hash() for opp in opps]
        if len({opp.id for opp in opps}) < len(opps):
            return self._upsert_one_by_one(opps, hashes)  # an id twice in a batch: the last one wins
        with conn:
            existing: dict[str, tuple[int, str]] = {}
            for start in range(0, len(opps), 500):
                ids = [opp.id for opp in opps[start : start + 500]]
                existing.update(
                    (opp_id, (rowid, content_hash))
                    for opp_id, rowid, content_hash in conn.execute(
                        f"SELECT id, rowid, content_hash FROM doc WHERE id IN ({','.join('?' * len(ids))})",
                        ids,
                    )
                )
            todo = []
            for opp, content_hash in zip(opps, hashes, strict=True):
                row = existing.get(opp.id)
                if row and row[1] == content_hash:
                    report.skipped_unchanged += 1
                else:
                    todo.append((opp, content_hash))
            stale = [(existing[opp.id][0],) for opp, _ in todo if opp.id in existing]
            for table in ("doc_cause", "doc_region", "doc_point", "doc_fts", "doc_data", "doc"):
                conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", stale)
            texts = [to_text(opp.description) for opp, _ in todo]
            terms, _ = analyses([o for o, _ in todo], [h for _, h in todo], {}, texts)
            _insert_many(
                conn,
                [_prepare(opp, h, t, text) for (opp, h), t, text in zip(todo, terms, texts, strict=True)],
            )
            report.written = len(todo)
            _touch(conn)
        return report

    def _upsert_one_by_one(self, opps: list[Opportunity], hashes: list[str]) -> WriteReport:
        report = WriteReport()
        conn = self.conn
        with conn:
            for opp, content_hash in zip(opps, hashes, strict=True):
                row = conn.execute("SELECT rowid, content_hash FROM doc WHERE id = ?", (opp.id,)).fetchone()
                if row and row[1] == content_hash:
                    report.skipped_unchanged += 1
                    continue
                if row:
                    _delete_rowid(conn, row[0])
                _insert_prepared(conn, _prepare(opp, content_hash))
                report.written += 1
            _touch(conn)
        return report

    @_unavailable_when_broken
    def delete(self, ids: Iterable[str]) -> int:
        removed = 0
        conn = self.conn
        with conn:
            for opp_id in ids:
                row = conn.execute("SELECT rowid FROM doc WHERE id = ?", (opp_id,)).fetchone()
                if row:
                    _delete_rowid(conn, row[0])
                    removed += 1
            _touch(conn)
        return removed

    @_unavailable_when_broken
    def delete_expired(self, now: datetime) -> int:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM doc WHERE expiry <= ?", (iso(now),))]
        return self.delete(ids)

    @_unavailable_when_broken
    def clear(self) -> None:
        conn = self.conn
        with conn:
            for table in ("doc_cause", "doc_region", "doc_point", "doc_fts", "doc_data", "doc"):
                conn.execute(f"DELETE FROM {table}")
            _touch(conn)

    # -- reads ------------------------------------------------------------------------------
    @_unavailable_when_broken
    def get(self, opportunity_id: str) -> Opportunity | None:
        row = self.conn.execute(
            "SELECT dd.data FROM doc d JOIN doc_data dd ON dd.rowid = d.rowid WHERE d.id = ?",
            (opportunity_id,),
        ).fetchone()
        return Opportunity.from_dict(json.loads(row[0])) if row else None

    @_unavailable_when_broken
    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM doc").fetchone()[0]

    @_unavailable_when_broken
    def ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM doc")}

    def export(self) -> Iterator[Opportunity]:
        """Every indexed record (with its indexed content hash), in id order."""
        try:
            rows = self.conn.execute(
                "SELECT d.content_hash, dd.data FROM doc d JOIN doc_data dd ON dd.rowid = d.rowid"
                " ORDER BY d.id"
            )
            for content_hash, data in rows:
                opp = Opportunity.from_dict(json.loads(data))
                opp.content_hash = content_hash or opp.content_hash
                yield opp
        except sqlite3.DatabaseError as exc:
            raise SearchBackendError(f"the embedded search index cannot be read: {exc}") from exc

    @_unavailable_when_broken
    def stats(self) -> dict[str, Any]:
        conn = self.conn
        last = conn.execute("SELECT value FROM meta WHERE key = 'last_write'").fetchone()
        return {
            "backend": self.name,
            "location": self.path,
            "generation": self.current_generation(),
            "generations": self.generations(),
            "documents": conn.execute("SELECT count(*) FROM doc").fetchone()[0],
            "last_write": last[0] if last else None,
            "by_partner": dict(conn.execute("SELECT partner, count(*) FROM doc GROUP BY partner ORDER BY 1")),
            "by_cause": dict(conn.execute("SELECT cause, count(*) FROM doc_cause GROUP BY cause ORDER BY 1")),
            "by_region": dict(conn.execute("SELECT slug, count(*) FROM doc_region GROUP BY slug ORDER BY 1")),
        }

    @_unavailable_when_broken
    def search(self, query: SearchQuery) -> SearchResult:
        return understood_search(query, lambda plan: self._search_plan(query, plan), _Spelling(self.conn))

    def _search_plan(self, query: SearchQuery, plan: QueryPlan) -> SearchResult:
        conn = self.conn
        # One read transaction: total, page and facets come from the same snapshot.
        conn.execute("BEGIN")
        try:
            memo = search_memo(conn) if self.memo else None
            result = self._search(conn, query, plan, memo)
            searched(conn)
            return result
        finally:
            conn.commit()

    def _search(
        self, conn: sqlite3.Connection, query: SearchQuery, plan: QueryPlan, memo: SearchMemo | None
    ) -> SearchResult:
        terms = bool(plan.groups)
        tiers: list[tuple[float, int]] = []
        if terms:
            # The match and its score are computed once, not once per statement below, and kept for
            # the next search with the same words (the memo).
            if memo is not None and memo.plan == plan.groups:
                tiers = memo.tiers
            else:
                if memo is not None:
                    memo.plan = None  # temp.vh_match is about to change
                tiers = _match(conn, plan)
                if memo is not None:
                    memo.plan, memo.tiers = plan.groups, tiers
        if query.near and query.radius_km is not None:
            around = (query.near, query.radius_km)
            if memo is None or memo.near != around:  # the memo keeps temp.vh_near too
                if memo is not None:
                    memo.near = None
                _near(conn, query.near[0], query.near[1], query.radius_km)
                if memo is not None:
                    memo.near = around
        bits = _facet_bits(conn)
        base_sql, base_args = self._filters(query, terms)
        cause_sql, cause_args = _kind_filter(bits, "cause", query.causes)
        region_sql, region_args = _kind_filter(bits, "region", query.regions)

        practical = self._practical_filters(query)
        practical_sql = [sql for sql, _ in practical.values()]
        practical_args = [a for _, args in practical.values() for a in args]
        where = " AND ".join(base_sql + cause_sql + region_sql + practical_sql) or "1"
        args = base_args + cause_args + region_args + practical_args

        # Total and facets: one pass of (cause mask, region mask, practical mask, count). The cause and
        # region filters are applied to those combinations here (each facet ignores its own filter);
        # a kind past its mask (bits None) is filtered in SQL and counted from its side table.
        wanted: dict[str, int] = {}
        in_sql, in_sql_args = [], []
        for kind, values, sql, sql_args in (
            ("cause", query.causes, cause_sql, cause_args), ("region", query.regions, region_sql, region_args)
        ):  # fmt: skip
            known = bits[kind]
            if values and known is not None:
                wanted[kind] = _wanted(known, values)
            else:
                in_sql += sql
                in_sql_args += sql_args
        matched = sum(n for _, n in tiers) if terms else None
        source = _facet_source(conn, matched, query.near is not None and query.radius_km is not None)

        def facet_pass(where: list[str], args: list[Any]) -> Tally:
            def count() -> Tally:
                return _tally(_combos(conn, source, where, args), wanted)

            if memo is None:
                return count()
            # args[0] is the expiry cut-off (_filters puts it first): the memo checks it apart.
            key = (plan.groups, query.near, query.radius_km, source, tuple(where), tuple(args[1:]))
            key += tuple(sorted(wanted.items()))
            return memo.facet_pass(conn, key, args[0], count)

        total, by_bit, practical_counts = facet_pass(
            base_sql + in_sql + practical_sql, base_args + in_sql_args + practical_args
        )
        practical_counts = dict(practical_counts)  # a copy: the memo may hold the pass
        for name in practical:  # a filtered facet counts every filter but its own
            others = [clause for other, clause in practical.items() if other != name]
            sub = facet_pass(
                base_sql + in_sql + [sql for sql, _ in others],
                base_args + in_sql_args + [a for _, a2 in others for a in a2],
            )
            practical_counts[name] = sub[2][name]
        facet_values: dict[str, list[tuple[str, int]]] = {}
        for kind, other_sql, other_args in (
            ("cause", region_sql, region_args),
            ("region", cause_sql, cause_args),
        ):
            known = bits[kind]
            if known is None:  # its side table, with every filter but its own
                facet_values[kind] = _side_facet(
                    conn, kind, base_sql + other_sql + practical_sql, base_args + other_args + practical_args
                )
                continue
            counts = [(value, by_bit[kind].get(bit, 0)) for value, bit in known.items()]
            facet_values[kind] = sorted(((v, n) for v, n in counts if n), key=lambda vn: (-vn[1], vn[0]))

        # The page: sort narrow rows, then fetch only this page's records.
        select_cols, joins, join_args, order = self._ranking(query, terms, plan.lang)
        ranking = (select_cols, joins, join_args, order)
        rows = _best_tiers_page(conn, query, tiers, total, ranking, where, args) if terms and total else None
        if rows is None:
            rows = conn.execute(
                f"SELECT d.rowid{select_cols} FROM doc d {joins} WHERE {where}"
                f" ORDER BY {order} LIMIT ? OFFSET ?",
                join_args + args + [query.per_page, query.offset],
            ).fetchall()
        marks = ",".join("?" * len(rows))
        records = dict(
            conn.execute(f"SELECT rowid, data FROM doc_data WHERE rowid IN ({marks})", [r[0] for r in rows])
        )
        hits = []
        for row in rows:
            opp = Opportunity.from_dict(json.loads(records[row[0]]))
            score = -row[1] if terms else None
            distance = row[2] if query.near else None
            hits.append(Hit(opp, score=score, distance_km=distance))

        facets: dict[str, list[FacetValue]] = {}
        facets["cause"] = [FacetValue(v, cause_label(v, query.lang), n) for v, n in facet_values["cause"]]
        facets["region"] = [FacetValue(v, region_label(v, query.lang), n) for v, n in facet_values["region"]]
        for name, counts in practical_counts.items():
            facets[name] = [
                FacetValue(value, practical_label(name, value, query.lang), n) for value, n in counts if n
            ]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _practical_filters(self, q: SearchQuery) -> dict[str, tuple[str, list[Any]]]:
        """The practical filters of ``q``, each as (SQL, args), kept apart for multi-select facets."""
        clauses: dict[str, tuple[str, list[Any]]] = {}
        for name, value in q.filters.items():
            if name in FILTER_MASKS:
                column, bits = FILTER_MASKS[name]
                values = value if isinstance(value, tuple) else (str(value),)
                clauses[name] = (f"(d.{column} & ?) != 0", [sum(bits.get(v, 0) for v in set(values))])
            elif name in FACET_VALUES:
                clauses[name] = (
                    f"d.{FILTER_COLUMNS[name]} = ?",
                    [int(value) if isinstance(value, bool) else value],
                )
        return clauses

    def _filters(self, q: SearchQuery, terms: bool) -> tuple[list[str], list[Any]]:
        sql = ["d.expiry > ?"]  # first, with its argument: the search memo reads it there
        args: list[Any] = [iso(q.effective_now())]
        if terms:
            sql.append("d.rowid IN (SELECT rowid FROM temp.vh_match)")
        for name, value in q.filters.items():
            column = FILTER_COLUMNS.get(name)
            if column is None and name not in FILTER_MASKS:
                raise UnknownFilter(f"the embedded backend has no translation for the filter {name!r}")
            if name in FACET_VALUES:
                continue  # a practical filter: _practical_filters (its facet ignores it)
            sql.append(f"d.{column} = ?")
            args.append(int(value) if isinstance(value, bool) else value)
        if q.date_from:
            sql.append("d.avail_end >= ?")
            args.append(iso(q.date_from))
        if q.date_to:
            sql.append("d.avail_start <= ?")
            args.append(iso(q.date_to))
        if q.near and q.radius_km is not None:
            sql.append("d.rowid IN (SELECT rowid FROM temp.vh_near)")  # filled by _near, once per search
        return sql, args

    def _ranking(self, q: SearchQuery, terms: bool, lang: str) -> tuple[str, str, list[Any], str]:
        """Extra select columns (score, distance), joins and ORDER BY for the query's sort."""
        cols, joins, args = "", "", []
        if terms:
            # vh_match holds the words' score; the visitor's language adds its bonus here (same sum).
            cols += ", m.rank - CASE WHEN d.language = ? THEN ? ELSE 0 END AS vh_rank"
            args += [lang, SAME_LANGUAGE]
            joins += _MATCH_JOIN
        else:
            cols += ", NULL"
        if q.near and q.radius_km is not None:
            cols += ", g.dist"
            joins += "LEFT JOIN temp.vh_near g ON g.rowid = d.rowid "
        elif q.near:
            cols += ", g.dist"
            joins += (
                "LEFT JOIN (SELECT rowid, min(vh_dist(lat, lon, ?, ?)) AS dist FROM doc_point"
                " GROUP BY rowid) g ON g.rowid = d.rowid "
            )
            args += [q.near[0], q.near[1]]
        sort = q.sort
        if sort == "nearest" and q.near:
            order = "g.dist IS NULL, g.dist ASC"
        elif sort == "soonest":
            order = "d.sort_start ASC"
        elif sort == "newest":
            order = "d.posted DESC"
        elif not terms:  # browsing: the quality signal first, then the newest (docs/search.md)
            order = "d.quality DESC, d.posted DESC"
        else:
            order = "vh_rank ASC, d.quality DESC"  # quality breaks ties
        return cols, joins, args, order + ", d.id ASC"


_MATCH_JOIN = "JOIN temp.vh_match m ON m.rowid = d.rowid "


def _best_tiers_page(
    conn: sqlite3.Connection,
    query: SearchQuery,
    tiers: list[tuple[float, int]],
    total: int,
    ranking: tuple[str, str, list[Any], str],
    where: str,
    args: list[Any],
) -> list[tuple[Any, ...]] | None:
    """A text search's page from its best-scored matches only, or None when that cannot be proven to
    be the page (the caller then sorts every match, as before).

    Scores take few values (sums of the vocabulary's weights), so the matches fall in a few tiers.
    The page is read from the listings scoring at least ``floor - SAME_LANGUAGE`` (the language bonus
    can lift a listing by that much), for the best tier ``floor`` expected to hold the page. It is
    the true page when its last row ranks at ``floor`` or better: every listing left out ranks
    strictly below ``floor`` (docs/benchmarks.md). 78,000 matches sorted -> a few hundred.
    """
    select_cols, joins, join_args, order = ranking
    need = query.offset + query.per_page
    if not order.startswith("vh_rank ASC,") or query.per_page <= 0 or len(tiers) < 2:
        return None  # another sort than the score's, or nothing to leave out
    matched = sum(n for _, n in tiers)
    wanted = 2 * need * matched / total  # the filters keep total of matched: twice the expected share
    cumulative, last = 0, 0
    while last < len(tiers) - 1 and cumulative + tiers[last][1] < wanted:
        cumulative += tiers[last][1]
        last += 1
    if last == len(tiers) - 1:
        return None  # the page needs (nearly) every tier
    floor = tiers[last][0]
    ceiling = -floor + SAME_LANGUAGE + 1e-6  # m.rank (the negated score) of the listings read
    other_joins = joins.replace(_MATCH_JOIN, "")
    rows = conn.execute(
        f"SELECT d.rowid{select_cols} FROM temp.vh_match m CROSS JOIN doc d ON d.rowid = m.rowid"
        f" {other_joins} WHERE m.rank <= ? AND {where} ORDER BY {order} LIMIT ? OFFSET ?",
        join_args + [ceiling] + args + [query.per_page, query.offset],
    ).fetchall()
    if len(rows) == query.per_page and rows[-1][1] <= -floor:
        return rows
    return None


# One pass counts every practical facet value: the sums follow indexer.practical.FACET_VALUES.
# The practical columns, grouped in one pass; each distinct combination's count then goes to the facet
# values it has (a GROUP BY over a covering index: 3x cheaper than 20 sum() expressions per row).
_PRACTICAL_COLUMNS = (
    "open_to_minors", "accessible", "recurrence", "time_mask", "skills_based", "for_groups",
    "family_friendly", "commitment",
)  # fmt: skip
_PRACTICAL_GROUP = ", ".join(f"d.{c}" for c in _PRACTICAL_COLUMNS)
_PRACTICAL_TESTS: dict[tuple[str, str], Callable[[tuple[Any, ...]], bool]] = {
    ("minors", "true"): lambda r: r[0] == 1,
    ("accessible", "true"): lambda r: r[1] == 1,
    ("recurrence", "one-off"): lambda r: r[2] == "one-off",
    ("recurrence", "recurring"): lambda r: r[2] == "recurring",
    **{("time_of_week", v): (lambda r, bit=bit: bool(r[3] & bit)) for v, bit in TIME_BITS.items()},
    ("skills_based", "true"): lambda r: r[4] == 1,
    ("groups", "true"): lambda r: r[5] == 1,
    ("family", "true"): lambda r: r[6] == 1,
    **{("commitment", level): (lambda r, level=level: r[7] == level) for level, _most in COMMITMENT_LEVELS},
}
_PRACTICAL_ORDER = [(name, value) for name, values in FACET_VALUES.items() for value in values]


@functools.lru_cache(maxsize=4096)
def _prac_mask(combination: tuple[Any, ...]) -> int:
    """The ``prac_mask`` of a listing whose practical columns are ``combination``."""
    return sum(1 << i for i, key in enumerate(_PRACTICAL_ORDER) if _PRACTICAL_TESTS[key](combination))


# Every count pass reads the covering index only (FACET_INDEX), never the rows.
_FACETS = "doc d INDEXED BY doc_facets"
_COVERING = {"doc_cause": "doc_cause_rc", "doc_region": "doc_region_rs"}
# A listing's region slugs are a set (indexer/documents.py, since it was written): no DISTINCT needed.
# Causes are deduplicated on insert now, but older files may repeat one.
_COUNT = {"doc_cause": "count(DISTINCT f.rowid)", "doc_region": "count(*)"}


def _facet_bits(conn: sqlite3.Connection) -> dict[str, dict[str, int] | None]:
    """Each kind's value -> bit, or None for a kind past MAX_BITS values (its side table is read)."""
    bits: dict[str, dict[str, int] | None] = {kind: {} for kind in FACET_KINDS}
    for kind, value, bit in conn.execute("SELECT kind, value, bit FROM facet_bit"):
        known = bits.get(kind)
        if known is None:
            continue
        if bit is None:
            bits[kind] = None
        else:
            known[value] = bit
    return bits


def _kind_filter(
    bits: dict[str, dict[str, int] | None], kind: str, values: list[str]
) -> tuple[list[str], list[Any]]:
    """Listings with any of ``values`` (a value nobody has has no bit: it adds nothing)."""
    if not values:
        return [], []
    known = bits[kind]
    mask, table, column = FACET_KINDS[kind]
    if known is None:
        marks = ",".join("?" * len(values))
        return [f"d.rowid IN (SELECT rowid FROM {table} WHERE {column} IN ({marks}))"], list(values)
    wanted = 0
    for value in values:
        if value in known:
            wanted |= 1 << known[value]
    return [f"(d.{mask} & ?) != 0"], [wanted]


def _wanted(known: dict[str, int], values: list[str]) -> int:
    """The mask of ``values`` (a value no listing has has no bit: it adds nothing)."""
    wanted = 0
    for value in values:
        if value in known:
            wanted |= 1 << known[value]
    return wanted


# The facet pass reads the index (a scan) unless a search already holds a small set of candidates
# (a radius, a rare word): then it seeks each of them (~3x the cost of a scanned entry, per entry).
_FROM = {
    "matches": "temp.vh_match m CROSS JOIN doc d ON d.rowid = m.rowid",
    "near": "temp.vh_near g CROSS JOIN doc d ON d.rowid = g.rowid",
}


def _facet_source(conn: sqlite3.Connection, matched: int | None, near: bool) -> str:
    """The facet pass's source; ``matched``: the listings in temp.vh_match (None: no words)."""
    listings = conn.execute("SELECT max(rowid) FROM doc").fetchone()[0] or 0
    sizes = {}
    if matched is not None:
        sizes["matches"] = matched
    if near:
        sizes["near"] = conn.execute("SELECT count(*) FROM temp.vh_near").fetchone()[0]
    if sizes:
        smallest = min(sizes, key=lambda name: sizes[name])
        if sizes[smallest] * 3 < listings:
            return _FROM[smallest]
    return _FACETS


def _combos(
    conn: sqlite3.Connection, source: str, where: list[str], args: list[Any]
) -> list[tuple[int, ...]]:
    """(cause mask, region mask, practical mask, listings) of the listings ``where`` selects."""
    clause = " AND ".join(where) or "1"
    masks = "d.cause_mask, d.region_mask, d.prac_mask"
    sql = f"SELECT {masks}, count(*) FROM {source} WHERE {clause} GROUP BY 1, 2, 3"
    return conn.execute(sql, args).fetchall()


# A facet pass counted: the total, each kind's count per bit, the practical facets' (value, count).
Tally = tuple[int, dict[str, dict[int, int]], dict[str, list[tuple[str, int]]]]


def _tally(combos: list[tuple[int, ...]], wanted: dict[str, int]) -> Tally:
    """The total, each kind's count per bit (ignoring that kind's own filter) and the practical facet
    counts, of ``combos`` filtered by the ``wanted`` cause and region masks."""
    want_cause, want_region = wanted.get("cause"), wanted.get("region")
    total = 0
    by_mask: dict[str, dict[int, int]] = {"cause": {}, "region": {}, "practical": {}}
    causes, regions, practicals = by_mask["cause"], by_mask["region"], by_mask["practical"]
    for cause_mask, region_mask, prac_mask, n in combos:
        cause_ok = want_cause is None or cause_mask & want_cause
        region_ok = want_region is None or region_mask & want_region
        if region_ok:
            causes[cause_mask] = causes.get(cause_mask, 0) + n
        if cause_ok:
            regions[region_mask] = regions.get(region_mask, 0) + n
            if region_ok:
                total += n
                practicals[prac_mask] = practicals.get(prac_mask, 0) + n
    by_bit = {kind: _per_bit(masks) for kind, masks in by_mask.items()}
    practical_counts: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_VALUES}
    for i, (name, value) in enumerate(_PRACTICAL_ORDER):
        practical_counts[name].append((value, by_bit["practical"].get(i, 0)))
    return total, by_bit, practical_counts


def _per_bit(counts: dict[int, int]) -> dict[int, int]:
    """Counts per mask -> counts per bit (a listing counts once for each value it has)."""
    by_bit: dict[int, int] = {}
    for mask, n in counts.items():
        while mask:
            low = mask & -mask
            bit = low.bit_length() - 1
            by_bit[bit] = by_bit.get(bit, 0) + n
            mask ^= low
    return by_bit


def _side_facet(
    conn: sqlite3.Connection, kind: str, where: list[str], args: list[Any]
) -> list[tuple[str, int]]:
    """(value, listings) of ``kind`` from its side table (a kind past its mask), most first, then by value."""
    clause = " AND ".join(where) or "1"
    _mask_column, table, column = FACET_KINDS[kind]
    # The filtered listings first, then their values from the covering (rowid, value) index: left to
    # itself the planner scanned the whole side table and looked every row's listing up (2x slower).
    sql = (
        f"SELECT f.{column}, {_COUNT[table]} AS n FROM doc d CROSS JOIN {table} f"
        f" INDEXED BY {_COVERING[table]} ON f.rowid = d.rowid"
        f" WHERE {clause} GROUP BY f.{column} ORDER BY n DESC, f.{column} ASC"
    )
    return list(conn.execute(sql, args))


def _connect(path: str, *, create: bool, bulk: bool = False) -> sqlite3.Connection:
    """Open an index file. ``create=False`` never creates one (a vanished generation raises)."""
    if path == ":memory:":
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False, factory=IndexConnection)
    else:
        if create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=30, factory=IndexConnection)
        else:
            uri = f"{Path(path).resolve().as_uri()}?mode=rw"
            conn = sqlite3.connect(uri, uri=True, timeout=30, factory=IndexConnection)
    if bulk:
        # A generation being built is private until it is activated: no journal, no fsync per commit.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-200000")
    else:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Searches: pages read through the OS page cache without copies, a larger private cache (32 MB),
        # and the per-search scratch tables (temp.vh_match) in memory, not in a temp file.
        conn.execute("PRAGMA mmap_size=268435456")
        conn.execute("PRAGMA cache_size=-32768")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.create_function("vh_dist", 4, distance_km, deterministic=True)
    conn.executescript(SCHEMA)
    _migrate(conn)
    _add_quality(conn)
    _add_commitment(conn)
    _add_facet_masks(conn)
    conn.execute(FACET_INDEX)  # after the upgrades: an older file gets the columns first
    # Per-connection scratch table: a text query's matches and scores, computed once per search.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS vh_match (rowid INTEGER PRIMARY KEY, rank REAL NOT NULL)")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS vh_near (rowid INTEGER PRIMARY KEY, dist REAL NOT NULL)")
    # The index's terms with their document counts: spelling corrections come from it.
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vh_vocab USING fts5vocab(main, doc_fts, row)")
    return conn


def _add_quality(conn: sqlite3.Connection) -> None:
    """The quality column (and its browsing index) on files written before it: 0 until rewritten."""
    if "quality" not in {row[1] for row in conn.execute("PRAGMA table_info(doc)")}:
        try:
            conn.execute("ALTER TABLE doc ADD COLUMN quality INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError as exc:  # another connection added it first
            if "duplicate column" not in str(exc):
                raise
    conn.execute("CREATE INDEX IF NOT EXISTS doc_quality ON doc(quality DESC, posted DESC, id)")


def _add_commitment(conn: sqlite3.Connection) -> None:
    """The commitment column on files written before it, filled from the stored records (no rebuild)."""
    if "commitment" in {row[1] for row in conn.execute("PRAGMA table_info(doc)")}:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "commitment" not in {row[1] for row in conn.execute("PRAGMA table_info(doc)")}:
            conn.execute("ALTER TABLE doc ADD COLUMN commitment TEXT")
            hours = "json_extract(dd.data, '$.commitment_hours_per_week')"
            level = _commitment_sql(hours)
            conn.execute(
                f"UPDATE doc SET commitment = (SELECT {level} FROM doc_data dd WHERE dd.rowid = doc.rowid)"
            )
        conn.execute("DROP INDEX IF EXISTS doc_practical")  # replaced by FACET_INDEX (with commitment)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _add_facet_masks(conn: sqlite3.Connection) -> None:
    """The cause, region and practical masks on files written before them, filled from the side tables
    and the practical columns (no rebuild: seconds at 100,000 listings, once, on the first open)."""
    if "prac_mask" in {row[1] for row in conn.execute("PRAGMA table_info(doc)")}:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        present = {row[1] for row in conn.execute("PRAGMA table_info(doc)")}
        if "prac_mask" not in present:
            for kind, (mask, table, column) in FACET_KINDS.items():
                if mask not in present:
                    conn.execute(f"ALTER TABLE doc ADD COLUMN {mask} INTEGER NOT NULL DEFAULT 0")
                    values = conn.execute(f"SELECT DISTINCT {column} FROM {table} ORDER BY 1").fetchall()
                    for (value,) in values:
                        bit = _bit(conn, kind, value)
                        if bit is not None:
                            conn.execute(
                                f"UPDATE doc SET {mask} = {mask} | ? WHERE rowid IN"
                                f" (SELECT rowid FROM {table} WHERE {column} = ?)",
                                (1 << bit, value),
                            )
            conn.execute("ALTER TABLE doc ADD COLUMN prac_mask INTEGER NOT NULL DEFAULT 0")
            rows = conn.execute(f"SELECT rowid, {_PRACTICAL_GROUP} FROM doc d").fetchall()
            conn.executemany(
                "UPDATE doc SET prac_mask = ? WHERE rowid = ?",
                [(_prac_mask(tuple(r[1:])), r[0]) for r in rows],
            )
        conn.execute("DROP INDEX IF EXISTS doc_practical_2")  # FACET_INDEX covers what it covered
        conn.execute("DROP INDEX IF EXISTS doc_facets")  # the first layout of it (masks later in the key)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


Bits = dict[tuple[str, str], int | None]  # (kind, value) -> bit, as read from or written to facet_bit


def _bit(conn: sqlite3.Connection, kind: str, value: str, known: Bits | None = None) -> int | None:
    """The bit of ``value`` in ``kind``'s mask, given on first sight; None past MAX_BITS values.

    ``known``: the bits already read in this batch (a bit never changes once given, so a batch reads
    ``facet_bit`` once instead of once per value of every document).
    """
    if known is not None and (kind, value) in known:
        return known[kind, value]
    row = conn.execute("SELECT bit FROM facet_bit WHERE kind = ? AND value = ?", (kind, value)).fetchone()
    if row:
        bit = row[0]
    else:
        used = conn.execute("SELECT count(*) FROM facet_bit WHERE kind = ?", (kind,)).fetchone()[0]
        bit = used if used < MAX_BITS else None
        conn.execute("INSERT INTO facet_bit (kind, value, bit) VALUES (?, ?, ?)", (kind, value, bit))
    if known is not None:
        known[kind, value] = bit
    return bit


def _known_bits(conn: sqlite3.Connection) -> Bits:
    return {(kind, value): bit for kind, value, bit in conn.execute("SELECT kind, value, bit FROM facet_bit")}


def _mask(conn: sqlite3.Connection, kind: str, values: Iterable[str], known: Bits | None = None) -> int:
    mask = 0
    for value in values:
        bit = _bit(conn, kind, value, known)
        if bit is not None:
            mask |= 1 << bit
    return mask


def _migrate(conn: sqlite3.Connection) -> None:
    """Upgrade an older layout in place, each step once, under a write lock."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(doc)")}
    if "data" in columns:
        _move_records(conn)
    if "time_mask" not in columns:
        _add_practical_columns(conn)


def _move_records(conn: sqlite3.Connection) -> None:
    """Move ``doc.data`` (first layout) into ``doc_data``."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if "data" in {row[1] for row in conn.execute("PRAGMA table_info(doc)")}:
            conn.execute("INSERT OR REPLACE INTO doc_data (rowid, data) SELECT rowid, data FROM doc")
            conn.execute("ALTER TABLE doc DROP COLUMN data")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _add_practical_columns(conn: sqlite3.Connection) -> None:
    """An index built before the practical filters: add their columns, filled from the stored records.

    The records already hold the facts (``doc_data``), so no rebuild is needed.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        present = {row[1] for row in conn.execute("PRAGMA table_info(doc)")}
        if "time_mask" not in present:
            for column, kind in PRACTICAL_COLUMNS:
                if column not in present:
                    conn.execute(f"ALTER TABLE doc ADD COLUMN {column} {kind}")
            data = "(SELECT data FROM doc_data dd WHERE dd.rowid = doc.rowid)"
            bits = " ".join(f"WHEN '{value}' THEN {bit}" for value, bit in TIME_BITS.items())
            conn.execute(
                f"UPDATE doc SET open_to_minors = json_extract({data}, '$.open_to_minors'),"
                f" accessible = json_extract({data}, '$.accessible'),"
                f" recurrence = json_extract({data}, '$.recurrence'),"
                f" skills_based = json_extract({data}, '$.skills_based'),"
                f" for_groups = json_extract({data}, '$.groups'),"
                f" family_friendly = json_extract({data}, '$.family_friendly'),"
                f" time_mask = (SELECT coalesce(sum(CASE j.value {bits} ELSE 0 END), 0)"
                f" FROM doc_data dd, json_each(dd.data, '$.time_of_week') j WHERE dd.rowid = doc.rowid)"
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


# A document ready to write: (search document, its ``doc`` row without rowid, record JSON).
_Prepared = tuple[SearchDocument, tuple[Any, ...], str]
_DOC_COLUMNS = (
    "id, partner, organization, org_slug, language, remote, avail_start, avail_end, expiry, sort_start,"
    " posted, content_hash, open_to_minors, accessible, recurrence, time_mask, skills_based, for_groups,"
    " family_friendly, quality, commitment, prac_mask, cause_mask, region_mask"
)


def _prepare(
    opp: Opportunity, content_hash: str, terms: Terms | None = None, text: str | None = None
) -> _Prepared:
    doc = build_document(opp, terms, text)
    # in the order of _PRACTICAL_COLUMNS
    practical = (
        _flag(doc.open_to_minors), _flag(doc.accessible), doc.recurrence, time_mask(doc.time_of_week),
        _flag(doc.skills_based), _flag(doc.groups), _flag(doc.family_friendly), doc.commitment,
    )  # fmt: skip
    row = (
        doc.id, doc.partner, doc.organization, doc.org_slug, doc.language, int(doc.remote),
        iso(doc.avail_start), iso(doc.avail_end), iso(doc.expiry), iso(doc.sort_start),
        iso(doc.posted), content_hash, *practical[:7], doc.quality, practical[7], _prac_mask(practical),
    )  # fmt: skip
    return doc, row, opp.to_json()


def _masks(conn: sqlite3.Connection, doc: SearchDocument, known: Bits | None = None) -> tuple[int, int]:
    """``cause_mask`` and ``region_mask``: bits given by ``facet_bit`` (so they need the file)."""
    return _mask(conn, "cause", doc.causes, known), _mask(conn, "region", doc.region_slugs, known)


def _insert_prepared(conn: sqlite3.Connection, item: _Prepared) -> None:
    doc, row, record = item
    row = (*row, *_masks(conn, doc))
    rowid = conn.execute(
        f"INSERT INTO doc ({_DOC_COLUMNS}) VALUES ({','.join('?' * len(row))})", row
    ).lastrowid
    conn.execute("INSERT INTO doc_data (rowid, data) VALUES (?, ?)", (rowid, record))
    conn.executemany("INSERT INTO doc_cause VALUES (?, ?)", [(rowid, c) for c in dict.fromkeys(doc.causes)])
    conn.executemany("INSERT INTO doc_region VALUES (?, ?)", [(rowid, r) for r in doc.region_slugs])
    conn.executemany("INSERT INTO doc_point VALUES (?, ?, ?)", [(rowid, la, lo) for la, lo in doc.points])
    conn.execute(
        "INSERT INTO doc_fts (rowid, title, body) VALUES (?, ?, ?)", (rowid, doc.title_terms, doc.body_terms)
    )


def _insert_many(conn: sqlite3.Connection, items: list[_Prepared]) -> None:
    """Write prepared documents with one ``executemany`` per table, rowids given explicitly."""
    if not items:
        return
    base = conn.execute("SELECT coalesce(max(rowid), 0) FROM doc").fetchone()[0] + 1
    rowids = range(base, base + len(items))
    width = len(items[0][1]) + 3  # the rowid, then the row, then the two facet masks
    known = _known_bits(conn)
    conn.executemany(
        f"INSERT INTO doc (rowid, {_DOC_COLUMNS}) VALUES ({','.join('?' * width)})",
        [
            (rowid, *row, *_masks(conn, doc, known))
            for rowid, (doc, row, _) in zip(rowids, items, strict=True)
        ],
    )
    conn.executemany(
        "INSERT INTO doc_data (rowid, data) VALUES (?, ?)",
        [(rowid, record) for rowid, (_, _, record) in zip(rowids, items, strict=True)],
    )
    docs = [(rowid, doc) for rowid, (doc, _, _) in zip(rowids, items, strict=True)]
    conn.executemany(
        "INSERT INTO doc_cause VALUES (?, ?)", [(r, c) for r, d in docs for c in dict.fromkeys(d.causes)]
    )
    conn.executemany(
        "INSERT INTO doc_region VALUES (?, ?)", [(r, s) for r, d in docs for s in d.region_slugs]
    )
    conn.executemany(
        "INSERT INTO doc_point VALUES (?, ?, ?)", [(r, la, lo) for r, d in docs for la, lo in d.points]
    )
    conn.executemany(
        "INSERT INTO doc_fts (rowid, title, body) VALUES (?, ?, ?)",
        [(r, d.title_terms, d.body_terms) for r, d in docs],
    )


def _mark_analyzer(conn: sqlite3.Connection) -> None:
    """Record which analyzer wrote an empty index file, so a rebuild may reuse its analyses."""
    with conn:
        conn.execute(
            "INSERT OR REPLACE INTO meta SELECT 'analysis', ? WHERE NOT EXISTS (SELECT 1 FROM doc)",
            (fingerprint(),),
        )


def _attach_previous(conn: sqlite3.Connection, path: str) -> bool:
    """Attach the generation at ``path`` read-only as ``prev`` when its analyses can be reused."""
    if not Path(path).exists():
        return False
    try:
        conn.execute("ATTACH DATABASE ? AS prev", (f"{Path(path).resolve().as_uri()}?mode=ro",))
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT value FROM prev.meta WHERE key = 'analysis'").fetchone()
    except sqlite3.Error:  # an unreadable previous generation: analyze everything
        row = None
    if row is not None and row[0] == fingerprint():
        return True
    conn.execute("DETACH DATABASE prev")
    return False


def _delete_rowid(conn: sqlite3.Connection, rowid: int) -> None:
    for table in ("doc_cause", "doc_region", "doc_point", "doc_fts", "doc_data", "doc"):
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))


def _touch(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('last_write', ?)", (datetime.now(UTC).isoformat(),))


def _gen_key(name: str) -> str:
    """Sort key of a generation name: the original file (no timestamp) is the oldest."""
    match = re.search(r"\.gen-(\d{20})$", name)
    return match.group(1) if match else ""


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(str(path))


def _match(conn: sqlite3.Connection, plan: QueryPlan) -> list[tuple[float, int]]:
    """Fill ``temp.vh_match`` with the listings matching every group of ``plan`` and their score,
    exactly as ``volunteer_hub.core.understanding.score`` defines it without the language bonus (added
    by the page's ORDER BY), stored negated: lower ranks first.

    FTS5 finds each alternative's listings per field; the per-group best and per-listing sum are done
    here in dicts: the same sums of the same floats, 5x cheaper than grouping clause rows in a temp
    B-tree (docs/benchmarks.md). FTS5's own bm25 ``rank`` is not this score, so it is not used.
    Returns the score tiers: (score, listings) for each distinct score, best first.
    """
    conn.execute("DELETE FROM temp.vh_match")
    total: dict[int, float] | None = None
    for group in plan.groups:
        best: dict[int, float] = {}
        for alt in group.alternatives:
            if alt.cause:
                found = dict.fromkeys(
                    _rowids(conn, "SELECT rowid FROM doc_cause WHERE cause = ?", alt.cause),
                    alt.weight * CAUSE,
                )
            else:
                phrase = '"' + " ".join(alt.terms) + '"'  # terms are [a-z0-9]+: quoting is safe
                in_title, in_body = alt.weight * TITLE, alt.weight * BODY
                in_both = in_title + in_body
                found = dict.fromkeys(_rowids(conn, _FTS, f"body : {phrase}"), in_body)
                for rowid in _rowids(conn, _FTS, f"title : {phrase}"):
                    found[rowid] = in_both if rowid in found else in_title
            if not best:
                best = found
                continue
            for rowid, weight in found.items():
                if weight > best.get(rowid, 0.0):
                    best[rowid] = weight
        total = best if total is None else {r: t + best[r] for r, t in total.items() if r in best}
        if not total:
            return []
    by_score: dict[float, list[int]] = {}
    for rowid, t in (total or {}).items():
        by_score.setdefault(t, []).append(rowid)
    # One statement per tier, its listings as a JSON array: 3x cheaper than executemany's row binding.
    for t, rowids in by_score.items():
        sql = "INSERT INTO temp.vh_match (rowid, rank) SELECT value, ? FROM json_each(?)"
        conn.execute(sql, (-t, json.dumps(rowids)))
    return sorted(((t, len(rowids)) for t, rowids in by_score.items()), reverse=True)


_FTS = "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?"


def _rowids(conn: sqlite3.Connection, sql: str, arg: str) -> list[int]:
    return [rowid for (rowid,) in conn.execute(sql, (arg,)).fetchall()]


def _near(conn: sqlite3.Connection, lat: float, lon: float, radius_km: float) -> None:
    """Fill ``temp.vh_near`` with the listings that have a point within ``radius_km`` and their nearest
    point's distance: the exact distance (a Python function) is computed once per point of the bounding
    box per search, not once per statement that filters or sorts by it."""
    conn.execute("DELETE FROM temp.vh_near")
    (lat0, lat1), (lon0, lon1) = bounding_box(lat, lon, radius_km)
    conn.execute(
        "INSERT INTO temp.vh_near (rowid, dist) SELECT rowid, min(vh_dist(lat, lon, ?, ?)) AS dist"
        " FROM doc_point WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? GROUP BY rowid HAVING dist <= ?",
        (lat, lon, lat0, lat1, lon0, lon1, radius_km),
    )


class _Spelling:
    """The index's own vocabulary (FTS5 ``fts5vocab``), for spelling corrections."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        wanted = sorted(terms)
        marks = ",".join("?" * len(wanted))
        return dict(self.conn.execute(f"SELECT term, doc FROM temp.vh_vocab WHERE term IN ({marks})", wanted))

    def similar_terms(self, term: str) -> dict[str, int]:
        first = term[:1]
        rows = self.conn.execute(
            "SELECT term, doc FROM temp.vh_vocab WHERE term >= ? AND term < ?", (first, chr(ord(first) + 1))
        )
        return {t: n for t, n in rows if abs(len(t) - len(term)) <= 2 and edit_distance(t, term) <= 2}


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A lat/lon box that contains every point within ``radius_km`` (with a small margin)."""
    dlat = radius_km / KM_PER_DEGREE * 1.01
    cos_lat = math.cos(math.radians(lat))
    dlon = 180.0 if cos_lat < 1e-6 else dlat / cos_lat
    lon0, lon1 = lon - dlon, lon + dlon
    if lon0 < -180 or lon1 > 180:  # crosses the antimeridian: keep every longitude
        lon0, lon1 = -180.0, 180.0
    return (lat - dlat, lat + dlat), (lon0, lon1)
