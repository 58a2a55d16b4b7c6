"""Text analysis shared by both search backends.

The CI's Elasticsearch is the minimal distribution (no ``analysis-common``: no language
analyzers, no asciifolding), while users run full nodes. Rather than keep two analyzer
chains in step, text is analyzed once, here, in Python: fold accents and case, drop French
and English stop words and elisions, and apply a light plural stemmer. The resulting terms
are indexed as whitespace-separated tokens by both SQLite FTS5 and Elasticsearch (the
``whitespace`` analyzer is part of the ES core), and queries go through the same function,
so "déchets", "dechets" and "Déchet" all become the term ``dechet`` on both backends.
"""

from __future__ import annotations

import functools
import re

from volunteer_hub.core.textfold import fold

_TOKEN = re.compile(r"[a-z0-9]+")

STOPWORDS = frozenset(
    """
    a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma mais me meme
    mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous c d j l m n s t y est sont etre
    an and are as at be by for from has have in is it its of on or that the their this to was
    were will with you your we our
    """.split()
)


# Memoized: a corpus repeats a few tens of thousands of words millions of times, and this was the
# top of the indexing profile (docs/benchmarks.md). Bounded, so a hostile text cannot grow it forever.
@functools.lru_cache(maxsize=200_000)
def stem(term: str) -> str:
    """Light, symmetric plural stemmer for French and English.

    Deliberately conservative: it only has to make singular and plural meet, and it runs
    on both indexed text and queries, so consistency matters more than linguistic accuracy.
    """
    if len(term) <= 3 or term.isdigit():
        return term
    if term.endswith("eaux"):  # bateaux -> bateau
        return term[:-1]
    if term.endswith("aux") and len(term) > 4:  # animaux -> animal
        return term[:-3] + "al"
    if term.endswith("ies") and len(term) > 4:  # activities -> activity
        return term[:-3] + "y"
    if term.endswith("s") and not term.endswith(("ss", "us", "is")):
        return term[:-1]
    if term.endswith("x") and term.endswith(("eux", "oux")):  # cheveux -> cheveu, choux -> chou
        return term[:-1]
    return term


def analyze(text: str | None) -> list[str]:
    """Text -> search terms (folded, stop words removed, stemmed), in order."""
    if not text:
        return []
    return [term for term in map(_term, _TOKEN.findall(fold(text))) if term]


@functools.lru_cache(maxsize=200_000)
def _term(token: str) -> str:
    """A token's search term, "" for a stop word (one cached call per token instead of two steps)."""
    return "" if token in STOPWORDS else stem(token)


def analyzed(text: str | None) -> str:
    """The analyzed terms as one whitespace-separated string, ready to index."""
    return " ".join(analyze(text))
