"""French regions, départements and postal codes; region slugs and labels for any country."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from volunteer_hub.core.regions import (
    DEPARTMENTS,
    REGIONS,
    REGIONS_BY_CODE,
    department_for_postal_code,
    find_region,
    region_for_department,
    region_for_postal_code,
    region_label,
    region_slug,
    register_region_label,
)

SLUGS = [
    "auvergne-rhone-alpes", "bourgogne-franche-comte", "bretagne", "centre-val-de-loire", "corse",
    "grand-est", "hauts-de-france", "ile-de-france", "normandie", "nouvelle-aquitaine", "occitanie",
    "pays-de-la-loire", "provence-alpes-cote-d-azur", "guadeloupe", "martinique", "guyane", "la-reunion",
    "mayotte",
]  # fmt: skip

METROPOLITAN_DEPARTMENTS = [f"{n:02d}" for n in range(1, 96) if n != 20]


def test_the_18_regions() -> None:
    assert list(REGIONS) == SLUGS
    assert {r.code for r in REGIONS.values()} == {
        "84", "27", "53", "24", "94", "44", "32", "11", "28", "75", "76", "52", "93",
        "01", "02", "03", "04", "06",
    }  # fmt: skip
    assert REGIONS_BY_CODE["53"].slug == "bretagne"
    assert REGIONS["la-reunion"].name_fr == "La Réunion"
    assert REGIONS["bretagne"].name_en == "Brittany"


def test_department_table_is_complete() -> None:
    expected = set(METROPOLITAN_DEPARTMENTS) | {"2A", "2B", "971", "972", "973", "974", "976"}
    assert set(DEPARTMENTS) == expected
    assert len(DEPARTMENTS) == 101
    for department in DEPARTMENTS.values():
        assert department.region_code in REGIONS_BY_CODE
    # every region has at least one département, the overseas ones exactly one
    by_region = {code: [d for d in DEPARTMENTS.values() if d.region_code == code] for code in REGIONS_BY_CODE}
    assert all(by_region.values())
    assert [d.code for d in by_region["06"]] == ["976"]
    assert len(by_region["11"]) == 8  # Île-de-France
    assert DEPARTMENTS["35"].name == "Ille-et-Vilaine"


@pytest.mark.parametrize(
    ("department", "slug"),
    [
        ("35", "bretagne"), ("29", "bretagne"), ("75", "ile-de-france"), ("69", "auvergne-rhone-alpes"),
        ("13", "provence-alpes-cote-d-azur"), ("2A", "corse"), ("2b", "corse"), ("971", "guadeloupe"),
        ("972", "martinique"), ("973", "guyane"), ("974", "la-reunion"), ("976", "mayotte"),
        ("59", "hauts-de-france"), ("67", "grand-est"), ("33", "nouvelle-aquitaine"), ("31", "occitanie"),
        ("44", "pays-de-la-loire"), ("45", "centre-val-de-loire"), ("21", "bourgogne-franche-comte"),
        ("14", "normandie"), ("1", "auvergne-rhone-alpes"),
    ],
)  # fmt: skip
def test_region_for_department(department: str, slug: str) -> None:
    region = region_for_department(department)
    assert region is not None and region.slug == slug


@pytest.mark.parametrize("department", ["20", "96", "975", "99", "", "xx"])
def test_region_for_unknown_department(department: str) -> None:
    assert region_for_department(department) is None


@pytest.mark.parametrize(
    ("postal_code", "department", "slug"),
    [
        ("35000", "35", "bretagne"),
        ("75011", "75", "ile-de-france"),
        ("69003", "69", "auvergne-rhone-alpes"),
        ("01000", "01", "auvergne-rhone-alpes"),
        ("20000", "2A", "corse"),  # Ajaccio
        ("20090", "2A", "corse"),
        ("20167", "2A", "corse"),
        ("20190", "2A", "corse"),
        ("20200", "2B", "corse"),  # Bastia
        ("20600", "2B", "corse"),
        ("20620", "2B", "corse"),
        ("97100", "971", "guadeloupe"),
        ("97200", "972", "martinique"),
        ("97300", "973", "guyane"),
        ("97400", "974", "la-reunion"),
        ("97600", "976", "mayotte"),
        ("94390", "91", "ile-de-france"),  # Paray-Vieille-Poste (Essonne) has a Val-de-Marne code
        (" 35 000 ", "35", "bretagne"),
    ],
)
def test_postal_codes(postal_code: str, department: str, slug: str) -> None:
    assert department_for_postal_code(postal_code) == department
    region = region_for_postal_code(postal_code)
    assert region is not None and region.slug == slug


@pytest.mark.parametrize(
    "postal_code",
    [
        "98000",  # Monaco
        "98800",  # Nouvelle-Calédonie: no region
        "97500",  # Saint-Pierre-et-Miquelon
        "97133",  # Saint-Barthélemy
        "97150",  # Saint-Martin
        "00100", "96000", "99999", "3500", "350000", "35A00", "", "abcde",
    ],
)  # fmt: skip
def test_postal_codes_without_region(postal_code: str) -> None:
    assert region_for_postal_code(postal_code) is None


@given(st.sampled_from(METROPOLITAN_DEPARTMENTS + ["20"]), st.integers(min_value=0, max_value=999))
def test_every_metropolitan_postal_code_has_a_region(prefix: str, rest: int) -> None:
    postal_code = f"{prefix}{rest:03d}"
    department = department_for_postal_code(postal_code)
    region = region_for_postal_code(postal_code)
    assert department in DEPARTMENTS
    assert region is not None and region.code == DEPARTMENTS[department].region_code


@pytest.mark.parametrize(
    "text",
    ["Bretagne", "bretagne", "BRETAGNE", " Bretagne ", "Brittany", "Région Bretagne", "la-region-bretagne"],
)
def test_find_region_case_and_language(text: str) -> None:
    region = find_region(text)
    assert region is not None and region.slug == "bretagne"


@pytest.mark.parametrize("slug", SLUGS)
def test_find_region_by_slug_and_names(slug: str) -> None:
    region = REGIONS[slug]
    assert find_region(slug) == region
    assert find_region(region.name_fr) == region
    assert find_region(region.name_en) == region
    assert find_region(region.name_fr.upper()) == region


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("auvergne-rhone-alpes", "auvergne-rhone-alpes"),
        ("Auvergne Rhone Alpes", "auvergne-rhone-alpes"),
        ("Rhône-Alpes", "auvergne-rhone-alpes"),
        ("rhone alpes", "auvergne-rhone-alpes"),
        ("Auvergne", "auvergne-rhone-alpes"),
        ("Midi-Pyrénées", "occitanie"),
        ("Languedoc-Roussillon", "occitanie"),
        ("Nord-Pas-de-Calais", "hauts-de-france"),
        ("Picardie", "hauts-de-france"),
        ("PACA", "provence-alpes-cote-d-azur"),
        ("Provence-Alpes-Côte d’Azur", "provence-alpes-cote-d-azur"),
        ("Région Sud", "provence-alpes-cote-d-azur"),
        ("Alsace", "grand-est"),
        ("Lorraine", "grand-est"),
        ("Champagne-Ardenne", "grand-est"),
        ("Aquitaine", "nouvelle-aquitaine"),
        ("Limousin", "nouvelle-aquitaine"),
        ("Poitou-Charentes", "nouvelle-aquitaine"),
        ("Basse-Normandie", "normandie"),
        ("Haute-Normandie", "normandie"),
        ("Normandy", "normandie"),
        ("Bourgogne", "bourgogne-franche-comte"),
        ("Franche-Comté", "bourgogne-franche-comte"),
        ("Burgundy", "bourgogne-franche-comte"),
        ("Centre", "centre-val-de-loire"),
        ("Corsica", "corse"),
        ("Île de France", "ile-de-france"),
        ("ile-de-france", "ile-de-france"),
        ("IDF", "ile-de-france"),
        ("Réunion", "la-reunion"),
        ("La Reunion", "la-reunion"),
        ("French Guiana", "guyane"),
        ("FR-BRE", "bretagne"),
    ],
)
def test_find_region_aliases_and_old_regions(text: str, slug: str) -> None:
    region = find_region(text)
    assert region is not None and region.slug == slug


@pytest.mark.parametrize("text", ["California", "", "Paris", "Bavaria", "Region"])
def test_find_region_rejects_other_places(text: str) -> None:
    assert find_region(text) is None


def test_region_slug() -> None:
    assert region_slug("Bretagne") == "bretagne"
    assert region_slug("Rhône-Alpes") == "auvergne-rhone-alpes"
    assert region_slug("Provence-Alpes-Côte d'Azur") == "provence-alpes-cote-d-azur"
    assert region_slug("California") == "california"
    assert region_slug("New York") == "new-york"
    assert region_slug("") == ""


def test_region_label() -> None:
    assert region_label("bretagne", "fr") == "Bretagne"
    assert region_label("bretagne", "en") == "Brittany"
    assert region_label("la-reunion", "fr") == "La Réunion"
    assert region_label("ile-de-france", "en") == "Île-de-France"
    assert region_label("california", "en") == "California"
    assert region_label("new-york", "fr") == "New York"
    register_region_label("test-state-of-sao-paulo", "São Paulo")
    register_region_label("test-bavaria", "Bayern", "fr")
    assert region_label("test-state-of-sao-paulo", "en") == "São Paulo"
    assert region_label("test-bavaria", "fr") == "Bayern"
    assert region_label("test-bavaria", "en") == "Test Bavaria"
