"""Real partner data read right (issue 12): places on the right continent, event-local times,
and every dated item over once its day is past.

The fixture tests read the 2009 All for Good feeds in ``../shared`` (tests only); the others
build the records the 2009 feeds contain around them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crawlers.formats import parse_feed
from crawlers.formats.base import RawLocation, RawOpportunity
from crawlers.normalize import NormalizeContext, normalize
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from tests.conftest import FIXTURES
from volunteer_hub.core.gazetteer import distance_km
from volunteer_hub.core.opportunity import Location, Opportunity
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync

TODAY = datetime(2026, 11, 30, 12, tzinfo=UTC)
needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")


def normalized(data: bytes, partner: str = "p") -> dict[str, tuple[Opportunity, list[str]]]:
    """source id -> (opportunity, warning messages), for every accepted item of a feed."""
    _, stream = parse_feed(data)
    found = {}
    for entry in stream:
        if isinstance(entry, RawOpportunity):
            opp, problems = normalize(entry, NormalizeContext(partner=partner, now=TODAY))
            if opp is not None:
                found[opp.source_id] = (opp, [p.message for p in problems if p.severity == "warning"])
    return found


def fixture(name: str) -> dict[str, tuple[Opportunity, list[str]]]:
    return normalized((FIXTURES / name).read_bytes())


def km(loc: Location, lat: float, lon: float) -> float:
    assert loc.lat is not None and loc.lon is not None, loc
    return distance_km(loc.lat, loc.lon, lat, lon)


def one(
    *locations: RawLocation, partner_country: str | None = None, **raw: object
) -> tuple[Opportunity, list[str]]:
    item = RawOpportunity(source_id="x", title="Food bank shift", url="https://p.example/x", **raw)
    item.locations = list(locations)
    opp, problems = normalize(item, NormalizeContext(partner="p", default_country=partner_country, now=TODAY))
    assert opp is not None
    return opp, [p.message for p in problems if p.severity == "warning"]


# -- places ------------------------------------------------------------------------------------
@needs_fixtures
def test_fpxml_sample_places_are_in_the_stated_states() -> None:
    items = fixture("sampleData0.1.xml")
    trenton, berkeley, santa_cruz = items["1001"][0].locations
    assert km(santa_cruz, 36.97, -122.03) <= 30  # was near Manila
    assert km(berkeley, 37.87, -122.27) <= 30 and km(trenton, 40.22, -74.76) <= 30
    assert all(loc.country == "US" for loc in (trenton, berkeley, santa_cruz))
    [mercer] = items["2002"][0].locations
    assert km(mercer, 40.22, -74.70) <= 30 and mercer.region == "NJ"  # was Mercer, Pennsylvania


@needs_fixtures
@pytest.mark.parametrize("name", ["volunteermatch-sample1-output-fpxml.xml.gz", "volunteermatch-sample1.xml"])
def test_saint_louis_missouri_is_not_la_reunion(name: str) -> None:
    items = fixture(name)
    [saint_louis] = [loc for opp, _ in items.values() for loc in opp.locations if loc.postal_code == "63108"]
    assert km(saint_louis, 38.63, -90.24) <= 30 and saint_louis.country == "US"


@needs_fixtures
def test_dartmouth_massachusetts_is_not_nova_scotia() -> None:
    [(opp, _)] = fixture("okay_data.xml").values()
    [dartmouth] = opp.locations
    assert dartmouth.city == "Dartmouth" and dartmouth.country == "US"
    assert km(dartmouth, 41.60, -70.98) <= 30  # Massachusetts, not Halifax (44.67, -63.58)


@needs_fixtures
def test_publisher_points_kept_and_a_far_one_flagged() -> None:
    listings = fixture("volunteermatch-sample1.xml")
    bloomfield = listings["1472"][0].locations[0]
    assert (bloomfield.lat, bloomfield.lon) == (41.8616, -72.7279)  # the partner's own point
    events = fixture("usaservice.org-sample.xml.gz")
    kept = sum(
        1
        for opp, _ in events.values()
        for loc in opp.locations
        if loc.lat is not None and loc.lat != 0 and loc.postal_code not in ("92023",)
    )
    assert kept >= 1280
    [(encinitas, messages)] = [v for v in events.values() if v[0].locations[0].postal_code == "92023"]
    # 140 km from its ZIP code: the address wins (FPXML's rule), with the reason given.
    assert km(encinitas.locations[0], 33.04, -117.29) <= 10
    assert any("140 km from ZIP code 92023" in m for m in messages)


def test_a_right_publisher_point_is_kept_when_the_feed_names_no_country() -> None:
    # All for Good's FPXML defaults to the US: the point is not checked against Saint-Louis, La Réunion.
    opp, messages = one(
        RawLocation(city="Saint Louis", region="MO", postal_code="63108", lat="38.6447", lon="-90.2545"),
        default_country="US",
    )
    assert (opp.locations[0].lat, opp.locations[0].lon) == (38.6447, -90.2545) and messages == []


def test_state_and_zip_beat_the_default_country() -> None:
    # A French partner's feed names a US place: its state and ZIP code say where it is.
    opp, _ = one(RawLocation(city="Dartmouth", region="MA", postal_code="02748"), partner_country="FR")
    assert opp.locations[0].country == "US" and km(opp.locations[0], 41.60, -70.98) <= 30


def test_a_city_of_another_state_is_never_taken() -> None:
    # No "Mercer" in New Jersey in the world gazetteer and no ZIP code: no point rather than Pennsylvania.
    opp, _ = one(RawLocation(city="Mercer County", region="NJ"), default_country="US")
    assert opp.locations[0].lat is None or km(opp.locations[0], 40.22, -74.70) <= 40


@pytest.mark.parametrize(("city", "country"), [("India", "IN"), ("Costa Rica", "CR")])
def test_a_country_in_the_city_field_is_the_country(city: str, country: str) -> None:
    opp, _ = one(RawLocation(city=city), default_country="US")
    [loc] = opp.locations
    assert (loc.city, loc.country, loc.lat) == (None, country, None)


def test_a_zip_code_of_another_state_is_flagged() -> None:
    _, messages = one(RawLocation(city="Glenview", region="CA", postal_code="60025", country="US"))
    assert messages == [
        "ZIP code 60025 is in IL (Glenview), not in CA as stated; the state or the ZIP code is wrong"
    ]


def test_postcode_shapes_name_their_country() -> None:
    opp, _ = one(RawLocation(city="Toronto", postal_code="M5V 2T6"), default_country="US")
    assert opp.locations[0].country == "CA" and km(opp.locations[0], 43.65, -79.38) <= 30
    opp, _ = one(RawLocation(city="Bristol", postal_code="BS1 4DJ"), default_country="US")
    assert opp.locations[0].country == "GB" and km(opp.locations[0], 51.45, -2.59) <= 30
    opp, _ = one(RawLocation(city="Rennes", postal_code="35000"), default_country="US")
    assert opp.locations[0].country == "FR" and km(opp.locations[0], 48.11, -1.68) <= 10


# -- times -------------------------------------------------------------------------------------
@needs_fixtures
def test_fpxml_times_follow_the_spec_zones() -> None:
    items = fixture("sampleData0.1.xml")
    west_windsor, _ = items["2001"]
    # startTime 18:45 has no olsonTZ: the zone of the first location (New Jersey), not Paris.
    assert west_windsor.start == datetime.fromisoformat("2009-02-22T18:45:00-05:00")
    assert west_windsor.start.utcoffset() == timedelta(hours=-5)
    assert west_windsor.end == datetime.fromisoformat("2009-02-27T21:00:00-05:00")
    # <lastUpdated olsonTZ="America/Denver">: that element's own zone.
    assert west_windsor.updated is not None and west_windsor.updated.utcoffset() == timedelta(hours=-7)


def fpxml(start_time: str, city: str = "Miami", region: str = "FL", zip_code: str = "33130") -> bytes:
    return f"""<?xml version="1.0"?><FootprintFeed schemaVersion="0.1"><FeedInfo><providerID>1</providerID>
