"""Embedded search backend: SQLite with FTS5, no server.

Layout: ``doc`` holds one row per opportunity (filters, sort keys and the JSON record), side
tables hold multi-valued fields (causes, regions, points), and ``doc_fts`` holds the
analyzed title/body terms (see volunteer_hub.analysis). Geo search is a bounding box on the
indexed ``doc_point`` table, then the exact haversine distance.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indexer.base import FacetValue, Hit, SearchQuery, SearchResult, WriteReport
from indexer.documents import SearchDocument, build_document, iso
from volunteer_hub.analysis import analyze
from volunteer_hub.gazetteer import distance_km
from volunteer_hub.opportunity import Opportunity
from volunteer_hub.regions import region_label
from volunteer_hub.taxonomy import cause_label

TITLE_WEIGHT = 5.0  # same boost as the Elasticsearch backend
KM_PER_DEGREE = 111.19508

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
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_partner ON doc(partner);
CREATE INDEX IF NOT EXISTS doc_expiry ON doc(expiry);
CREATE TABLE IF NOT EXISTS doc_cause (rowid INTEGER NOT NULL, cause TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_cause_idx ON doc_cause(cause, rowid);
CREATE INDEX IF NOT EXISTS doc_cause_row ON doc_cause(rowid);
CREATE TABLE IF NOT EXISTS doc_region (rowid INTEGER NOT NULL, slug TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS doc_region_idx ON doc_region(slug, rowid);
CREATE INDEX IF NOT EXISTS doc_region_row ON doc_region(rowid);
CREATE TABLE IF NOT EXISTS doc_point (rowid INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL);
CREATE INDEX IF NOT EXISTS doc_point_idx ON doc_point(lat, lon);
CREATE INDEX IF NOT EXISTS doc_point_row ON doc_point(rowid);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_fts USING fts5(title, body, tokenize = 'unicode61');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class SqliteBackend:
    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()

    # -- connection -------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.create_function("vh_dist", 4, distance_km, deterministic=True)
            conn.executescript(SCHEMA)
            self._local.conn = conn
        return conn

    def ensure_ready(self) -> None:
        self.conn  # noqa: B018 - opening the connection creates the schema

    def health(self) -> tuple[bool, str]:
        try:
            self.conn.execute("SELECT 1").fetchone()
            return True, f"sqlite {sqlite3.sqlite_version} at {self.path}"
        except sqlite3.Error as exc:
            return False, f"sqlite error: {exc}"

    # -- writes -----------------------------------------------------------------------------
    def upsert(self, opportunities: Iterable[Opportunity]) -> WriteReport:
        report = WriteReport()
        conn = self.conn
        with conn:
            for opp in opportunities:
                content_hash = opp.content_hash or opp.compute_hash()
                row = conn.execute("SELECT rowid, content_hash FROM doc WHERE id = ?", (opp.id,)).fetchone()
                if row and row[1] == content_hash:
                    report.skipped_unchanged += 1
                    continue
                if row:
                    self._delete_rowid(row[0])
                self._insert(build_document(opp), opp, content_hash)
                report.written += 1
            self._touch()
        return report

    def _insert(self, doc: SearchDocument, opp: Opportunity, content_hash: str) -> None:
        conn = self.conn
        cur = conn.execute(
            "INSERT INTO doc (id, partner, organization, org_slug, language, remote, avail_start,"
            " avail_end, expiry, sort_start, posted, content_hash, data)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id, doc.partner, doc.organization, doc.org_slug, doc.language, int(doc.remote),
                iso(doc.avail_start), iso(doc.avail_end), iso(doc.expiry), iso(doc.sort_start),
                iso(doc.posted), content_hash, json.dumps(opp.to_dict(), ensure_ascii=False),
            ),
        )
        rowid = cur.lastrowid
        conn.executemany("INSERT INTO doc_cause VALUES (?, ?)", [(rowid, c) for c in doc.causes])
        conn.executemany("INSERT INTO doc_region VALUES (?, ?)", [(rowid, r) for r in doc.region_slugs])
        conn.executemany("INSERT INTO doc_point VALUES (?, ?, ?)", [(rowid, la, lo) for la, lo in doc.points])
        conn.execute(
            "INSERT INTO doc_fts (rowid, title, body) VALUES (?, ?, ?)", (rowid, doc.title_terms, doc.body_terms)
        )

    def _delete_rowid(self, rowid: int) -> None:
        for table in ("doc_cause", "doc_region", "doc_point", "doc_fts", "doc"):
            self.conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (rowid,))

    def delete(self, ids: Iterable[str]) -> int:
        removed = 0
        with self.conn:
            for opp_id in ids:
                row = self.conn.execute("SELECT rowid FROM doc WHERE id = ?", (opp_id,)).fetchone()
                if row:
                    self._delete_rowid(row[0])
                    removed += 1
            self._touch()
        return removed

    def delete_expired(self, now: datetime) -> int:
        ids = [r[0] for r in self.conn.execute("SELECT id FROM doc WHERE expiry <= ?", (iso(now),))]
        return self.delete(ids)

    def clear(self) -> None:
        with self.conn:
            for table in ("doc_cause", "doc_region", "doc_point", "doc_fts", "doc"):
                self.conn.execute(f"DELETE FROM {table}")
            self._touch()

    def _touch(self) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('last_write', ?)", (datetime.now(UTC).isoformat(),)
        )

    # -- reads ------------------------------------------------------------------------------
    def get(self, opportunity_id: str) -> Opportunity | None:
        row = self.conn.execute("SELECT data FROM doc WHERE id = ?", (opportunity_id,)).fetchone()
        return Opportunity.from_dict(json.loads(row[0])) if row else None

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM doc").fetchone()[0]

    def ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM doc")}

    def stats(self) -> dict[str, Any]:
        conn = self.conn
        last = conn.execute("SELECT value FROM meta WHERE key = 'last_write'").fetchone()
        return {
            "backend": self.name,
            "location": self.path,
            "generation": "embedded",
            "documents": self.count(),
            "last_write": last[0] if last else None,
            "by_partner": dict(conn.execute("SELECT partner, count(*) FROM doc GROUP BY partner ORDER BY 1")),
            "by_cause": dict(conn.execute("SELECT cause, count(*) FROM doc_cause GROUP BY cause ORDER BY 1")),
            "by_region": dict(conn.execute("SELECT slug, count(*) FROM doc_region GROUP BY slug ORDER BY 1")),
        }

    def search(self, query: SearchQuery) -> SearchResult:
        terms = analyze(query.text)
        base_sql, base_args = self._filters(query, terms)
        cause_sql, cause_args = _in_side_table("doc_cause", "cause", query.causes)
        region_sql, region_args = _in_side_table("doc_region", "slug", query.regions)

        where = " AND ".join(base_sql + cause_sql + region_sql) or "1"
        args = base_args + cause_args + region_args
        conn = self.conn
        total = conn.execute(f"SELECT count(*) FROM doc d WHERE {where}", args).fetchone()[0]

        select_cols, joins, join_args, order = self._ranking(query, terms)
        rows = conn.execute(
            f"SELECT d.data{select_cols} FROM doc d {joins} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            join_args + args + [query.per_page, query.offset],
        ).fetchall()
        hits = []
        for row in rows:
            opp = Opportunity.from_dict(json.loads(row[0]))
            score = -row[1] if terms else None
            distance = row[2] if query.near else None
            hits.append(Hit(opp, score=score, distance_km=distance))

        facets = {
            "cause": self._facet("doc_cause", "cause", base_sql + region_sql, base_args + region_args),
            "region": self._facet("doc_region", "slug", base_sql + cause_sql, base_args + cause_args),
        }
        facets["cause"] = [FacetValue(v, cause_label(v, query.lang), n) for v, n in facets["cause"]]
        facets["region"] = [FacetValue(v, region_label(v, query.lang), n) for v, n in facets["region"]]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _facet(self, table: str, column: str, where: list[str], args: list[Any]) -> list[tuple[str, int]]:
        clause = " AND ".join(where) or "1"
        sql = (
            f"SELECT f.{column}, count(DISTINCT f.rowid) AS n FROM {table} f JOIN doc d ON d.rowid = f.rowid"
            f" WHERE {clause} GROUP BY f.{column} ORDER BY n DESC, f.{column} ASC"
        )
        return list(self.conn.execute(sql, args))

    def _filters(self, q: SearchQuery, terms: list[str]) -> tuple[list[str], list[Any]]:
        sql = ["d.expiry > ?"]
        args: list[Any] = [iso(q.effective_now())]
        if terms:
            sql.append("d.rowid IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?)")
            args.append(_fts_query(terms))
        if q.remote is not None:
            sql.append("d.remote = ?")
            args.append(int(q.remote))
        if q.partner:
            sql.append("d.partner = ?")
            args.append(q.partner)
        if q.organization:
            sql.append("d.org_slug = ?")
            args.append(q.organization)
        if q.date_from:
            sql.append("d.avail_end >= ?")
            args.append(iso(q.date_from))
        if q.date_to:
            sql.append("d.avail_start <= ?")
            args.append(iso(q.date_to))
        if q.near and q.radius_km is not None:
            lat, lon = q.near
            (lat0, lat1), (lon0, lon1) = bounding_box(lat, lon, q.radius_km)
            sql.append(
                "d.rowid IN (SELECT rowid FROM doc_point WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?"
                " AND vh_dist(lat, lon, ?, ?) <= ?)"
            )
            args += [lat0, lat1, lon0, lon1, lat, lon, q.radius_km]
        return sql, args

    def _ranking(self, q: SearchQuery, terms: list[str]) -> tuple[str, str, list[Any], str]:
        """Extra select columns (score, distance), joins and ORDER BY for the query's sort."""
        cols, joins, args = "", "", []
        if terms:
            cols += ", m.rank"
            joins += (
                f"JOIN (SELECT rowid, bm25(doc_fts, {TITLE_WEIGHT}, 1.0) AS rank FROM doc_fts"
                " WHERE doc_fts MATCH ?) m ON m.rowid = d.rowid "
            )
            args.append(_fts_query(terms))
        else:
            cols += ", NULL"
        if q.near:
            cols += ", g.dist"
            joins += (
                "LEFT JOIN (SELECT rowid, min(vh_dist(lat, lon, ?, ?)) AS dist FROM doc_point GROUP BY rowid) g"
                " ON g.rowid = d.rowid "
            )
            args += [q.near[0], q.near[1]]
        sort = q.sort
        if sort == "nearest" and q.near:
            order = "g.dist IS NULL, g.dist ASC"
        elif sort == "soonest":
            order = "d.sort_start ASC"
        elif sort == "newest" or not terms:
            order = "d.posted DESC"
        else:
            order = "m.rank ASC"
        return cols, joins, args, order + ", d.id ASC"


def _fts_query(terms: list[str]) -> str:
    # Every term must match (in title or body); terms are [a-z0-9]+ so quoting is safe.
    return " ".join(f'"{t}"' for t in terms)


def _in_side_table(table: str, column: str, values: list[str]) -> tuple[list[str], list[Any]]:
    if not values:
        return [], []
    marks = ",".join("?" * len(values))
    return [f"d.rowid IN (SELECT rowid FROM {table} WHERE {column} IN ({marks}))"], list(values)


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """A lat/lon box that contains every point within ``radius_km`` (with a small margin)."""
    dlat = radius_km / KM_PER_DEGREE * 1.01
    cos_lat = math.cos(math.radians(lat))
    dlon = 180.0 if cos_lat < 1e-6 else dlat / cos_lat
    lon0, lon1 = lon - dlon, lon + dlon
    if lon0 < -180 or lon1 > 180:  # crosses the antimeridian: keep every longitude
        lon0, lon1 = -180.0, 180.0
    return (lat - dlat, lat + dlat), (lon0, lon1)
