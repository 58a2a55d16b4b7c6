"""Embedded backend generations: atomic switch, open readers keep working, rollback, lock."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from indexer.base import RebuildInProgress, SearchQuery
from indexer.sqlite_backend import SqliteBackend
from tests.samples import NOW, RENNES, opp


def items(n: int, word: str = "déchets") -> list:
    return [
        opp(f"g{i}", f"Collecte de {word} {i}", causes=["environnement"], locations=[RENNES])
        for i in range(n)
    ]


def build(backend: SqliteBackend, docs: list) -> str:
    name = backend.begin_generation()
    assert backend.load_generation(name, docs).ok
    assert backend.seal_generation(name) == len(docs)
    backend.activate_generation(name)
    return name


def test_open_connection_to_a_deleted_generation_keeps_answering(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    first = build(backend, items(5))
    raw = sqlite3.connect(backend.generation_path(first))  # e.g. another process, mid-request
    assert raw.execute("SELECT count(*) FROM doc").fetchone()[0] == 5
    build(backend, items(7))
    build(backend, items(9))  # deletes ``first``: the reader still holds its inode
    assert not Path(backend.generation_path(first)).exists()
    assert raw.execute("SELECT count(*) FROM doc").fetchone()[0] == 5
    assert backend.count() == 9


def test_each_thread_follows_the_pointer(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    build(backend, items(3))
    other = SqliteBackend(tmp_path / "search.sqlite3")  # another process's view of the same files
    assert other.search(SearchQuery(text="dechets", now=NOW)).total == 3
    build(backend, items(6))
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(other.count()))
    thread.start()
    thread.join()
    assert other.count() == 6 and seen == [6]


def test_rollback_and_original_file(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    assert backend.upsert(items(2)).written == 2  # the pre-generation layout: ``path`` itself
    assert backend.current_generation() == "search.sqlite3"
    new = build(backend, items(4))
    assert backend.current_generation() == new and backend.count() == 4
    assert backend.rollback() == "search.sqlite3" and backend.count() == 2
    assert not Path(backend.pointer).exists()


def test_writes_after_a_switch_go_to_the_new_generation(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    backend.upsert(items(2))
    build(backend, items(2))
    backend.upsert([opp("extra", "Mission en plus")])
    assert backend.count() == 3 and "search.sqlite3.gen-" in backend.stats()["generation"]


def test_rebuild_lock_is_exclusive(tmp_path: Path) -> None:
    a = SqliteBackend(tmp_path / "search.sqlite3")
    b = SqliteBackend(tmp_path / "search.sqlite3")
    with a.rebuild_lock():
        with pytest.raises(RebuildInProgress):
            with b.rebuild_lock():
                pass
    with b.rebuild_lock():
        pass


def test_first_layout_with_the_record_in_doc_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    legacy = sqlite3.connect(path)
    legacy.executescript(
        """
        CREATE TABLE doc (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, partner TEXT NOT NULL,
            organization TEXT, org_slug TEXT, language TEXT, remote INTEGER NOT NULL,
            avail_start TEXT NOT NULL, avail_end TEXT NOT NULL, expiry TEXT NOT NULL,
            sort_start TEXT NOT NULL, posted TEXT NOT NULL,
            content_hash TEXT, data TEXT NOT NULL);
        CREATE VIRTUAL TABLE doc_fts USING fts5(title, body, tokenize = 'unicode61');
        """
    )
    o = items(1)[0]
    legacy.execute(
        "INSERT INTO doc VALUES (1, ?, 'test', 'Association Test', 'association-test', 'fr', 0,"
        " '1970-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '9999-12-31T00:00:00Z', '9999-12-31T00:00:00Z',"
        " '2026-11-25T12:00:00Z', ?, ?)",
        (o.id, o.content_hash, json.dumps(o.to_dict())),
    )
    legacy.execute("INSERT INTO doc_fts (rowid, title, body) VALUES (1, 'collecte dechet 0', '')")
    legacy.commit()
    legacy.close()

    backend = SqliteBackend(path)
    assert backend.get(o.id).title == o.title
    assert [h.opportunity.id for h in backend.search(SearchQuery(text="déchets", now=NOW)).hits] == [o.id]
    columns = {row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(doc)")}
    assert "data" not in columns