<providerName>p</providerName><createdDateTime>2027-01-01T00:00:00</createdDateTime></FeedInfo>
<VolunteerOpportunities><VolunteerOpportunity><volunteerOpportunityID>7</volunteerOpportunityID>
<title>Evening tutoring</title><detailURL>https://p.example/7</detailURL>
<dateTimeDurations><dateTimeDuration><openEnded>No</openEnded><startDate>2027-03-05</startDate>
<endDate>2027-03-05</endDate>{start_time}<endTime>21:00:00</endTime></dateTimeDuration></dateTimeDurations>
<locations><location><city>{city}</city><region>{region}</region><postalCode>{zip_code}</postalCode>
</location></locations></VolunteerOpportunity></VolunteerOpportunities></FootprintFeed>""".encode()


def test_a_miami_evening_is_in_miami_time() -> None:
    [(opp, _)] = normalized(fpxml("<startTime>19:00:00</startTime>")).values()
    assert opp.start == datetime.fromisoformat("2027-03-05T19:00:00-05:00")  # not 19:00+01:00
    assert opp.end == datetime.fromisoformat("2027-03-05T21:00:00-05:00")


def test_an_olson_zone_on_the_start_time_wins() -> None:
    [(opp, _)] = normalized(fpxml('<startTime olsonTZ="America/Chicago">19:00:00</startTime>')).values()
    assert opp.start is not None and opp.start.utcoffset() == timedelta(hours=-6)


def networkforgood(dates: str) -> bytes:
    return f"""<?xml version="1.0" encoding="iso-8859-1"?>
