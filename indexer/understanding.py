"""The search flow both backends share: understand the text, search, and correct misspellings.

A backend runs a ``QueryPlan`` (``run``) and answers two questions about its own index
(``SpellingSource``); everything else, including which correction to apply, is decided here, so
the embedded and the Elasticsearch backends correct a query the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from indexer.base import SearchQuery, SearchResult
from volunteer_hub.core.spelling import best_correction, max_edits
from volunteer_hub.core.understanding import DOMAIN_STOPWORDS, QueryPlan, plan_query, query_words
from volunteer_hub.core.vocabulary import vocabulary


class SpellingSource(Protocol):
    def term_counts(self, terms: Iterable[str]) -> dict[str, int]:
        """Documents whose title or description has each term (absent terms: 0 or missing)."""

    def similar_terms(self, term: str) -> dict[str, int]:
        """Indexed terms within two edits of ``term`` with the same first letter, with their counts."""


def understood_search(
    query: SearchQuery, run: Callable[[QueryPlan], SearchResult], source: SpellingSource
) -> SearchResult:
    """Search ``query``; when its text finds nothing, search again with its misspellings corrected."""
    plan = plan_query(query.text, query.lang, query.exact)
    result = run(plan)
    result.plan = plan if plan.groups else None
    if result.total or not plan.groups:
        return result
    corrected = correct_text(query.text, source)
    if corrected is None:
        return result
    second_plan = plan_query(corrected, query.lang, query.exact)
    second = run(second_plan)
    if not second.total:
        result.suggestion = corrected
        return result
    second.plan = second_plan
    second.corrected_from, second.corrected = query.text, corrected
    return second


def correct_text(text: str, source: SpellingSource) -> str | None:
    """``text`` with each word unknown to the index and to the vocabulary replaced by the nearest
    known one; None when no word needed (or found) a correction."""
    words = query_words(text)
    # The vocabulary's words are known even when no listing uses them yet ("elderley" -> "elderly").
    known_vocab = {t: t for t in DOMAIN_STOPWORDS} | vocabulary().spelling_terms()
    terms = {t for _, t in words if t and max_edits(t)}
    counts = source.term_counts(terms) if terms else {}
    fixes: dict[str, str] = {}
    for term in sorted(terms):
        if counts.get(term) or term in known_vocab:
            continue
        candidates = {t: 0 for t in known_vocab if t[:1] == term[:1]}
        candidates.update(source.similar_terms(term))
        best = best_correction(term, candidates)
        if best:
            fixes[term] = known_vocab.get(best, best)
    if not fixes:
        return None
    return " ".join(fixes.get(t, w) if t else w for w, t in words)
