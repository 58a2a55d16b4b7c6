"""Embedded backend: what a search connection keeps between searches (the words' matches, the facet
passes, indexer/sqlite_memo.py) and the page read from the best-scored matches only must never show a
visitor anything a search from nothing would not: same hits, totals and facets, and every change of the
index (through this backend, another connection, or time passing an expiry) seen at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bench.index_bench import generate
from indexer.base import SearchQuery, SearchResult
from indexer.sqlite_backend import SqliteBackend
from tests.samples import NOW, RENNES, opp


def seen(r: SearchResult) -> tuple:
    facets = {name: [(f.value, f.count) for f in values] for name, values in sorted(r.facets.items())}
    return [(h.opportunity.id, h.score, h.distance_km) for h in r.hits], r.total, facets


def test_every_page_and_facet_is_the_same_with_and_without_the_memo_and_best_tiers(tmp_path: Path) -> None:
    listings = generate(400, seed=7)
    fresh = SqliteBackend(tmp_path / "a.sqlite3")
    assert fresh.upsert(listings).ok
    fresh.memo = False
    kept = SqliteBackend(tmp_path / "a.sqlite3")  # another connection, keeping its memo
    later = NOW + timedelta(days=30)
    queries = [
        SearchQuery(now=NOW, text=text, page=page, per_page=per_page, lang=lang, **extra)
        for text in ("dechets", "collecte plage", "soutien scolaire", "benevole")
        for page, per_page in ((1, 20), (2, 20), (4, 5), (30, 20))
        for lang in ("fr", "en")
        for extra in (
            {},
            {"causes": ["environnement"]},
            {"filters": {"remote": False}},
            {"filters": {"language": "en"}},
            {"sort": "newest"},
        )
    ]
    queries += [
        SearchQuery(now=later, text="dechets"),
        SearchQuery(now=NOW, text="dechets", near=(48.1113, -1.68), radius_km=60),
        SearchQuery(now=NOW, text="dechets", near=(48.1113, -1.68), radius_km=20, page=2),
        SearchQuery(now=NOW, near=(48.1113, -1.68), radius_km=20, sort="nearest"),
        SearchQuery(now=NOW, near=(45.764, 4.8357), radius_km=20, sort="nearest"),
        SearchQuery(now=NOW, page=3),
    ]
    sorted_hits: dict[str, list] = {}  # every match sorted (one page holding them all), per search
    for _ in range(2):  # the second time, everything the memo kept is reused
        for query in queries:
            answer = seen(kept.search(query))
            assert answer == seen(fresh.search(query)), query
            every = replace(query, page=1, per_page=10_000)
            if repr(every) not in sorted_hits:
                sorted_hits[repr(every)] = seen(fresh.search(every))[0]
            assert answer[0] == sorted_hits[repr(every)][query.offset : query.offset + query.per_page]


def test_a_change_of_the_index_is_seen_by_the_next_search(tmp_path: Path) -> None:
    path = tmp_path / "b.sqlite3"
    backend = SqliteBackend(path)
    first = [opp(f"w{i}", f"Collecte de déchets {i}", locations=[RENNES]) for i in range(3)]
    assert backend.upsert(first).ok
    query = SearchQuery(now=NOW, text="déchets")
    assert backend.search(query).total == 3
    assert backend.search(query).total == 3

    # written through the same connection
    assert backend.upsert([opp("w3", "Tri des déchets", causes=["environnement"])]).ok
    result = backend.search(query)
    assert result.total == 4 and ("environnement", 1) in [(f.value, f.count) for f in result.facets["cause"]]
    backend.delete([first[0].id])
    assert backend.search(query).total == 3

    # written by another connection (another process's `index` command)
    other = SqliteBackend(path)
    assert other.upsert([opp("w4", "Déchets verts", causes=["environnement"])]).ok
    result = backend.search(query)
    assert result.total == 4 and ("environnement", 2) in [(f.value, f.count) for f in result.facets["cause"]]


def test_a_listing_that_expires_between_two_searches_is_gone_from_the_second(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "c.sqlite3")
    soon = opp("s", "Collecte de déchets", causes=["sport"], expires=NOW + timedelta(hours=1))
    lasting = opp("l", "Collecte de déchets au parc", causes=["environnement"])
    assert backend.upsert([soon, lasting]).ok
    for text in ("déchets", ""):
        before = backend.search(SearchQuery(now=NOW, text=text, page=2))
        assert before.total == 2
        assert {f.value for f in before.facets["cause"]} == {"sport", "environnement"}
        after = backend.search(SearchQuery(now=NOW + timedelta(hours=2), text=text))
        assert after.total == 1 and [f.value for f in after.facets["cause"]] == ["environnement"]
        assert [h.opportunity.id for h in after.hits] == [lasting.id]
