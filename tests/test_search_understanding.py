"""Search that understands what people mean, identically on both backends (issue 17).

Synonyms in French and English, causes named in queries, domain stop words, typos corrected from the
index's own terms, and the relevance set of tests/relevance/ (nDCG@10, no empty answer when something
relevant exists, the same ranking on both backends).
"""

from __future__ import annotations

import uuid

import pytest

from bench.relevance import demo_listings, load_queries, measure, query_for, suffix
from indexer.base import SearchQuery
from indexer.documents import build_document
from indexer.sqlite_backend import SqliteBackend
from tests.conftest import drop_generations
from tests.samples import MARSEILLE, NOW, opp
from volunteer_hub.core.understanding import score

pytestmark = pytest.mark.conformance


def corpus() -> list:
    return [
        opp(
            "maraude",
            "Maraude solidaire du mardi soir",
            causes=["solidarite-insertion"],
            locations=[MARSEILLE],
        ),
        opp("soup", "Soup kitchen volunteer", language="en", causes=["solidarite-insertion"]),
        opp("seniors", "Aide numérique pour les seniors", causes=["numerique"]),
        opp("agees", "Visites aux personnes âgées isolées", causes=["vivre-ensemble"]),
        opp("older", "Befriending older people", language="en", causes=["vivre-ensemble"]),
        opp("rugby", "Tournoi de rugby inclusif", causes=["sport"]),
        opp("jardin", "Animation d'un jardinage partagé", causes=["environnement"]),
        opp("plage", "Ramassage de déchets sur la plage", causes=["environnement"]),
    ]


@pytest.fixture
def loaded(search_backend):
    report = search_backend.upsert(corpus())
    assert report.ok, report.failed
    return search_backend


def search(backend, text, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("per_page", 50)
    return backend.search(SearchQuery(text=text, **kw))


def ids(result) -> list[str]:
    return [h.opportunity.source_id for h in result.hits]


def test_french_and_english_words_find_each_other(loaded):
    for text in ("sans abri", "SDF", "homeless", "rough sleepers"):
        assert set(ids(search(loaded, text))) == {"maraude", "soup"}, text
    assert set(ids(search(loaded, "elderly", lang="en"))) == {"seniors", "agees", "older"}


def test_exact_words_first_then_synonyms_in_the_visitors_language(loaded):
    assert ids(search(loaded, "seniors", lang="fr")) == ["seniors", "agees", "older"]
    assert ids(search(loaded, "older people", lang="en")) == ["older", "seniors", "agees"]


def test_a_cause_named_in_the_query_finds_its_listings(loaded):
    assert ids(search(loaded, "sport")) == ["rugby"]
    assert set(ids(search(loaded, "environment", lang="en"))) == {"jardin", "plage"}


def test_domain_stop_words_do_not_make_the_query_fail(loaded):
    assert ids(search(loaded, "bénévole rugby")) == ["rugby"]
    assert ids(search(loaded, "volunteer mission maraude")) == ["maraude", "soup"]  # soup: a related concept


def test_a_misspelled_query_is_corrected_from_the_index_terms(loaded):
    result = search(loaded, "jardinnage")
    assert ids(result) == ["jardin"]
    assert (result.corrected_from, result.corrected) == ("jardinnage", "jardinage")
    result = search(loaded, "benevolle maraude")
    assert ids(result) == ["maraude", "soup"]
    assert result.corrected == "benevole maraude"


def test_a_query_that_finds_something_is_never_corrected(loaded):
    result = search(loaded, "rugby")
    assert result.corrected is None and result.suggestion is None


def test_exact_searches_the_typed_words_only(loaded):
    result = search(loaded, "seniors", exact=True)
    assert ids(result) == ["seniors"]
    assert result.plan is not None and result.plan.widened_with == ()
    assert search(loaded, "seniors").plan.widened_with


def test_scores_are_the_reference_score(loaded):
    for text, lang in (("seniors", "fr"), ("homeless", "en"), ("environnement", "fr")):
        result = search(loaded, text, lang=lang)
        for hit in result.hits:
            doc = build_document(hit.opportunity)
            expected = score(
                result.plan,
                tuple(doc.title_terms.split()),
                tuple(doc.body_terms.split()),
                doc.causes,
                doc.language,
            )
            assert hit.score == pytest.approx(expected), (text, hit.opportunity.source_id)


def test_relevance_set_targets(search_backend):
    """tests/relevance/: nothing relevant is ever missing entirely, and nDCG@10 >= 0.85."""
    search_backend.upsert(demo_listings())
    figures = measure(search_backend, load_queries())
    assert figures["zero_result_queries"] == []
    assert figures["ndcg@10"] >= 0.85, figures["ndcg@10"]


def test_both_backends_rank_the_relevance_set_identically(es_url, tmp_path):
    from indexer.es_backend import ElasticsearchBackend

    sqlite = SqliteBackend(tmp_path / "s.sqlite3")
    es = ElasticsearchBackend(es_url, alias=f"vh-test-rank-{uuid.uuid4().hex[:8]}")
    try:
        listings = demo_listings()
        for backend in (sqlite, es):
            backend.ensure_ready()
            assert backend.upsert(listings).ok
        for judged in load_queries():
            query = query_for(judged, per_page=20)
            a, b = sqlite.search(query), es.search(query)
            assert [suffix(h.opportunity.id) for h in a.hits] == [suffix(h.opportunity.id) for h in b.hits], (
                judged.q
            )
            assert [h.score for h in a.hits] == [h.score for h in b.hits], judged.q
            assert (a.total, a.corrected) == (b.total, b.corrected), judged.q
    finally:
        drop_generations(es)
