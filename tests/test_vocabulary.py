"""The bilingual vocabulary (volunteer_hub/core/data/vocabulary.toml) and how queries are understood."""

from __future__ import annotations

import pytest

from volunteer_hub.core.analysis import analyze
from volunteer_hub.core.spelling import best_correction, edit_distance
from volunteer_hub.core.taxonomy import CAUSES
from volunteer_hub.core.understanding import EXACT, SYNONYM, plan_query, score
from volunteer_hub.core.vocabulary import parse, source_text, vocabulary


def test_the_shipped_vocabulary_is_sound():
    vocab, problems = parse(source_text())
    assert problems == []
    assert vocab.version >= 1
    assert len(vocab.concepts) >= 40
    for concept in vocab.concepts.values():
        assert concept.words("fr") and concept.words("en"), f"{concept.id} needs French and English words"
        assert concept.cause is None or concept.cause in CAUSES, concept.id


def test_a_word_in_two_concepts_or_unanalyzable_is_reported():
    _, problems = parse(
        """
        version = 1
        [[concept]]
        id = "a"
        fr = ["Personnes âgées", "le"]
        en = ["à la rue"]
        related = ["nowhere"]
        [[concept]]
        id = "b"
        fr = ["personne agee"]
        en = ["x"]
        """
    )
    text = "\n".join(problems)
    assert "'personne agee' (personne agee) is in both 'a' and 'b'" in text
    assert "'le' has no searchable term" in text
    assert "'à la rue' searches only 'rue'" in text
    assert "related concept 'nowhere' does not exist" in text


@pytest.mark.parametrize(
    "text, concept",
    [
        ("SDF", "homeless"),
        ("sans-abri", "homeless"),
        ("rough sleepers", "homeless"),
        ("Personnes âgées", "elderly"),
        ("elderly", "elderly"),
        ("aide aux devoirs", "tutoring"),
        ("banque alimentaire", "food-bank"),
        ("ordinateur", "digital"),
        ("environment", "environment"),
    ],
)
def test_queries_name_concepts_in_either_language(text, concept):
    plan = plan_query(text)
    assert [g.concept for g in plan.groups] == [concept]


def test_the_typed_words_weigh_more_than_their_synonyms_and_causes_come_along():
    plan = plan_query("environment", lang="en")
    (group,) = plan.groups
    weights = {a.terms: a.weight for a in group.alternatives if a.terms}
    assert weights[("environment",)] == EXACT
    assert weights[("environnement",)] == SYNONYM
    assert [a.cause for a in group.alternatives if a.cause] == ["environnement"]
    assert plan.causes == ("environnement",)


def test_widened_words_are_shown_in_the_visitors_language_first():
    plan = plan_query("elderly", lang="en")
    assert plan.widened_with[:2] == ("older people", "older person")
    assert "personnes âgées" in plan.widened_with
    assert "elderly" not in plan.widened_with


def test_exact_searches_only_the_words_typed():
    plan = plan_query("elderly", exact=True)
    assert [[a.terms for a in g.alternatives] for g in plan.groups] == [[("elderly",)]]
    assert plan.widened_with == ()


def test_domain_stop_words_are_dropped_unless_they_are_the_whole_query():
    assert [g.typed for g in plan_query("bénévole maraude").groups] == [("maraude",)]
    assert [g.typed for g in plan_query("volunteer mission").groups] == [("volunteer",), ("mission",)]
    # Inside a concept's phrase, a domain word is part of the concept.
    assert [g.concept for g in plan_query("bénévolat de compétences").groups] == ["skills-based"]


def test_reference_score_exact_above_synonym_same_language_first():
    plan = plan_query("seniors", lang="fr")
    exact_fr = score(plan, tuple(analyze("Aide aux seniors")), (), [], "fr")
    synonym_fr = score(plan, tuple(analyze("Visites aux personnes âgées")), (), [], "fr")
    synonym_en = score(plan, tuple(analyze("Visits to older people")), (), [], "en")
    assert exact_fr > synonym_fr > synonym_en
    assert score(plan, tuple(analyze("Plage propre")), (), [], "fr") is None


def test_spelling_picks_the_nearest_then_the_most_frequent():
    assert edit_distance("jardinnage", "jardinage") == 1
    assert edit_distance("elderley", "elderly") == 1
    assert edit_distance("ab", "ba") == 1
    assert best_correction("jardinnage", {"jardinage": 1, "jardin": 50}) == "jardinage"
    assert best_correction("benevolle", {"benevole": 3, "benevola": 9}) == "benevole"
    assert best_correction("maison", {"raison": 9}) is None  # another first letter
    assert best_correction("sol", {"sel": 9}) is None  # too short to correct


def test_every_vocabulary_word_is_found_by_its_own_concept():
    vocab = vocabulary()
    for concept in vocab.concepts.values():
        for v in concept.variants:
            groups = plan_query(v.text).groups
            assert len(groups) == 1 and groups[0].concept == concept.id, (v.text, concept.id)
