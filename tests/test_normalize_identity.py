"""One opportunity published by two partners is recognized (grouping key and comparison)."""

from __future__ import annotations

from crawlers.identity import group_key, same_opportunity
from volunteer_hub.opportunity import Location, Opportunity, Organization


def opp(partner: str, title: str, org: str = "Banque Alimentaire 35", pc: str | None = "35000", **kw: object):
    return Opportunity(
        id=f"{partner}-{title}",
        partner=partner,
        source_id=title,
        url="https://x.example/",
        title=title,
        organization=Organization(name=org),
        locations=[Location(city="Rennes", postal_code=pc)] if pc else [],
        **kw,  # type: ignore[arg-type]
    )


def test_same_mission_from_two_partners_groups() -> None:
    a = opp("banque", "Tri des dons")
    b = opp("centre-benevolat", "Tri de don", org="Banque alimentaire 35")
    assert group_key(a) == group_key(b) is not None
    assert same_opportunity(a, b)


def test_near_identical_titles_match_but_different_missions_do_not() -> None:
    a = opp("banque", "Tri des dons alimentaires du samedi")
    b = opp("relais", "Tri des dons alimentaires - samedi")
    assert same_opportunity(a, b)
    assert not same_opportunity(a, opp("relais", "Accueil des familles"))
    assert not same_opportunity(a, opp("relais", "Tri des dons alimentaires du samedi", pc="29200"))
    assert not same_opportunity(a, opp("relais", "Tri des dons alimentaires du samedi", org="Autre asso"))


def test_vague_records_are_not_grouped() -> None:
    assert group_key(opp("a", "Tri", org="")) is None
    assert group_key(opp("a", "Tri", pc=None)) is None
    assert group_key(opp("a", "Tri", pc=None, remote=True)) is not None
