"""One conformance suite, run on the embedded backend and on a real Elasticsearch node.

Every test here must pass identically on both: that is what lets a user start embedded and
move to Elasticsearch without the public seeing different answers.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta

import pytest

from indexer.base import SearchQuery, UnknownFilter
from indexer.sqlite_backend import SqliteBackend
from tests.conftest import drop_generations
from tests.helpers import crawl
from tests.samples import BREST, LYON, MARSEILLE, NOW, PARIS, RENNES, opp, place

pytestmark = pytest.mark.conformance

EARTH_KM = 6371.0087714


def north_of(lat: float, lon: float, km: float) -> tuple[float, float]:
    """The point ``km`` due north on the same sphere both backends use."""
    return lat + math.degrees(km / EARTH_KM), lon


def corpus() -> list:
    return [
        opp(
            "plage",
            "Ramassage de déchets sur la plage",
            causes=["environnement"],
            locations=[BREST],
            description="<p>Nettoyage du littoral avec l'association.</p>",
        ),
        opp(
            "riviere",
            "Nettoyage de la rivière",
            causes=["environnement"],
            locations=[RENNES],
            description="<p>Nous ramassons les déchets le long de la Vilaine.</p>",
        ),
        opp(
            "refuge",
            "Promenade des chiens au refuge",
            causes=["animaux"],
            locations=[LYON],
            description="<p>Sortir les animaux du refuge le week-end.</p>",
        ),
        opp("animal", "Soigner un animal blessé", causes=["animaux"], locations=[PARIS]),
        opp(
            "aide-numerique",
            "Aide numérique pour les seniors",
            causes=["numerique", "solidarite-insertion"],
            remote=True,
            language="fr",
        ),
        opp(
            "food-bank",
            "Food bank sorting volunteers",
            causes=["solidarite-insertion"],
            locations=[MARSEILLE],
            language="en",
            description="<p>Sort donated food for families.</p>",
        ),
        opp("two-places", "Maraude solidaire", causes=["solidarite-insertion"], locations=[PARIS, MARSEILLE]),
        opp(
            "expired",
            "Collecte de déchets terminée",
            causes=["environnement"],
            locations=[RENNES],
            end=NOW - timedelta(days=2),
        ),
        opp(
            "expires-field",
            "Ancienne mission plage",
            causes=["environnement"],
            locations=[BREST],
            expires=NOW - timedelta(hours=1),
        ),
    ]


@pytest.fixture
def loaded(search_backend):
    report = search_backend.upsert(corpus())
    assert report.ok, report.failed
    return search_backend


def ids(result) -> list[str]:
    return [h.opportunity.source_id for h in result.hits]


def search(backend, **kw):
    kw.setdefault("now", NOW)
    kw.setdefault("per_page", 50)
    return backend.search(SearchQuery(**kw))


def test_accents_and_case_are_ignored(loaded):
    for text in ("dechets", "DÉCHETS", "Déchet"):
        assert set(ids(search(loaded, text=text))) == {"plage", "riviere"}, text


def test_title_match_ranks_above_description_match(loaded):
    result = search(loaded, text="déchets")
    assert ids(result)[0] == "plage"  # "déchets" in its title; "riviere" only in its description


def test_plural_and_singular_meet(loaded):
    assert set(ids(search(loaded, text="animaux"))) == {"refuge", "animal"}
    assert set(ids(search(loaded, text="chien"))) == {"refuge"}


def test_every_keyword_must_match(loaded):
    assert ids(search(loaded, text="déchets plage")) == ["plage"]
    assert ids(search(loaded, text="déchets introuvable")) == []


def test_expired_never_returned(loaded):
    found = set(ids(search(loaded)))
    assert "expired" not in found and "expires-field" not in found
    assert search(loaded).total == 7
    # ... but it was current before it ended
    assert "expired" in ids(search(loaded, now=NOW - timedelta(days=3)))


def test_filters_cause_region_remote(loaded):
    assert set(ids(search(loaded, causes=["animaux"]))) == {"refuge", "animal"}
    assert set(ids(search(loaded, regions=["bretagne"]))) == {"plage", "riviere"}
    assert ids(search(loaded, filters={"remote": True})) == ["aide-numerique"]
    assert "aide-numerique" not in ids(search(loaded, filters={"remote": False}))
    combined = search(loaded, text="dechets", causes=["environnement"], regions=["bretagne"])
    assert set(ids(combined)) == {"plage", "riviere"}


def test_field_filters_partner_and_organization(search_backend):
    search_backend.upsert(
        [
            opp("a", "Mission A", partner="alpha", org="Les Amis du Littoral"),
            opp("b", "Mission B", partner="beta", org="Les Amis du Littoral"),
            opp("c", "Mission C", partner="beta", org="Restos du Cœur"),
        ]
    )
    assert set(ids(search(search_backend, filters={"partner": "beta"}))) == {"b", "c"}
    assert set(ids(search(search_backend, filters={"organization": "les-amis-du-littoral"}))) == {"a", "b"}
    both = search(search_backend, filters={"partner": "beta", "organization": "les-amis-du-littoral"})
    assert ids(both) == ["b"]
    assert search(search_backend, filters={"partner": "gamma"}).total == 0


def test_language_filter(loaded):
    assert ids(search(loaded, filters={"language": "en"})) == ["food-bank"]
    french = set(ids(search(loaded, filters={"language": "fr"})))
    assert "aide-numerique" in french and "food-bank" not in french and len(french) == 6
    assert search(loaded, filters={"language": "en"}, causes=["animaux"]).total == 0


def practical_corpus() -> list:
    """Practical facts (issue 13): stated yes, stated no, and unknown (None), which never matches."""
    return [
        opp("p-weekend", "Tri alimentaire le samedi", causes=["solidarite-insertion"], locations=[BREST],
            open_to_minors=True, min_age=16, accessible=True, recurrence="recurring",
            time_of_week=["weekends"], groups=True, commitment_hours_per_week=3),
        opp("p-gala", "Soirée de gala", causes=["culture-loisirs"], locations=[LYON], open_to_minors=False,
            recurrence="one-off", time_of_week=["weekdays", "evenings"], skills_based=True,
            commitment_hours_per_week=4),
        opp("p-unknown", "Aide ponctuelle", causes=["solidarite-insertion"], locations=[PARIS]),
        opp("p-family", "Maraude du soir en famille", causes=["solidarite-insertion"], locations=[RENNES],
            open_to_minors=True, accessible=False, recurrence="recurring", time_of_week=["evenings"],
            family_friendly=True, commitment_hours_per_week=24),
        opp("p-zero", "Heures non dites", causes=["culture-loisirs"], locations=[LYON],
            commitment_hours_per_week=0),
    ]  # fmt: skip


@pytest.fixture
def practical(search_backend):
    report = search_backend.upsert(practical_corpus())
    assert report.ok, report.failed
    return search_backend


def test_practical_filters_match_stated_facts_only(practical):
    def found(**filters) -> set[str]:
        return set(ids(search(practical, filters=filters)))

    assert found(minors=True) == {"p-weekend", "p-family"}
    assert found(minors=False) == {"p-gala"}
    assert found(accessible=True) == {"p-weekend"} and found(accessible=False) == {"p-family"}
    assert found(recurrence="recurring") == {"p-weekend", "p-family"}
    assert found(recurrence="one-off") == {"p-gala"}
    assert found(time_of_week=("evenings",)) == {"p-gala", "p-family"}
    assert found(time_of_week=("evenings", "weekends")) == {"p-weekend", "p-gala", "p-family"}  # any of them
    assert found(skills_based=True) == {"p-gala"}
    assert found(groups=True) == {"p-weekend"} and found(family=True) == {"p-family"}
    assert found(minors=True, time_of_week=("evenings",)) == {"p-family"}
    assert found(skills_based=False) == found(groups=False) == set()  # unknown is not "no"
    # commitment: the feed's hours per week in levels (4 is light, 24 intensive; 0 or none: unknown)
    assert found(commitment="light") == {"p-weekend", "p-gala"}
    assert found(commitment="intensive") == {"p-family"} and found(commitment="regular") == set()
    assert found(commitment="light", minors=True) == {"p-weekend"}


def test_practical_facets_count_every_filter_but_their_own(practical):
    def counts(result, name: str) -> list[tuple[str, int]]:
        return [(f.value, f.count) for f in result.facets[name]]

    everything = search(practical)
    assert counts(everything, "minors") == [("true", 2)]
    assert counts(everything, "accessible") == [("true", 1)]
    assert counts(everything, "recurrence") == [("one-off", 1), ("recurring", 2)]
    assert counts(everything, "time_of_week") == [("weekdays", 1), ("evenings", 2), ("weekends", 1)]
    assert counts(everything, "skills_based") == counts(everything, "groups") == [("true", 1)]
    assert counts(everything, "family") == [("true", 1)]
    assert counts(everything, "commitment") == [("light", 2), ("intensive", 1)]
    assert [f.label for f in search(practical, lang="en").facets["commitment"]] == [
        "Up to 4 hours a week", "Over 10 hours a week",
    ]  # fmt: skip
    labels = {f.value: f.label for f in search(practical, lang="en").facets["time_of_week"]}
    assert labels == {"weekdays": "Weekdays", "evenings": "Evenings", "weekends": "Weekends"}
    assert search(practical).facets["minors"][0].label == "Ouvert aux mineurs"

    minors = search(practical, filters={"minors": True})
    assert minors.total == 2
    assert counts(minors, "minors") == [("true", 2)]  # its own filter is ignored
    assert counts(minors, "recurrence") == [("recurring", 2)]  # the others apply; zero counts are left out
    assert counts(minors, "skills_based") == []
    assert counts(minors, "commitment") == [("light", 1), ("intensive", 1)]
    light = search(practical, filters={"commitment": "light"})
    assert counts(light, "commitment") == [("light", 2), ("intensive", 1)]  # its own filter is ignored
    assert counts(light, "minors") == [("true", 1)]
    assert {f.value: f.count for f in minors.facets["region"]} == {"bretagne": 2}

    evenings = search(practical, filters={"time_of_week": ("evenings",)}, causes=["solidarite-insertion"])
    assert ids(evenings) == ["p-family"]
    assert counts(evenings, "time_of_week") == [("evenings", 1), ("weekends", 1)]  # the cause applies
    causes = {f.value: f.count for f in evenings.facets["cause"]}
    assert causes == {"culture-loisirs": 1, "solidarite-insertion": 1}


def test_a_search_without_facets_finds_the_same_listings_in_the_same_order(practical):
    """``facets=False`` (the home page's fresh missions, related listings) only skips the counts."""
    for kw in (
        {},
        {"causes": ["solidarite-insertion"]},
        {"causes": ["solidarite-insertion"], "regions": ["bretagne"], "filters": {"minors": True}},
        {"text": "soir", "filters": {"time_of_week": ("evenings",)}},
        {
            "near": (RENNES.lat, RENNES.lon),
            "radius_km": 400.0,
            "sort": "nearest",
            "filters": {"family": True},
        },
    ):
        counted, bare = search(practical, **kw), search(practical, facets=False, **kw)
        assert (ids(bare), bare.total) == (ids(counted), counted.total), kw
        assert counted.facets["cause"], kw  # the counts are there when asked for


def test_a_filter_without_translation_is_refused_not_ignored(loaded):
    with pytest.raises(UnknownFilter):
        search(loaded, filters={"no_such_filter": "x"})


def test_facets_count_other_filters_but_not_their_own(loaded):
    result = search(loaded, causes=["animaux"])
    causes = {f.value: f.count for f in result.facets["cause"]}
    regions = {f.value: f.count for f in result.facets["region"]}
    # The cause facet ignores the cause filter (multi-select), so other causes stay visible...
    assert causes["environnement"] == 2 and causes["animaux"] == 2
    # ... while the region facet counts only what the cause filter leaves.
    assert regions == {"auvergne-rhone-alpes": 1, "ile-de-france": 1}
    assert sum(regions.values()) >= result.total
    labels = {f.value: f.label for f in result.facets["cause"]}
    assert labels["animaux"]


def test_facets_consistent_with_totals(loaded):
    for cause in search(loaded).facets["cause"]:
        assert search(loaded, causes=[cause.value]).total == cause.count


def test_radius_edges(search_backend):
    lat, lon = north_of(RENNES.lat, RENNES.lon, 10.0)
    search_backend.upsert([opp("edge", "Mission au bord", locations=[place("Nord", lat, lon)])])
    near = (RENNES.lat, RENNES.lon)
    assert ids(search(search_backend, near=near, radius_km=10.05)) == ["edge"]
    assert ids(search(search_backend, near=near, radius_km=9.95)) == []
    hit = search(search_backend, near=near, radius_km=20).hits[0]
    assert hit.distance_km == pytest.approx(10.0, abs=0.01)


def test_several_locations_and_nearest_sort(loaded):
    near = (MARSEILLE.lat, MARSEILLE.lon)
    result = search(loaded, near=near, radius_km=30, sort="nearest")
    assert set(ids(result)) == {"food-bank", "two-places"}  # two-places also has a Marseille location
    near_paris = search(loaded, near=(PARIS.lat, PARIS.lon), radius_km=5000, sort="nearest")
    assert ids(near_paris)[:2] == ["animal", "two-places"] or ids(near_paris)[:2] == ["two-places", "animal"]
    distances = [h.distance_km for h in near_paris.hits]
    assert distances == sorted(distances)


def test_available_between_overlap(search_backend):
    d = NOW + timedelta(days=30)
    search_backend.upsert(
        [
            opp("early", "Mission de décembre", start=d, end=d + timedelta(days=5)),
            opp("late", "Mission de printemps", start=d + timedelta(days=100), end=d + timedelta(days=110)),
            opp("ongoing", "Mission permanente", open_ended=True),
        ]
    )
    window = search(search_backend, date_from=d + timedelta(days=4), date_to=d + timedelta(days=20))
    assert set(ids(window)) == {"early", "ongoing"}
    assert set(
        ids(search(search_backend, date_from=d + timedelta(days=6), date_to=d + timedelta(days=7)))
    ) == {"ongoing"}


def test_pagination_is_stable_and_complete(loaded):
    pages = [ids(search(loaded, per_page=3, page=p)) for p in (1, 2, 3)]
    flat = [i for page in pages for i in page]
    assert len(flat) == len(set(flat)) == 7
    assert pages == [ids(search(loaded, per_page=3, page=p)) for p in (1, 2, 3)]


def test_recrawl_updates_instead_of_duplicating(loaded):
    changed = opp(
        "plage", "Ramassage de déchets sur la plage de Brest", causes=["environnement"], locations=[BREST]
    )
    report = loaded.upsert([changed])
    assert report.written == 1
    again = loaded.upsert([changed])
    assert again.written == 0 and again.skipped_unchanged == 1
    assert search(loaded).total == 7
    assert loaded.get(changed.id).title.endswith("de Brest")


def test_delete_removes_from_search(loaded):
    target = corpus()[0]
    assert loaded.delete([target.id]) == 1
    assert "plage" not in ids(search(loaded))
    assert loaded.get(target.id) is None


def test_quality_orders_browsing_and_breaks_relevance_ties(search_backend):
    """The quality signal (indexer.documents.quality_score): browse pages show the most trustworthy
    listings first, then the newest; among equally relevant matches the better listing wins."""
    long_text = "<p>" + "Accueillir les familles, trier les dons et préparer les paniers. " * 5 + "</p>"
    now = NOW
    best = opp(
        "best",
        "Colis alimentaires",
        causes=["solidarite-insertion"],
        locations=[RENNES],
        description=long_text,
        start=now + timedelta(days=3),
        posted=now - timedelta(days=30),
    )
    best.last_verified = now - timedelta(days=2)  # fresh, verified, complete, dated, placed: 5
    # Same words (BM25 sees the same lengths), no cause, place, date or recent posting: 0.
    bare = opp("bare", "Colis alimentaires", description=long_text, posted=now - timedelta(days=400))
    newest = opp("newest", "Tri de vêtements", locations=[BREST], posted=now - timedelta(days=1))  # 2
    older = opp("older", "Tri de livres", locations=[LYON], posted=now - timedelta(days=5))  # 2
    report = search_backend.upsert([bare, newest, older, best])
    assert report.ok, report.failed
    assert ids(search(search_backend)) == ["best", "newest", "older", "bare"]
    assert ids(search(search_backend, sort="newest")) == ["newest", "older", "best", "bare"]
    assert ids(search(search_backend, text="colis alimentaires")) == ["best", "bare"]  # same text


def test_same_results_on_both_backends(es_url, tmp_path):
    """The acceptance check of the walking skeleton: keyword + cause + region, same set."""
    from indexer.es_backend import ElasticsearchBackend

    sqlite = SqliteBackend(tmp_path / "s.sqlite3")
    es = ElasticsearchBackend(es_url, alias=f"vh-test-same-{uuid.uuid4().hex[:8]}")
    try:
        for backend in (sqlite, es):
            backend.ensure_ready()
            backend.upsert(corpus())
        for query in (
            dict(text="dechets", causes=["environnement"], regions=["bretagne"]),
            dict(text="aide", filters={"remote": True}),
            dict(causes=["solidarite-insertion"], regions=["provence-alpes-cote-d-azur"]),
            dict(),
        ):
            a, b = search(sqlite, **query), search(es, **query)
            assert sorted(ids(a)) == sorted(ids(b)), query
            assert a.total == b.total
            assert [(f.value, f.count) for f in a.facets["cause"]] == [
                (f.value, f.count) for f in b.facets["cause"]
            ]
            assert [(f.value, f.count) for f in a.facets["region"]] == [
                (f.value, f.count) for f in b.facets["region"]
            ]
    finally:
        drop_generations(es)


# -- sync level: the database is the source of truth, the index follows it -------------------
@pytest.fixture
def db(tmp_path):
    from volunteer_hub.store.db import Database, Partner

    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.session() as s, s.begin():
        s.add(Partner(id="test", name="Test partner", url="https://partner.example/feed.xml"))
        s.add(Partner(id="other", name="Other partner", url="https://other.example/feed.xml"))
    return database


def partner_items(n, partner="test", prefix="m"):
    return [
        opp(
            f"{prefix}{i}",
            f"Collecte de déchets numéro {i}",
            partner=partner,
            org=f"Association {partner}",  # one organization per partner: no cross-partner copies
            causes=["environnement"],
            locations=[RENNES],
        )
        for i in range(n)
    ]


def states(db):
    from sqlalchemy import select

    from volunteer_hub.store.db import StoredOpportunity

    with db.session() as s:
        return {r.source_id: (r.state, r.gone_at) for r in s.scalars(select(StoredOpportunity))}


def test_partner_sync_retires_what_the_partner_no_longer_publishes(db, search_backend):
    outcome, counts, pushed = crawl(db, search_backend, partner_items(10))
    assert outcome.status == "succeeded" and counts.new == 10 and pushed.indexed == 10
    crawl(db, search_backend, partner_items(3, "other", "o"), partner="other")
    assert search(search_backend, text="dechets").total == 13

    outcome, counts, pushed = crawl(db, search_backend, partner_items(8), when=NOW + timedelta(hours=1))
    assert outcome.status == "succeeded" and counts.removed == 2 and pushed.removed == 2
    found = set(ids(search(search_backend, text="dechets")))
    assert "m8" not in found and "m9" not in found and len(found) == 11  # the other partner is untouched
    gone = states(db)
    assert gone["m9"] == ("gone", gone["m9"][1]) and gone["m9"][1] is not None  # kept, with the date
    assert gone["o0"][0] == "live"

    # It comes back: live again, searchable again.
    crawl(db, search_backend, partner_items(10), when=NOW + timedelta(hours=2))
    assert search(search_backend, text="dechets").total == 13 and states(db)["m9"][0] == "live"


def test_shrink_guard_failed_and_partial_runs_remove_nothing(db, search_backend):
    crawl(db, search_backend, partner_items(10))
    assert search(search_backend).total == 10

    outcome, counts, _ = crawl(db, search_backend, partner_items(4), when=NOW + timedelta(hours=1))
    assert outcome.status == "shrink-guarded" and counts.removed == 0
    assert search(search_backend).total == 10

    outcome, _, _ = crawl(
        db, search_backend, partner_items(9), failed="HTTP 500", when=NOW + timedelta(hours=2)
    )
    assert outcome.status == "failed" and search(search_backend).total == 10
    outcome, _, _ = crawl(db, search_backend, partner_items(9), complete=False, when=NOW + timedelta(hours=3))
    assert outcome.status == "partial" and search(search_backend).total == 10
    assert all(state == "live" for state, _ in states(db).values())

    # A run at the threshold passes and retires the rest.
    outcome, counts, _ = crawl(db, search_backend, partner_items(5), when=NOW + timedelta(hours=4))
    assert outcome.status == "succeeded" and counts.removed == 5
    assert search(search_backend).total == 5


# -- zero-downtime rebuild -------------------------------------------------------------------
def test_rebuild_swaps_generations_while_searches_keep_answering(db, search_backend):
    import threading

    from indexer.rebuild import rebuild_index

    fillers = [
        opp(f"f{i}", f"Accompagnement scolaire {i}", causes=["education"], locations=[LYON])
        for i in range(400)
    ]
    crawl(db, search_backend, corpus() + fillers)
    expected = (search(search_backend, text="dechets").total, search(search_backend).total)
    assert expected == (2, 407)

    stop, totals, errors = threading.Event(), [], []

    def search_loop() -> None:
        while not stop.is_set() or len(totals) < 20:
            try:
                totals.append((search(search_backend, text="dechets").total, search(search_backend).total))
            except Exception as exc:  # noqa: BLE001 - the point is to see any error
                errors.append(repr(exc))

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        reports = [rebuild_index(db, search_backend, now=NOW) for _ in range(3)]
    finally:
        stop.set()
        thread.join(timeout=120)
    assert errors == []
    assert len(totals) >= 20 and set(totals) == {expected}
    first, second, third = reports
    # The two expired ones were already over when crawled: stored as expired, never rebuilt.
    assert first.documents == 407 and first.expired == 0
    assert second.previous == first.generation and third.previous == second.generation
    assert first.generation in third.deleted or first.generation not in search_backend.generations()
    # The live generation and the previous one (for rollback) remain, nothing older.
    assert search_backend.generations()[-2:] == [second.generation, third.generation]
    assert len(search_backend.generations()) == 2
    assert search_backend.rollback() == second.generation
    assert search(search_backend).total == 407


def test_rebuild_refuses_to_shrink_and_leaves_the_live_generation(db, search_backend):
    from sqlalchemy import update

    from indexer.base import RebuildError
    from indexer.rebuild import rebuild_index
    from volunteer_hub.store.db import StoredOpportunity

    crawl(db, search_backend, partner_items(10))
    rebuild_index(db, search_backend, now=NOW)
    live, before = search_backend.current_generation(), search_backend.generations()
    with db.session() as s, s.begin():  # a database mishap: most rows hidden
        s.execute(update(StoredOpportunity).where(StoredOpportunity.source_id != "m0").values(state="hidden"))
    with pytest.raises(RebuildError, match="refusing to swap"):
        rebuild_index(db, search_backend, now=NOW)
    assert search_backend.current_generation() == live and search_backend.generations() == before
    assert search(search_backend).total == 10


def test_two_rebuilds_never_race(db, search_backend):
    from indexer.base import RebuildInProgress
    from indexer.rebuild import rebuild_index

    crawl(db, search_backend, partner_items(3))
    with search_backend.rebuild_lock():
        with pytest.raises(RebuildInProgress):
            rebuild_index(db, search_backend, now=NOW)
    assert rebuild_index(db, search_backend, now=NOW).documents == 3  # released afterwards


def test_an_older_generation_gets_the_new_fields_when_made_ready(es_url: str) -> None:
    """A live Elasticsearch generation from before the commitment field (strict mapping) keeps
    accepting writes after an upgrade: ensure_ready adds the missing fields in place."""
    import copy
    import uuid

    from indexer import mapping
    from indexer.es_backend import ElasticsearchBackend
    from tests.conftest import drop_generations

    backend = ElasticsearchBackend(es_url, alias=f"vh-test-{uuid.uuid4().hex[:10]}")
    old = copy.deepcopy(mapping.MAPPING)
    del old["properties"]["commitment"]
    name = backend.new_generation_name()
    backend.es.indices.create(index=name, mappings=old)
    backend.es.indices.put_alias(index=name, name=backend.alias)
    try:
        backend.ensure_ready()
        assert backend.upsert(practical_corpus()).ok
        assert set(ids(search(backend, filters={"commitment": "light"}))) == {"p-weekend", "p-gala"}
    finally:
        drop_generations(backend)
