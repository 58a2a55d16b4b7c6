"""Suggestions as people type in the "what" field: the vocabulary's words and the causes, fr/en."""

from __future__ import annotations

import functools

from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.taxonomy import CAUSES, OTHER
from volunteer_hub.core.textfold import fold
from volunteer_hub.core.vocabulary import vocabulary

MAX_SUGGESTIONS = 8


@functools.cache
def _entries() -> tuple[tuple[str, str, str], ...]:
    """(folded text, text as written, language) of every word people may be looking for."""
    # Keyed by analyzed terms: "sans abri" and "sans-abri", "Sport" and "sport" are suggested once.
    found: dict[tuple[str, ...], tuple[str, str, str]] = {}
    for cause in CAUSES.values():
        if cause.code != OTHER:
            for text, lang in ((cause.label_fr, "fr"), (cause.label_en, "en")):
                found.setdefault(tuple(analyze(text)), (fold(text), text, lang))
    for concept in vocabulary().concepts.values():
        for v in concept.variants:
            if len(v.text) > 3:  # "SDF", "FLE": too short to be worth suggesting
                found.setdefault(v.terms, (fold(v.text), v.text, v.lang))
    return tuple(found.values())


def suggestions(typed: str, lang: str = "fr", limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Words starting with what was typed (or with a word of it starting so), the visitor's
    language first, then those that start with it, then the shorter, then alphabetical."""
    prefix = " ".join(fold(typed).split())
    if len(prefix) < 2:
        return []
    ranked = []
    for folded, text, text_lang in _entries():
        starts = folded.startswith(prefix)
        if starts or f" {prefix}" in f" {folded}" or f"-{prefix}" in folded:
            ranked.append((text_lang != lang, not starts, len(folded), folded, text))
    return [r[-1] for r in sorted(ranked)[:limit]]