<VolunteerOpportunities xmlns="http://www.networkforgood.org/VolunteerOpportunities.xsd">
<VolunteerOpportunity><LocalID>55</LocalID><Title>Soup kitchen evening</Title>
<DetailURL>https://nfg.example/55</DetailURL><Description>Serve dinner.</Description>
<Locations><Location><City>Denver</City><StateOrProvince>CO</StateOrProvince>
<ZipOrPostalCode>80202</ZipOrPostalCode><Country>USA</Country></Location></Locations>
<OpportunityDates>{dates}</OpportunityDates></VolunteerOpportunity></VolunteerOpportunities>""".encode()


def test_network_for_good_session_times_are_kept() -> None:
    data = networkforgood(
        "<OpportunityDate><StartDate>2027-03-05</StartDate><EndDate>2027-03-05</EndDate>"
        "<StartTime>18:00:00</StartTime><EndTime>21:00:00</EndTime></OpportunityDate>"
    )
    [(opp, _)] = normalized(data).values()
    assert opp.start == datetime.fromisoformat("2027-03-05T18:00:00-07:00")  # Denver, an evening
    assert opp.end == datetime.fromisoformat("2027-03-05T21:00:00-07:00")  # not the whole day


def test_network_for_good_start_and_duration_end() -> None:
    data = networkforgood(
        "<OpportunityDate><StartDate>2009-06-01</StartDate>"
        "<Duration><DurationQuantity>12</DurationQuantity><DurationUnit>W</DurationUnit></Duration>"
        "</OpportunityDate>"
    )
    [(opp, _)] = normalized(data).values()
    assert not opp.open_ended and opp.end is not None and opp.end.date().isoformat() == "2009-08-24"
    assert opp.is_expired(TODAY)


def test_a_typo_end_date_does_not_keep_a_2009_term_live() -> None:
    # americorps-sample.xml.gz, LocalID 2301: <StartDate>2009-01-01</StartDate><EndDate>5590-01-01</EndDate>
    data = networkforgood(
        "<OpportunityDate><StartDate>2009-01-01</StartDate><EndDate>5590-01-01</EndDate></OpportunityDate>"
    )
    [(opp, messages)] = normalized(data).values()
    assert opp.end is None and opp.is_expired(TODAY)
    assert messages == ["the end date 5590-01-01 is more than 20 years after the start; it was ignored"]


def test_a_french_place_is_still_in_paris_time() -> None:
    opp, _ = one(RawLocation(city="Rennes", postal_code="35000", country="FR"), start="2027-06-10T19:00:00")
    assert opp.start == datetime.fromisoformat("2027-06-10T19:00:00+02:00")
    # A partner in France with no place on the item: Paris too.
    opp, _ = one(partner_country="FR", start="2027-06-10T19:00:00", remote=True)
    assert opp.start is not None and opp.start.utcoffset() == timedelta(hours=2)


# -- expiry ------------------------------------------------------------------------------------
def test_a_start_without_end_is_over_after_its_day() -> None:
    opp, _ = one(RawLocation(city="Miami", region="FL"), start="2009-03-10T12:00:00", open_ended=False)
    assert opp.expiry() == datetime.fromisoformat("2009-03-10T23:59:59-04:00")
    assert opp.is_expired(TODAY)
    ongoing, _ = one(RawLocation(city="Miami", region="FL"), start="2009-03-10", open_ended=True)
    assert ongoing.expiry() is None and not ongoing.is_expired(TODAY)


def test_a_one_off_event_is_not_available_after_its_day(tmp_path: Path) -> None:
    from indexer.base import SearchQuery

    event, _ = one(RawLocation(city="Miami", region="FL"), start="2027-03-10T19:00:00", open_ended=False)
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    backend.ensure_ready()
    backend.upsert([event])

    def found(day: int) -> int:  # searches "available on 2027-03-<day>"
        first = datetime(2027, 3, day, tzinfo=UTC)
        query = SearchQuery(date_from=first, date_to=first + timedelta(days=1), now=TODAY)
        return backend.search(query).total

    assert (found(10), found(20)) == (1, 0)  # on its day, not ten days later


@needs_fixtures
def test_no_2009_one_off_event_is_live_today() -> None:
    events = fixture("usaservice.org-sample.xml.gz")
    assert events and all(opp.is_expired(TODAY) for opp, _ in events.values())
    sample = fixture("sampleData0.1.xml")
    assert all(opp.is_expired(TODAY) for opp, _ in sample.values() if not opp.open_ended)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.session() as s, s.begin():
        s.add(Partner(id="p", name="P", url="https://p.example/feed.xml"))
    return database


def test_expired_on_arrival_is_counted_and_never_indexed(db: Database, tmp_path: Path) -> None:
    past, _ = one(RawLocation(city="Miami", region="FL"), start="2009-03-10T12:00:00", open_ended=False)
    future, _ = one(RawLocation(city="Miami", region="FL"), start="2027-03-10T12:00:00", open_ended=False)
    future.id, future.source_id = "p-future", "future"
    sync = PartnerSync(db, "p", now=TODAY)
    sync.store([past, future])
    assert (sync.counts.seen, sync.counts.expired_on_arrival) == (2, 1)
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    push_pending(db, backend, "p")
    assert [o.source_id for o in backend.export()] == ["future"]
    with db.session() as s:
        states = dict(s.execute(select(StoredOpportunity.source_id, StoredOpportunity.state)).all())
    assert states == {"x": "expired", "future": "live"}


def test_a_two_digit_year_padded_to_four_is_read_in_its_century() -> None:
    # americorps-sample.xml.gz has 25 such terms (listed 2008-2009), e.g. 0009-04-17 to 0010-04-16
    data = networkforgood(
        "<OpportunityDate><StartDate>0009-04-17</StartDate><EndDate>0010-04-16</EndDate></OpportunityDate>"
    )
    [(opp, messages)] = normalized(data).values()
    assert opp.start is not None and opp.start.date().isoformat() == "2009-04-17"
    assert opp.end is not None and opp.end.date().isoformat() == "2010-04-16"
    assert messages == [
        "the start date '0009-04-17' has a two-digit year; it was read as 2009-04-17",
        "the end date '0010-04-16' has a two-digit year; it was read as 2010-04-16",
    ]
    # Read as year 9 it was "expired" on arrival at any date; read right, it was live in its year.
    assert not opp.is_expired(datetime(2009, 6, 1, tzinfo=UTC)) and opp.is_expired(TODAY)
