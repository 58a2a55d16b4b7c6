"""What a search query means: its words, the concepts they name, and how listings are scored for it.

``plan_query`` turns the text typed in the "what" field into groups, one per concept or word typed;
a listing matches when it matches every group, through any of the group's alternatives:

* the words typed (``EXACT``), then the concept's other words in French and English (``SYNONYM``),
  the concept's cause (a listing of the cause ``environnement`` matches ``environment``), and the
  words of related concepts (``RELATED``: "sans abri" also finds soup kitchens);
* a group's score is its best alternative's: the alternative's weight times ``TITLE`` when it is in
  the title plus ``BODY`` when it is in the description (``CAUSE`` for a cause); a listing's score is
  the sum over the groups, plus ``SAME_LANGUAGE`` when it is written in the visitor's language.

Both search backends compute exactly this score (weights are multiples of 0.5, exact in the 32-bit
floats Elasticsearch sums), and break ties by id, so they rank identically. Domain stop words
("bénévole", "volunteer", "mission": every listing is one) are dropped from a query that has other
words, so they never make an all-words query fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from volunteer_hub.core.analysis import STOPWORDS, analyze, stem
from volunteer_hub.core.textfold import fold
from volunteer_hub.core.vocabulary import Concept, Terms, Vocabulary, vocabulary

EXACT = 4.0
SYNONYM = 3.0
RELATED = 1.0
TITLE = 3.0
BODY = 1.0
CAUSE = 2.0
SAME_LANGUAGE = 0.5
WIDENED_SHOWN = (3, 2)  # words of a concept named on "also showing results for": visitor's language, other

DOMAIN_STOPWORDS = frozenset(
    analyze(
        "bénévole bénévoles bénévolat volontaire volontaires volontariat volunteer volunteers volunteering"
        " mission missions skills compétences"
    )
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a group: a phrase of analyzed terms, or a cause code."""

    weight: float
    terms: Terms = ()
    cause: str | None = None


@dataclass(frozen=True)
class Group:
    typed: Terms  # the analyzed words typed
    alternatives: tuple[Alternative, ...]
    concept: str | None = None


@dataclass(frozen=True)
class QueryPlan:
    text: str
    lang: str
    exact: bool
    groups: tuple[Group, ...]
    widened_with: tuple[str, ...] = ()  # words the vocabulary added, as written, for the visitor
    causes: tuple[str, ...] = ()  # causes the query named
    dropped: tuple[str, ...] = field(default=())  # domain stop words left out

    @property
    def phrases(self) -> list[Terms]:
        """Every searched phrase (for highlighting), longest first."""
        found = {a.terms for g in self.groups for a in g.alternatives if a.terms}
        return sorted(found, key=lambda t: (-len(t), t))


def plan_query(
    text: str | None, lang: str = "fr", exact: bool = False, vocab: Vocabulary | None = None
) -> QueryPlan:
    """The query plan of ``text`` typed on a site in ``lang``; ``exact`` searches the typed words only."""
    vocab = vocab or vocabulary()
    terms = analyze(text)
    spans: list[tuple[Terms, Concept | None]] = []
    i = 0
    while i < len(terms):
        found = None if exact else vocab.match(terms, i)
        if found:
            concept, size = found
            spans.append((tuple(terms[i : i + size]), concept))
            i += size
        else:
            spans.append(((terms[i],), None))
            i += 1
    kept = [s for s in spans if s[1] is not None or s[0][0] not in DOMAIN_STOPWORDS]
    dropped = tuple(s[0][0] for s in spans if s not in kept) if kept else ()
    spans = kept or spans

    groups: list[Group] = []
    widened: list[str] = []
    causes: list[str] = []
    seen: set[object] = set()
    for typed, concept in spans:
        key = concept.id if concept else typed
        if key in seen:
            continue
        seen.add(key)
        if concept is None:
            groups.append(Group(typed, (Alternative(EXACT, typed),)))
            continue
        groups.append(Group(typed, _alternatives(typed, concept, vocab), concept.id))
        widened += _shown_words(concept, typed, lang)
        if concept.cause:
            causes.append(concept.cause)
    return QueryPlan(
        text=text or "",
        lang=lang,
        exact=exact,
        groups=tuple(groups),
        widened_with=tuple(dict.fromkeys(widened)),
        causes=tuple(causes),
        dropped=dropped,
    )


def _alternatives(typed: Terms, concept: Concept, vocab: Vocabulary) -> tuple[Alternative, ...]:
    weights: dict[Terms, float] = {typed: EXACT}
    for v in concept.variants:
        weights.setdefault(v.terms, SYNONYM)
    for rel in concept.related:
        for v in vocab.concepts[rel].variants:
            weights.setdefault(v.terms, RELATED)
    alts = [Alternative(w, t) for t, w in weights.items()]
    if concept.cause:
        alts.append(Alternative(SYNONYM, cause=concept.cause))
    return tuple(alts)


def _shown_words(concept: Concept, typed: Terms, lang: str) -> list[str]:
    """A few of the concept's other words: the visitor's language first, then the other one."""
    other = "en" if lang == "fr" else "fr"
    words: list[str] = []
    seen_terms = {typed}
    for wanted, limit in zip((lang, other), WIDENED_SHOWN, strict=True):
        shown = 0
        for v in concept.variants:
            if v.lang == wanted and v.terms not in seen_terms and shown < limit:
                words.append(v.text)
                seen_terms.add(v.terms)
                shown += 1
    return words


def query_words(text: str | None) -> list[tuple[str, str | None]]:
    """The query's folded words with their analyzed term (None for a stop word), in order."""
    return [(w, None if w in STOPWORDS else stem(w)) for w in _WORD.findall(fold(text or ""))]


def score(plan: QueryPlan, title: Terms, body: Terms, causes: list[str], language: str) -> float | None:
    """A listing's score for ``plan`` (None when it does not match), as both backends compute it.

    The reference implementation: the backends compute the same in SQL and in the Elasticsearch query
    DSL; tests compare the three.
    """
    total = 0.0
    for group in plan.groups:
        best = 0.0
        for alt in group.alternatives:
            if alt.cause:
                value = alt.weight * CAUSE if alt.cause in causes else 0.0
            else:
                value = alt.weight * (
                    TITLE * _has_phrase(title, alt.terms) + BODY * _has_phrase(body, alt.terms)
                )
            best = max(best, value)
        if not best:
            return None
        total += best
    return total + (SAME_LANGUAGE if language == plan.lang else 0.0)


def _has_phrase(terms: Terms, phrase: Terms) -> bool:
    n = len(phrase)
    return any(terms[i : i + n] == phrase for i in range(len(terms) - n + 1))
