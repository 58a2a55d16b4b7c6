"""The same mission published by two partners is shown once, with both sources (both backends).

A volunteer centre relays a food bank's Saturday sorting session: same organization, same
place, same day, near-identical title. Search must list it once (totals and facets too), with
the relay's copy listed as another source; when the food bank drops it, the relay's copy takes
over; distinct sessions and a partner's own listings are never merged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from indexer.base import SearchQuery
from indexer.rebuild import rebuild_index
from tests.conftest import drop_generations
from tests.helpers import crawl
from tests.samples import BREST, NOW, RENNES, opp
from volunteer_hub.store.db import Database, Partner, StoredOpportunity

SATURDAY = NOW + timedelta(days=9)
NEXT_WEEK = SATURDAY + timedelta(days=7)


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.session() as s, s.begin():
        s.add(Partner(id="banque", name="Banque Alimentaire 35", url="https://banque.example/feed.xml"))
        s.add(Partner(id="relais", name="Centre du bénévolat", url="https://relais.example/feed.xml"))
    return database


@pytest.fixture
def backend(search_backend):
    yield search_backend
    if search_backend.name == "elasticsearch":
        drop_generations(search_backend)


def sorting(partner: str, source_id: str, title: str = "Tri des dons alimentaires du samedi", **kw):
    kw.setdefault("start", SATURDAY)
    kw.setdefault("end", SATURDAY + timedelta(hours=3))
    kw.setdefault("locations", [RENNES])
    return opp(source_id, title, partner=partner, org="Banque Alimentaire 35", causes=["solidarite"], **kw)


def other(partner: str, source_id: str, title: str):
    org = f"Asso {partner}"
    return opp(source_id, title, partner=partner, org=org, causes=["culture"], locations=[BREST])


def shown(backend, **kw):
    result = backend.search(SearchQuery(now=NOW, per_page=50, **kw))
    return result, {h.opportunity.id: h.opportunity for h in result.hits}


def test_a_relayed_mission_is_listed_once_with_both_sources(db, backend):
    original = sorting("banque", "b1")
    relay = sorting("relais", "r1", "Tri des dons alimentaires - samedi")
    crawl(db, backend, [original, other("banque", "b2", "Atelier lecture")], partner="banque")
    _, _, pushed = crawl(db, backend, [relay, other("relais", "r2", "Accueil du public")], partner="relais")

    result, hits = shown(backend)
    others = {opp("b2", "", partner="banque").id, opp("r2", "", partner="relais").id}
    assert result.total == 3 and set(hits) == {original.id, *others}
    listed = hits[original.id]
    assert [(s.partner, s.id, s.url) for s in listed.other_sources] == [("relais", relay.id, relay.url)]
    assert backend.get(relay.id) is None  # the copy itself is not searchable on its own
    causes = {f.value: f.count for f in result.facets["cause"]}
    assert causes["solidarite"] == 1
    assert shown(backend, text="tri dons")[0].total == 1
    # Both partners keep their own record (their stats, their removals).
    with db.session() as s:
        rows = {r.id: r for r in s.scalars(select(StoredOpportunity))}
    assert rows[relay.id].state == "live" and rows[relay.id].duplicate_of == original.id

    # The relay changes its link: the listed record shows the new one.
    moved = sorting("relais", "r1", "Tri des dons alimentaires - samedi")
    moved.url = "https://relais.example/missions/tri-samedi"
    moved.content_hash = moved.compute_hash()
    later = NOW + timedelta(hours=1)
    crawl(db, backend, [moved, other("relais", "r2", "Accueil du public")], partner="relais", when=later)
    assert [s.url for s in backend.get(original.id).other_sources] == [moved.url]


def test_when_the_original_goes_away_the_copy_takes_over(db, backend):
    original, relay = sorting("banque", "b1"), sorting("relais", "r1")
    keep = [other("banque", f"k{i}", f"Atelier {i}") for i in range(3)]
    crawl(db, backend, [original, *keep], partner="banque")
    crawl(db, backend, [relay], partner="relais")
    assert set(shown(backend, text="tri")[1]) == {original.id}

    # The food bank drops it; the relay's copy is searchable again, with no other source.
    crawl(db, backend, keep, partner="banque", when=NOW + timedelta(hours=1))
    _, hits = shown(backend, text="tri")
    assert set(hits) == {relay.id} and hits[relay.id].other_sources == []

    # It comes back: first seen earlier, it is the listed one again, the relay a source.
    crawl(db, backend, [original, *keep], partner="banque", when=NOW + timedelta(hours=2))
    _, hits = shown(backend, text="tri")
    assert set(hits) == {original.id} and [s.id for s in hits[original.id].other_sources] == [relay.id]


def test_sessions_other_places_and_one_partners_own_listings_stay_apart(db, backend):
    crawl(db, backend, [sorting("banque", "b1"), sorting("banque", "b1-bis")], partner="banque")
    crawl(
        db,
        backend,
        [
            sorting("relais", "next-week", start=NEXT_WEEK, end=NEXT_WEEK + timedelta(hours=3)),
            sorting("relais", "brest", locations=[BREST]),
            sorting("relais", "other-team", "Tri des dons alimentaires du samedi - équipe 2"),
            sorting("relais", "other-job", "Accueil des familles le samedi"),
        ],
        partner="relais",
    )
    result, hits = shown(backend)
    assert result.total == 6 and all(not o.other_sources for o in hits.values())


def test_rebuild_keeps_one_listing_with_its_sources(db, backend):
    original, relay = sorting("banque", "b1"), sorting("relais", "r1")
    crawl(db, backend, [original], partner="banque")
    crawl(db, backend, [relay], partner="relais")

    report = rebuild_index(db, backend, now=NOW)
    assert report.documents == 1 and report.caught_up.indexed == 0
    _, hits = shown(backend)
    assert set(hits) == {original.id} and [s.id for s in hits[original.id].other_sources] == [relay.id]


def test_records_stored_before_grouping_existed_are_grouped_on_the_next_push(db, backend):
    from indexer.sync import push_pending

    original, relay = sorting("banque", "b1"), sorting("relais", "r1")
    crawl(db, backend, [original], partner="banque")
    crawl(db, backend, [relay], partner="relais")
    with db.session() as s, s.begin():  # what an upgraded database looks like: columns empty
        s.execute(
            update(StoredOpportunity).values(
                group_key=None,
                duplicate_of=None,
                sources_hash=None,
                indexed_hash=StoredOpportunity.content_hash,
            )
        )
    backend.upsert([relay])  # and both records in the index
    assert shown(backend)[0].total == 2

    counts = push_pending(db, backend)
    _, hits = shown(backend)
    assert counts.removed == 1 and set(hits) == {original.id}
    assert [s.id for s in hits[original.id].other_sources] == [relay.id]


def test_a_listing_hidden_by_a_moderator_does_not_resurface_through_its_copy(db, backend):
    from indexer.sync import push_pending

    original, relay = sorting("banque", "b1"), sorting("relais", "r1")
    crawl(db, backend, [original], partner="banque")
    crawl(db, backend, [relay], partner="relais")

    def moderate(state: str) -> None:
        with db.session() as s, s.begin():
            s.get(StoredOpportunity, original.id).state = state
        push_pending(db, backend, "banque")

    moderate("hidden")
    assert shown(backend, text="tri")[0].total == 0
    # The relay's next crawl does not bring it back either.
    crawl(db, backend, [relay], partner="relais", when=NOW + timedelta(hours=1))
    assert shown(backend, text="tri")[0].total == 0

    moderate("live")  # the moderator restores it: listed again, with the relay as a source
    _, hits = shown(backend, text="tri")
    assert set(hits) == {original.id} and [s.id for s in hits[original.id].other_sources] == [relay.id]
