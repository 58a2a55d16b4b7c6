"""A rebuild reuses the analysis of unchanged records from the live generation, re-analyzes changed
ones, and never reuses what another analyzer wrote; large batches are analyzed in worker processes
with the same result (indexer.analysis_cache)."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from indexer.analysis_cache import analyze_many
from indexer.base import SearchQuery
from indexer.documents import analysis_input, analyze_pair
from indexer.sqlite_backend import SqliteBackend
from tests.samples import NOW, RENNES, opp


def items(n: int) -> list:
    docs = [
        opp(
            f"r{i}",
            f"Collecte de déchets {i}",
            causes=["environnement"],
            locations=[RENNES],
            description="<p>Tri des œufs et des bouteilles, été comme hiver.</p>",
        )
        for i in range(n)
    ]
    for d in docs:
        d.content_hash = d.compute_hash()
    return docs


def rebuild(backend: Any, docs: list) -> int:
    """Build and activate a generation; returns how many analyses it reused."""
    name = backend.begin_generation()
    report = backend.load_generation(name, docs)
    assert report.ok, report.failed
    assert backend.seal_generation(name) == len(docs)
    backend.activate_generation(name)
    return report.reused_analysis


def test_unchanged_records_reuse_their_analysis_and_changed_ones_are_analyzed_again(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    docs = items(6)
    assert rebuild(backend, docs) == 0
    changed = dataclasses.replace(docs[0], title="Maraude solidaire")
    changed.content_hash = changed.compute_hash()
    assert rebuild(backend, [changed, *docs[1:]]) == 5
    assert backend.search(SearchQuery(text="maraude", now=NOW)).total == 1
    assert backend.search(SearchQuery(text="oeuf", now=NOW)).total == 6
    assert backend.search(SearchQuery(text="dechets", now=NOW)).total == 5


def test_a_generation_written_by_another_analyzer_is_analyzed_again(tmp_path: Path) -> None:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    docs = items(4)
    rebuild(backend, docs)
    live = sqlite3.connect(backend.generation_path(backend.current_generation()))
    with live:
        live.execute("UPDATE meta SET value = 'an older analyzer' WHERE key = 'analysis'")
        live.execute("UPDATE doc_fts SET title = 'stale'")  # what that analyzer made of the titles
    live.close()
    assert rebuild(backend, docs) == 0
    assert backend.search(SearchQuery(text="stale", now=NOW)).total == 0
    assert backend.search(SearchQuery(text="dechets", now=NOW)).total == 4


def test_worker_processes_analyze_exactly_as_this_process() -> None:
    texts = [analysis_input(o) for o in items(30)] + [("Île-de-France", "Straße, naïve, chevaux, activities")]
    assert analyze_many(texts, threshold=1) == [analyze_pair(t) for t in texts]


@pytest.mark.elasticsearch
def test_elasticsearch_rebuild_reuses_unchanged_analyses(es_url: str) -> None:
    import uuid

    from indexer.es_backend import ElasticsearchBackend
    from tests.conftest import drop_generations

    backend = ElasticsearchBackend(es_url, alias=f"vh-test-{uuid.uuid4().hex[:10]}")
    try:
        docs = items(5)
        assert rebuild(backend, docs) == 0
        changed = dataclasses.replace(docs[0], title="Maraude solidaire")
        changed.content_hash = changed.compute_hash()
        assert rebuild(backend, [changed, *docs[1:]]) == 4
        assert backend.search(SearchQuery(text="maraude", now=NOW)).total == 1
        assert backend.search(SearchQuery(text="dechets", now=NOW)).total == 4
    finally:
        drop_generations(backend)
