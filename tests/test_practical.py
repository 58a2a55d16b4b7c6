"""Practical facts inferred from text (volunteer_hub.core.practical): measured, never overriding a feed."""

from __future__ import annotations

import json
import re
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from bench.practical_quality import DEFAULT_SET, main, measure
from crawlers.formats.base import RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from volunteer_hub.core import practical
from volunteer_hub.core.opportunity import Opportunity
from volunteer_hub.core.practical import PRECISION_TARGET, infer_practical


def _inferred(text: str, **fields: object) -> Opportunity:
    opp = Opportunity(id="x", partner="p", source_id="x", url="https://example.org/", title="", **fields)
    infer_practical(opp, text)
    return opp


def test_the_labelled_set_is_large_bilingual_and_has_a_holdout():
    items = json.loads(DEFAULT_SET.read_text(encoding="utf-8"))
    assert len(items) >= 150
    assert {i["lang"] for i in items} == {"fr", "en"}
    assert sum(i.get("split") == "holdout" for i in items) >= 40
    assert len({i["id"] for i in items}) == len(items)
    unknown_everywhere = [i for i in items if not i["labels"]]
    assert len(unknown_everywhere) >= 10  # listings that say none of it


def test_no_inferred_value_is_claimed_below_the_precision_target():
    items = json.loads(DEFAULT_SET.read_text(encoding="utf-8"))
    rows = measure(items)
    below = {r.name: r.precision for r in rows if r.precision is not None and r.precision < PRECISION_TARGET}
    assert below == {}
    claimed = {r.name for r in rows if r.claimed}
    assert {
        "open_to_minors = true",
        "accessible = true",
        "recurrence = recurring",
        "groups = true",
    } <= claimed
    assert main(["--check"]) == 0


def test_ages_and_minors_from_french_and_english():
    assert (_inferred("Bénévoles dès 16 ans bienvenus.").min_age, _inferred("dès 16 ans").open_to_minors) == (
        16,
        True,
    )
    adults = _inferred("Volunteers must be at least 18 years old.")
    assert (adults.min_age, adults.open_to_minors) == (18, False)
    assert _inferred("Réservé aux personnes majeures.").open_to_minors is False
    assert _inferred("Mineurs non acceptés.").open_to_minors is False
    assert _inferred("Teens welcome!").open_to_minors is True


def test_the_people_helped_are_not_the_volunteers():
    helped = _inferred("Animez un atelier théâtre pour les enfants à partir de 8 ans.")
    assert (helped.min_age, helped.open_to_minors) == (None, None)
    assert _inferred("Run crafts for kids ages 6 and up.").min_age is None
    assert _inferred("Accompagnez des collégiens de 11 à 15 ans.").open_to_minors is None


def test_negations_are_read_before_positive_phrases():
    assert _inferred("Local accessible PMR.").accessible is True
    assert _inferred("Salle au 2e étage sans ascenseur.").accessible is False
    assert _inferred("Le site est non accessible aux personnes à mobilité réduite.").accessible is False
    assert _inferred("We make our events accessible to all.").accessible is None
    assert _inferred("No experience needed, we train you.").skills_based is None  # "no" is never claimed
    assert _inferred("Mécénat de compétences : refonte du site.").skills_based is True


def test_recurrence_and_time_of_week_from_text_and_dates():
    weekly = _inferred("Tous les mercredis après-midi et chaque samedi matin.")
    assert weekly.recurrence == "recurring" and weekly.time_of_week == ["weekdays", "weekends"]
    assert _inferred("Every Tuesday, 6:30-8pm.").time_of_week == ["weekdays", "evenings"]
    assert _inferred("Maraude de 20h à 23h.").time_of_week == ["evenings"]
    assert _inferred("Greeter, noon to 6pm.").time_of_week == []  # ends at 6pm: not an evening
    saturday = datetime.fromisoformat("2026-06-20T14:00:00+02:00")
    fete = _inferred("Fête de quartier.", start=saturday, end=saturday.replace(hour=22))
    assert fete.recurrence == "one-off" and fete.time_of_week == ["evenings", "weekends"]
    assert _inferred("Mission ponctuelle ou régulière.").recurrence is None


def test_unknown_stays_unknown():
    opp = _inferred("Notre association recrute des bénévoles tous profils. Contactez-nous !")
    assert (opp.open_to_minors, opp.min_age, opp.accessible, opp.recurrence) == (None, None, None, None)
    assert (opp.time_of_week, opp.skills_based, opp.groups, opp.family_friendly) == ([], None, None, None)


def test_a_value_the_feed_states_is_never_overridden():
    opp = _inferred(
        "Accessible PMR. Dès 14 ans. Chaque samedi. Team building. En famille.",
        accessible=False,
        min_age=18,
        recurrence="one-off",
        time_of_week=["weekdays"],
        groups=False,
        family_friendly=False,
    )
    assert (opp.accessible, opp.min_age, opp.open_to_minors, opp.recurrence) == (False, 18, False, "one-off")
    assert (opp.time_of_week, opp.groups, opp.family_friendly) == (["weekdays"], False, False)


def test_normalize_fills_the_facts_a_feed_leaves_unknown():
    raw = RawOpportunity(
        source_id="1",
        title="Distribution alimentaire du samedi",
        description="<p>Chaque samedi matin. Ouvert aux mineurs dès 16 ans. Local accessible PMR.</p>",
        url="https://example.org/1",
        min_age="17",
    )
    opp, _problems = normalize(raw, NormalizeContext(partner="p"))
    assert opp is not None
    assert (opp.min_age, opp.open_to_minors, opp.accessible) == (17, True, True)  # the feed's 17 stays
    assert (opp.recurrence, opp.time_of_week) == ("recurring", ["weekends"])


PIECES = ["aider", "jardin", "apprecie", "un plus", "skills", "utile", ". ", "; ", "! ", " "]


@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_a_wished_skill_blanks_its_own_sentence_only(parts: list[str]) -> None:
    """The sentence-by-sentence blanking (linear) says what the one-pattern form said (quadratic on
    long descriptions): a sentence naming a wished skill is blanked whole, the others are kept."""
    text = " ".join(parts)
    one_pattern = re.compile(r"[^.!?;]*" + practical._SKILLS_WISHED.pattern + r"[^.!?;]*")
    assert practical._blank_sentences(text, practical._SKILLS_WISHED) == practical._blank(text, one_pattern)
