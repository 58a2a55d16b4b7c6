"""Cause taxonomy: codes, labels, category and keyword mapping (and textfold, which it rests on)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_hub.core.taxonomy import CAUSES, cause_label, is_cause, keyword_causes, map_categories
from volunteer_hub.core.textfold import fold, slugify

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "allforgood"

API_ENGAGEMENT_DOMAINS = [
    "animaux", "batiment-industrie-logistique", "benevolat-competences", "communication",
    "culture-loisirs", "education", "emploi", "environnement", "gestion-finance-droit", "humanitaire",
    "memoire-et-citoyennete", "numerique", "prevention-protection", "recherche", "sante",
    "service-public-defense-securite", "solidarite-insertion", "sport", "vivre-ensemble", "autre",
]  # fmt: skip


# -- textfold ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Île-de-France", "ile-de-france"),
        ("ÉCOLE", "ecole"),
        ("Œuvre", "oeuvre"),
        ("cœur", "coeur"),
        ("Ærø", "aero"),
        ("Straße", "strasse"),
        ("l’été", "l'ete"),
        ("Provence-Alpes-Côte d'Azur", "provence-alpes-cote d'azur"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_slugify() -> None:
    assert slugify("Provence-Alpes-Côte d’Azur") == "provence-alpes-cote-d-azur"
    assert slugify("  Arts & Culture!! ") == "arts-culture"
    assert slugify("Saint--Étienne") == "saint-etienne"
    assert slugify("___") == ""


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_slugify_is_idempotent_and_clean(text: str) -> None:
    slug = slugify(text)
    assert slugify(slug) == slug
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


# -- causes ------------------------------------------------------------------------------


def test_codes_are_exactly_the_api_engagement_domains_in_order() -> None:
    assert list(CAUSES) == API_ENGAGEMENT_DOMAINS
    for code, cause in CAUSES.items():
        assert cause.code == code and cause.label_fr and cause.label_en


def test_labels_and_is_cause() -> None:
    assert cause_label("solidarite-insertion", "fr") == "Solidarité et insertion"
    assert cause_label("solidarite-insertion", "en") == "Solidarity & inclusion"
    assert cause_label("environnement", "en-GB") == "Environment"
    assert cause_label("nope", "fr") == "nope"
    assert is_cause("sport") and is_cause("autre")
    assert not is_cause("Sport") and not is_cause("")


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("Environnement", "environnement"),
        ("Environment", "environnement"),
        ("ENVIRONNEMENT", "environnement"),
        ("Hunger", "solidarite-insertion"),
        ("Homeless", "solidarite-insertion"),
        ("Seniors", "solidarite-insertion"),
        ("Animals", "animaux"),
        ("Arts & Culture", "culture-loisirs"),
        ("Health & Medicine", "sante"),
        ("Education & Literacy", "education"),
        ("Children & Youth", "education"),
        ("Disaster Relief", "humanitaire"),
        ("Sports & Recreation", "sport"),
        ("Technology", "numerique"),
        ("Computers & Technology", "numerique"),
        ("Community", "vivre-ensemble"),
        ("Immigrants & Refugees", "solidarite-insertion"),
        ("Veterans", "memoire-et-citoyennete"),
        ("Solidarité", "solidarite-insertion"),
        ("Insertion", "solidarite-insertion"),
        ("Lutte contre l'exclusion", "solidarite-insertion"),
        ("Lutte contre l’exclusion", "solidarite-insertion"),
        ("Santé", "sante"),
        ("sante", "sante"),
        ("Culture", "culture-loisirs"),
        ("Loisirs", "culture-loisirs"),
        ("Sport", "sport"),
        ("Numérique", "numerique"),
        ("Protection animale", "animaux"),
        ("Droits", "gestion-finance-droit"),
        ("Mémoire", "memoire-et-citoyennete"),
        ("Citoyenneté", "memoire-et-citoyennete"),
        ("Éducation", "education"),
        ("Emploi", "emploi"),
        ("Humanitaire", "humanitaire"),
        ("Urgence", "humanitaire"),
        # our own codes and labels
        ("solidarite-insertion", "solidarite-insertion"),
        ("service-public-defense-securite", "service-public-defense-securite"),
        ("Bénévolat de compétences", "benevolat-competences"),
        ("Living together", "vivre-ensemble"),
        # containment: a partner's longer phrasing
        ("Aide aux personnes âgées", "solidarite-insertion"),
        ("Environnement et biodiversité", "environnement"),
        ("Accompagnement scolaire", "education"),
        ("Protection des animaux de compagnie", "animaux"),
        ("Sécurité civile", "service-public-defense-securite"),
    ],
)
def test_category_mapping(category: str, code: str) -> None:
    assert map_categories([category]) == [code]


@pytest.mark.parametrize(
    ("category", "code"),
    [
        # FPXML / All for Good 2009 and VolunteerMatch categoryTag values
        ("Homeless & Hungry", "solidarite-insertion"),
        ("Employment", "emploi"),
        ("Disabled", "solidarite-insertion"),
        ("Women", "vivre-ensemble"),
        ("Advocacy & Human Rights", "humanitaire"),
        ("Board Development", "benevolat-competences"),
        ("Crisis Support", "prevention-protection"),
        ("Emergency & Safety", "prevention-protection"),
        ("Faith-Based", "vivre-ensemble"),
        ("International", "humanitaire"),
        ("Justice & Legal", "gestion-finance-droit"),
        ("LGBT", "vivre-ensemble"),
        ("Media & Broadcasting", "communication"),
        ("Politics", "memoire-et-citoyennete"),
        ("People with Disabilities", "solidarite-insertion"),
        ("Veterans & Military Families", "memoire-et-citoyennete"),
        # Idealist areas of focus
        ("Art, Architecture, Music", "culture-loisirs"),
        ("Community Service and Volunteering", "vivre-ensemble"),
        ("Education and Academia", "education"),
        ("Economic Development", "emploi"),
        ("Family and Parenting", "solidarite-insertion"),
        ("Health, Mental", "sante"),
        ("Recovery, Addiction and Abuse", "sante"),
    ],
)
def test_2009_feed_categories(category: str, code: str) -> None:
    assert map_categories([category]) == [code]


def _fixture_categories() -> set[str]:
    values: set[str] = set()
    for path in sorted(FIXTURES.glob("*.xml*")):
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        text = raw.decode("utf-8", errors="replace").replace("&amp;", "&")
        values.update(re.findall(r"<(?:categoryTag|category)>([^<]+)</", text))
        values.update(re.findall(r'<category term="([^"]+)"', text))
    return {v.strip() for v in values if v.strip()}


@pytest.mark.skipif(not FIXTURES.exists(), reason="shared fixtures not present")
def test_every_fixture_category_maps_to_a_real_cause() -> None:
    categories = _fixture_categories()
    assert len(categories) >= 15
    generic = {"Other Projects"}
    for category in categories:
        causes = map_categories([category])
        assert all(is_cause(c) for c in causes), category
        if category not in generic:
            assert causes != ["autre"], category


def test_overrides_come_first_and_can_silence() -> None:
    # a partner's numeric CategoryIDs (Network for Good feeds) only make sense per partner
    assert map_categories(["6"]) == ["autre"]
    assert map_categories(["6"], overrides={"6": "education"}) == ["education"]
    assert map_categories(["Culture"], overrides={"culture": "sport"}) == ["sport"]
    assert map_categories(["CULTURE"], overrides={"Culture": "sport"}) == ["sport"]  # keys are folded
    silenced = map_categories(["Divers", "x"], text="Nettoyage de plage", overrides={"x": ""})
    assert silenced == ["environnement"]


def test_dedupe_order_and_cap() -> None:
    assert map_categories(["Sport", "Culture", "Santé", "Emploi"]) == ["sport", "culture-loisirs", "sante"]
    assert map_categories(["Environment", "Environnement", "environnement"]) == ["environnement"]
    assert map_categories(["Culture et sport"]) == ["culture-loisirs", "sport"]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("dechets de plage", "environnement"),
        ("Ramassage de déchets sur la plage", "environnement"),
        ("River cleanup: pick up litter along the river", "environnement"),
        ("Collecte nationale pour la Banque Alimentaire", "solidarite-insertion"),
        ("Serve meals at our food bank for homeless neighbours", "solidarite-insertion"),
        ("Maraude auprès des sans-abri", "solidarite-insertion"),
        ("Soutien scolaire pour collégiens", "education"),
        ("Literacy tutoring for adults", "education"),
        ("Alphabétisation", "education"),
        ("Accompagner les patients à l'hôpital", "sante"),
        ("Promener les chiens du refuge", "animaux"),
        ("Walk the dogs at the shelter", "animaux"),
        ("Signaleur sur le marathon", "sport"),
        ("Bénévoles pour le festival et les concerts", "culture-loisirs"),
        ("Accueil au musée", "culture-loisirs"),
        ("Ateliers ordinateur et démarches numériques", "numerique"),
    ],
)
def test_keyword_fallback(text: str, code: str) -> None:
    assert map_categories([], text)[0] == code
    assert map_categories(["Other"], text)[0] == code  # a generic category gives the text its chance


def test_keyword_fallback_avoids_common_traps() -> None:
    # "à la recherche de" is "looking for", not research; "patient" is a virtue, "website" a footer
    assert map_categories([], "Nous sommes à la recherche de bénévoles motivés") == ["autre"]
    assert map_categories([], "Be patient and kind. Visit our website.") == ["autre"]
    # "homeless shelter" is not an animal shelter
    assert map_categories([], "Evening shift at the homeless shelter") == ["solidarite-insertion"]


def test_unknown_gives_autre_only() -> None:
    assert map_categories([]) == ["autre"]
    assert map_categories(["Zzz"], "lorem ipsum dolor") == ["autre"]
    assert map_categories(["Autre"], "") == ["autre"]
    assert map_categories(["Other", "Sport"]) == ["sport"]


def test_keyword_causes_ranks_by_mentions() -> None:
    text = "Nettoyage de la plage, tri des déchets, sensibilisation au climat. Avec un club local."
    assert keyword_causes(text)[0] == "environnement"
    assert "sport" not in keyword_causes(text)  # one incidental mention against three


@given(st.lists(st.text(max_size=30), max_size=6), st.text(max_size=200))
def test_map_categories_always_returns_1_to_3_known_causes(categories: list[str], text: str) -> None:
    causes = map_categories(categories, text)
    assert 1 <= len(causes) <= 3
    assert len(set(causes)) == len(causes)
    assert all(is_cause(c) for c in causes)
    assert causes == ["autre"] or "autre" not in causes
