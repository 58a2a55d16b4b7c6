"""The bilingual vocabulary of volunteering (``data/vocabulary.toml``), as the search understands it.

A concept is a thing people look for ("homeless", "elderly", "tutoring"...) with its French and English
words. Words are compared by their analyzed terms (``volunteer_hub.core.analysis``), the same terms both
search backends index, so "Personnes âgées", "personne agee" and "PERSONNES ÂGÉES" are one variant.
The file is read at query time only: editing it changes searches without a reindex.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from volunteer_hub.core.analysis import analyze

Terms = tuple[str, ...]


@dataclass(frozen=True)
class Variant:
    text: str  # as written in the file (shown to people)
    lang: str  # "fr" or "en"
    terms: Terms  # analyzed: what is searched


@dataclass(frozen=True)
class Concept:
    id: str
    variants: tuple[Variant, ...]
    cause: str | None = None
    related: tuple[str, ...] = ()

    def words(self, lang: str | None = None) -> list[str]:
        """The concept's words as written, in ``lang`` first (or only, when given and strict)."""
        return [v.text for v in self.variants if lang is None or v.lang == lang]


@dataclass(frozen=True)
class Vocabulary:
    version: int
    concepts: dict[str, Concept]
    by_terms: dict[Terms, str]  # analyzed variant -> concept id
    longest: int  # most terms in one variant

    def match(self, terms: list[str], start: int) -> tuple[Concept, int] | None:
        """The concept of the longest variant starting at ``terms[start]``, and how many terms it spans."""
        for size in range(min(self.longest, len(terms) - start), 0, -1):
            concept_id = self.by_terms.get(tuple(terms[start : start + size]))
            if concept_id is not None:
                return self.concepts[concept_id], size
        return None

    def spelling_terms(self) -> dict[str, str]:
        """Single-term variants (analyzed -> as written): words a misspelling may have meant."""
        found: dict[str, str] = {}
        for concept in self.concepts.values():
            for v in concept.variants:
                if len(v.terms) == 1:
                    found.setdefault(v.terms[0], v.text.lower())
        return found


def parse(text: str) -> tuple[Vocabulary, list[str]]:
    """Build a vocabulary from TOML text; returns it with the problems found (empty when sound)."""
    data = tomllib.loads(text)
    problems: list[str] = []
    concepts: dict[str, Concept] = {}
    by_terms: dict[Terms, str] = {}
    for entry in data.get("concept", []):
        cid = entry["id"]
        if cid in concepts:
            problems.append(f"concept {cid!r} is declared twice")
        variants: list[Variant] = []
        for lang in ("fr", "en"):
            for word in entry.get(lang, []):
                terms = tuple(analyze(word))
                if not terms:
                    problems.append(f"{cid}: {word!r} has no searchable term (only stop words?)")
                    continue
                if len(terms) == 1 and len(word.replace("-", " ").split()) > 1 and " " in word:
                    # "à la rue" would search for "rue" alone: every street name.
                    problems.append(f"{cid}: {word!r} searches only {terms[0]!r}; write a longer phrase")
                owner = by_terms.get(terms)
                if owner is not None and owner != cid:
                    problems.append(f"{word!r} ({' '.join(terms)}) is in both {owner!r} and {cid!r}")
                by_terms.setdefault(terms, cid)
                variants.append(Variant(word, lang, terms))
        concepts[cid] = Concept(cid, tuple(variants), entry.get("cause"), tuple(entry.get("related", ())))
    for concept in concepts.values():
        for rel in concept.related:
            if rel not in concepts:
                problems.append(f"{concept.id}: related concept {rel!r} does not exist")
    longest = max((len(t) for t in by_terms), default=1)
    return Vocabulary(int(data.get("version", 0)), concepts, by_terms, longest), problems


def source_text() -> str:
    return (resources.files("volunteer_hub.core") / "data" / "vocabulary.toml").read_text(encoding="utf-8")


@functools.cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (parsed once per process)."""
    vocab, _ = parse(source_text())
    return vocab
