"""Embedded backend: causes and regions kept as bit masks (fast facets) must answer exactly as the side
tables do: on a file written before the masks (upgraded in place on open), and past the 62 values a
mask can hold (the side tables are read again)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from indexer.base import SearchQuery, SearchResult
from indexer.sqlite_backend import MAX_BITS, SqliteBackend
from tests.samples import BREST, LYON, NOW, PARIS, RENNES, opp

LISTINGS = [
    opp("a", "Collecte de déchets", causes=["environnement"], locations=[RENNES]),
    opp("b", "Soutien scolaire", causes=["education", "solidarite-insertion"], locations=[RENNES, LYON]),
    opp("c", "Tri de vêtements", causes=["solidarite-insertion"], locations=[BREST]),
    opp("d", "Nettoyage de la plage", causes=["environnement", "sport"], locations=[PARIS]),
]
QUERIES = [
    SearchQuery(now=NOW),
    SearchQuery(now=NOW, causes=["environnement"]),
    SearchQuery(now=NOW, causes=["environnement", "education"], regions=["bretagne"]),
    SearchQuery(now=NOW, regions=["auvergne-rhone-alpes"]),
    SearchQuery(now=NOW, text="déchets"),
    SearchQuery(now=NOW, causes=["nobody-has-it"]),
]


def answers(backend: SqliteBackend) -> list[tuple[list[str], int, list, list]]:
    def one(r: SearchResult) -> tuple[list[str], int, list, list]:
        facets = (
            [(f.value, f.count) for f in r.facets["cause"]],
            [(f.value, f.count) for f in r.facets["region"]],
        )
        return [h.opportunity.id for h in r.hits], r.total, *facets

    return [one(backend.search(q)) for q in QUERIES]


def test_an_index_from_before_the_masks_is_upgraded_in_place(tmp_path: Path) -> None:
    fresh = SqliteBackend(tmp_path / "fresh.sqlite3")
    assert fresh.upsert(LISTINGS).ok
    expected = answers(fresh)
    assert expected[1][1] == 2 and expected[2][1] == 2 and LISTINGS[0].id in expected[4][0]
    assert expected[5][1] == 0

    path = tmp_path / "old.sqlite3"
    old = SqliteBackend(path)
    assert old.upsert(LISTINGS).ok
    old.close()
    with sqlite3.connect(path) as conn:  # the layout of the release before the masks
        conn.execute("DROP INDEX doc_facets")
        conn.execute("ALTER TABLE doc DROP COLUMN cause_mask")
        conn.execute("ALTER TABLE doc DROP COLUMN region_mask")
        conn.execute("ALTER TABLE doc DROP COLUMN prac_mask")
        conn.execute("DROP TABLE facet_bit")
    reopened = SqliteBackend(path)
    assert answers(reopened) == expected
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT count(*) FROM doc WHERE cause_mask = 0 OR region_mask = 0"
        ).fetchone() == (0,)


def test_more_values_than_a_mask_holds_fall_back_to_the_side_tables(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    many = [
        opp(f"x{i}", f"Mission {i}", causes=[f"cause-{i:03d}"], locations=[RENNES])
        for i in range(MAX_BITS + 3)
    ]
    assert backend.upsert(LISTINGS + many).ok
    everything = backend.search(SearchQuery(now=NOW, per_page=100))
    causes = {f.value: f.count for f in everything.facets["cause"]}
    assert len(causes) == 4 + MAX_BITS + 3 and causes["cause-064"] == 1 and causes["environnement"] == 2
    last = backend.search(SearchQuery(now=NOW, causes=["cause-064", "sport"]))
    assert sorted(h.opportunity.id for h in last.hits) == sorted([many[-1].id, LISTINGS[3].id])
    # Regions stay within their mask: their facet is unchanged.
    assert {f.value: f.count for f in everything.facets["region"]}["bretagne"] == 3 + MAX_BITS + 3
