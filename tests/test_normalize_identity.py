"""One opportunity published by two partners is recognized (grouping key and comparison)."""

from __future__ import annotations

from volunteer_hub.core.identity import group_key, same_opportunity
from volunteer_hub.core.opportunity import Location, Opportunity, Organization


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


def test_one_partners_own_listings_and_other_days_are_never_copies() -> None:
    from datetime import UTC, datetime

    a = opp("banque", "Tri des dons", start=datetime(2026, 12, 5, 9, tzinfo=UTC))
    assert not same_opportunity(a, opp("banque", "Tri de don", start=datetime(2026, 12, 5, 9, tzinfo=UTC)))
    assert not same_opportunity(a, opp("relais", "Tri des dons", start=datetime(2026, 12, 12, 9, tzinfo=UTC)))
    assert same_opportunity(a, opp("relais", "Tri des dons", start=datetime(2026, 12, 5, 14, tzinfo=UTC)))
    # Numbered teams are different missions.
    assert not same_opportunity(opp("banque", "Maraude équipe 1"), opp("relais", "Maraude équipe 2"))


def test_clusters_keep_the_first_seen_record_and_one_copy_per_partner() -> None:
    from datetime import UTC, datetime, timedelta

    from volunteer_hub.core.identity import Member, cluster, title_terms

    t0 = datetime(2026, 11, 1, tzinfo=UTC)

    def member(i: str, partner: str, title: str, days: int) -> Member:
        return Member(i, partner, t0 + timedelta(days=days), title_terms(title))

    result = cluster(
        [
            member("relais-1", "relais", "Tri des dons", 2),
            member("banque-1", "banque", "Tri des dons", 1),
            member("banque-2", "banque", "Tri de don", 3),  # same partner as the leader: its own listing
            member("mairie-1", "mairie", "Tri des dons", 4),
            member("mairie-2", "mairie", "Accueil des familles", 0),
        ]
    )
    assert result == {
        "banque-1": "banque-1",
        "relais-1": "banque-1",
        "mairie-1": "banque-1",
        "banque-2": "banque-2",
        "mairie-2": "mairie-2",
    }


def lyon(
    partner: str, title: str, *, pc: str | None = "69006", point: tuple[float, float] | None = None
) -> Opportunity:
    location = Location(city="Lyon", postal_code=pc, country="FR") if pc else Location()
    if point is not None:
        location.lat, location.lon = point
    return Opportunity(
        id=f"{partner}-{title}",
        partner=partner,
        source_id=title,
        url="https://x.example/",
        title=title,
        organization=Organization(name="Banque Alimentaire du Rhône"),
        locations=[location],
    )


def test_a_point_and_a_postcode_that_agree_are_one_place() -> None:
    """One partner gives 69006 (its centroid 45.7679, 4.8506), the relay a point 400 m away."""
    a = lyon("banque", "Tri des dons")
    b = lyon("relais", "Tri des dons", pc=None, point=(45.7700, 4.8540))
    assert group_key(a) == group_key(b) is not None
    assert same_opportunity(a, b)
    # 3 km away: another site of the same organization.
    assert not same_opportunity(a, lyon("relais", "Tri des dons", pc=None, point=(45.7950, 4.8600)))
    # Two postcodes decide, even when their centroids are under a kilometre apart (69003 and 69006).
    assert not same_opportunity(a, lyon("relais", "Tri des dons", pc="69003"))


def test_titles_agree_once_place_words_are_set_aside() -> None:
    a = lyon("banque", "Tri des dons")
    assert same_opportunity(a, lyon("relais", "Tri des dons (Lyon 6e)"))
    assert same_opportunity(a, lyon("relais", "Tri des dons (Lyon 6e)", pc=None, point=(45.7700, 4.8540)))
    # Another arrondissement named in the title is another mission, whatever the points say.
    assert not same_opportunity(a, lyon("relais", "Tri des dons (Lyon 3e)", pc=None, point=(45.7640, 4.8520)))
    assert not same_opportunity(
        lyon("banque", "Tri des dons alimentaires du samedi matin"),
        lyon("relais", "Tri des dons alimentaires du samedi matin - équipe 2"),
    )
