"""All for Good compatibility (/api/volopps): every parameter, AFG's leniency, the JSON and RSS shapes.

AFG's own test suite runs in tests/test_volopps_testapi.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from lxml import etree

from search_app.params import DATE_ZONE
from search_app.volopps_format import ATOM_NAMESPACE, FP_NAMESPACE, ITEM_FIELDS
from search_app.volopps_params import MILES_TO_KM, period_days
from tests.site_samples import BEACH, GARDEN, HOMEWORK, LIVE, MEALS, NOW, TRANSLATION


def afg(client: FlaskClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/volopps{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def ids(body: dict[str, Any]) -> list[str]:
    return [item["id"] for item in body["items"]]


def v1_ids(client: FlaskClient, query: str) -> list[str]:
    return [item["id"] for item in client.get(f"/api/v1/opportunities{query}").get_json()["items"]]


def test_envelope_and_item_shape(client: FlaskClient) -> None:
    body = afg(client, "?q=plage")
    assert list(body) == ["lastBuildDate", "version", "language", "href", "description", "items"]
    assert body["version"] == 1.0 and isinstance(body["version"], float)  # a number, as AFG sent it
    assert body["href"].endswith("/api/volopps?q=plage")
    [item] = body["items"]
    assert list(item) == list(ITEM_FIELDS)
    assert item == {
        **item,
        "id": BEACH.id,
        "groupid": BEACH.id,
        "base_url": BEACH.id,
        "title": BEACH.title,
        "description": BEACH.summary,
        "startDate": BEACH.start.strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[union-attr]
        "startTime": BEACH.start.strftime("%H:%M:%S"),  # type: ignore[union-attr]
        "endDate": BEACH.end.strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[union-attr]
        "endTime": BEACH.end.strftime("%H:%M:%S"),  # type: ignore[union-attr]
        "city": "Saint-Malo",
        "region": "Bretagne",
        "postalCode": "35400",
        "country": "FR",
        "latlong": "48.6493,-2.0257",
        "location_name": "Saint-Malo, Bretagne 35400",
        "categories": ["Environment"],
        "sponsoringOrganizationName": "Les Amis du Littoral",
        "openEnded": False,
        "virtual": False,
        "minAge": 16,
        "quality_score": 0.1,
        "interest_count": 0,
        "impressions": 0,
        "skills": "Bonne humeur, Bottes",
        "provider": "amis-littoral",
        "url_short": "amis-littoral.example.org",
        "contactEmail": "",
    }
    assert item["detailUrl"] == f"http://localhost/go/{BEACH.id}"  # tracked redirect to the partner
    assert item["xml_url"] == f"http://localhost/o/{BEACH.id}"


def test_times_keep_the_events_own_offset(client: FlaskClient, backend: Any) -> None:
    """A 19:00 Miami event is 19:00 in the answer: the record's own zone, never converted."""
    miami = ZoneInfo("America/New_York")
    start = (NOW + timedelta(days=4)).astimezone(miami).replace(hour=19, minute=0, second=0)
    event = replace(BEACH, id="amis-littoral-miami", title="Beach sweep in Miami", start=start, end=None)
    event.content_hash = event.compute_hash()
    backend.upsert([event])
    [item] = afg(client, "?q=Miami")["items"]
    assert (item["startDate"][11:], item["startTime"], item["endDate"], item["endTime"]) == (
        "19:00:00",
        "19:00:00",
        "",
        "",
    )


def test_open_ended_remote_and_placeless_items(client: FlaskClient) -> None:
    items = {item["id"]: item for item in afg(client, "?num=100")["items"]}
    assert set(items) == {o.id for o in LIVE}
    assert items[HOMEWORK.id]["openEnded"] is True and items[HOMEWORK.id]["endDate"] == ""
    translation = items[TRANSLATION.id]
    assert translation["virtual"] is True and translation["latlong"] == "" and translation["city"] == ""
    assert translation["startDate"] == "" and translation["minAge"] == ""
    assert items[BEACH.id]["virtual"] is False


def test_q(client: FlaskClient) -> None:
    assert ids(afg(client, "?q=jardin")) == [GARDEN.id]
    assert ids(afg(client, "?q=d%C3%A9chets")) == [BEACH.id]


@pytest.mark.parametrize("vol_loc", ["Saint-Malo", "35400", "48.6493,-2.0257", "48.6493, -2.0257"])
def test_vol_loc_city_postal_code_or_lat_lon(client: FlaskClient, vol_loc: str) -> None:
    assert set(ids(afg(client, f"?vol_loc={vol_loc}"))) == {BEACH.id}  # default 25 miles: not Rennes (~40 mi)


def test_vol_dist_is_in_miles(client: FlaskClient) -> None:
    # Saint-Malo -> Rennes is ~65 km = ~40 miles: 45 miles reaches Rennes, 45 km does not.
    assert set(ids(afg(client, "?vol_loc=Saint-Malo&vol_dist=45"))) == {BEACH.id, GARDEN.id, HOMEWORK.id}
    assert set(v1_ids(client, "?near=Saint-Malo&radius_km=45")) == {BEACH.id}
    km = 45 * MILES_TO_KM
    assert set(v1_ids(client, f"?near=Saint-Malo&radius_km={km}")) == {BEACH.id, GARDEN.id, HOMEWORK.id}
    assert set(ids(afg(client, "?vol_loc=Saint-Malo&vol_dist=30"))) == {BEACH.id}
    assert set(ids(afg(client, "?vol_dist=5"))) == {o.id for o in LIVE}  # without vol_loc: no effect


def test_num_and_start(client: FlaskClient) -> None:
    everything = ids(afg(client, "?sort=date&num=100"))
    assert len(everything) == len(LIVE)
    assert len(ids(afg(client, ""))) == len(LIVE)  # default num is 10
    assert ids(afg(client, "?sort=date&num=2")) == everything[:2]
    assert ids(afg(client, "?sort=date&num=2&start=1")) == everything[:2]
    assert ids(afg(client, "?sort=date&num=2&start=3")) == everything[2:4]  # aligned: one page
    assert ids(afg(client, "?sort=date&num=3&start=2")) == everything[1:4]  # misaligned: two pages
    assert ids(afg(client, "?sort=date&num=3&start=4")) == everything[3:5]  # past the end: what is left
    assert ids(afg(client, "?sort=date&num=3&start=9")) == []


def test_output_json_and_rss(client: FlaskClient) -> None:
    assert afg(client, "?output=json&q=plage")["items"][0]["id"] == BEACH.id
    response = client.get("/api/volopps?output=rss&q=plage")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    root = etree.fromstring(response.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None and channel.findtext("link") == "http://localhost/"
    [self_link] = channel.findall(f"{{{ATOM_NAMESPACE}}}link")
    assert self_link.get("rel") == "self" and self_link.get("type") == "application/rss+xml"
    assert self_link.get("href", "").endswith("/api/volopps?output=rss&q=plage")
    [item] = channel.findall("item")
    assert item.findtext("title") == BEACH.title
    assert item.findtext("link") == f"http://localhost/go/{BEACH.id}"
    assert item.findtext("guid") == f"http://localhost/o/{BEACH.id}"
    assert item.findtext("pubDate")
    assert [c.text for c in item.findall("category")] == ["Environment"]
    fp = {el.tag.removeprefix(f"{{{FP_NAMESPACE}}}"): el.text or "" for el in item if el.tag.startswith("{")}
    assert list(fp) == list(ITEM_FIELDS)
    assert fp["sponsoringOrganizationName"] == "Les Amis du Littoral"
    assert fp["latlong"] == "48.6493,-2.0257" and fp["postalCode"] == "35400"
    assert fp["categories"] == "Environment"
    assert (fp["virtual"], fp["openEnded"], fp["minAge"], fp["quality_score"]) == (
        "False",
        "False",
        "16",
        "0.1",
    )
    several = client.get("/api/volopps?output=rss&q=jardin").data
    assert (
        etree.fromstring(several).findtext(f".//{{{FP_NAMESPACE}}}categories")
        == "Environment,Living together"
    )


def test_rss_survives_hostile_text(client: FlaskClient, backend: Any) -> None:
    nasty = replace(
        BEACH, id="amis-littoral-nasty", title="<b>x</b> & \x0b\x01 ]]> \U0001f600", summary="a\x00b"
    )
    nasty.content_hash = nasty.compute_hash()
    backend.upsert([nasty])
    response = client.get("/api/volopps?output=rss&num=100")
    root = etree.fromstring(response.data)
    titles = [t.text for t in root.iter("title")]
    assert "<b>x</b> &  ]]> \U0001f600" in titles


def test_timeperiod(client: FlaskClient) -> None:
    today = NOW.astimezone(DATE_ZONE).date()
    assert set(ids(afg(client, "?timeperiod=today"))) == {HOMEWORK.id, TRANSLATION.id}
    for period in ("this_weekend", "this_week", "this_month"):
        first, last = period_days(period, today)
        expected = set(v1_ids(client, f"?date_from={first}&date_to={last}&per_page=100"))
        assert set(ids(afg(client, f"?timeperiod={period}&num=100"))) == expected, period
    month_end = period_days("this_month", today)[1]
    in_month = {o.id for o in (MEALS, BEACH, GARDEN) if o.start.astimezone(DATE_ZONE).date() <= month_end}  # type: ignore[union-attr]
    assert set(ids(afg(client, "?timeperiod=this_month&num=100"))) == in_month | {HOMEWORK.id, TRANSLATION.id}


@pytest.mark.parametrize(
    ("today", "period", "expected"),
    [
        (date(2026, 11, 26), "today", (date(2026, 11, 26), date(2026, 11, 26))),  # a Thursday
        (date(2026, 11, 26), "this_weekend", (date(2026, 11, 28), date(2026, 11, 29))),
        (date(2026, 11, 28), "this_weekend", (date(2026, 11, 28), date(2026, 11, 29))),  # Saturday
        (date(2026, 11, 29), "this_weekend", (date(2026, 11, 29), date(2026, 11, 29))),  # Sunday
        (date(2026, 11, 23), "this_week", (date(2026, 11, 23), date(2026, 11, 29))),  # Monday
        (date(2026, 11, 29), "this_week", (date(2026, 11, 29), date(2026, 11, 29))),
        (date(2026, 11, 26), "this_month", (date(2026, 11, 26), date(2026, 11, 30))),
        (date(2028, 2, 10), "this_month", (date(2028, 2, 10), date(2028, 2, 29))),
    ],
)
def test_period_days(today: date, period: str, expected: tuple[date, date]) -> None:
    assert period_days(period, today) == expected


def test_category(client: FlaskClient) -> None:
    assert set(ids(afg(client, "?category=Environment"))) == {BEACH.id, GARDEN.id}
    assert set(ids(afg(client, "?category=Education"))) == {HOMEWORK.id}
    assert set(ids(afg(client, "?category=Hunger"))) == {MEALS.id}  # AFG name -> solidarite-insertion
    assert set(ids(afg(client, "?category=environnement"))) == {BEACH.id, GARDEN.id}  # our code
    assert set(ids(afg(client, "?category=Education,Environment"))) == {HOMEWORK.id, BEACH.id, GARDEN.id}
    assert set(ids(afg(client, "?category=Education&category=Technology"))) == {HOMEWORK.id, TRANSLATION.id}


def test_sort(client: FlaskClient) -> None:
    by_date = ids(afg(client, "?sort=date"))
    assert by_date.index(MEALS.id) < by_date.index(BEACH.id) < by_date.index(GARDEN.id)
    by_distance = ids(afg(client, "?vol_loc=Rennes&vol_dist=100&sort=distance"))
    assert by_distance[-1] == BEACH.id and set(by_distance[:2]) == {HOMEWORK.id, GARDEN.id}
    assert ids(afg(client, "?q=plage&sort=relevance"))[0] == BEACH.id
    with_place = afg(client, "?vol_loc=Saint-Malo&vol_dist=100&sort=distance")
    assert with_place["items"][0]["city"] == "Saint-Malo"


def test_key_is_accepted_and_ignored(client: FlaskClient) -> None:
    assert ids(afg(client, "?key=abc123&q=jardin")) == [GARDEN.id]


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        # Unknown option values fall back to the default, as in AFG.
        ("timeperiod=everything", ""),
        ("timeperiod=tomorrow", ""),
        ("sort=eventrangeend", ""),
        ("sort=newest", ""),
        ("sort=distance", ""),  # without a place
        ("output=html", ""),
        ("output=xml", ""),
        ("type=all", ""),
        ("type=self_directed", ""),
        ("category=all", ""),
        ("vol_loc=anywhere", ""),
        ("vol_startdate=soon", ""),
        ("vol_startdate=2027-02-31", ""),
        ("vol_enddate=2027-01-01", ""),  # an end alone: ignored
        ("vol_dist=5", ""),  # without vol_loc: no effect
        ("vol_dist=-5", ""),
        # Numbers are clamped (AFG's min_max), not refused.
        ("num=150", "num=100"),
        ("num=0", "num=1"),
        ("num=-3", "num=1"),
        ("num=ten", "num=10"),
        ("start=0", "start=1"),
        ("start=x", "start=1"),
        ("start=99999&num=2", "start=9899&num=2"),
        ("vol_loc=Saint-Malo&vol_dist=0", "vol_loc=Saint-Malo&vol_dist=25"),
        ("vol_loc=Saint-Malo&vol_dist=ten", "vol_loc=Saint-Malo&vol_dist=25"),
        ("vol_loc=Saint-Malo&vol_dist=5000", "vol_loc=Saint-Malo&vol_dist=621"),
        ("vol_loc=48.6493,-2.0257,12", "vol_loc=48.6493,-2.0257"),  # AFG's lat,lon,zoom
        # A repeated parameter: the last value wins.
        ("q=jardin&q=plage", "q=plage"),
        ("num=1&num=3&sort=date", "num=3&sort=date"),
        ("vol_loc=Lyon&vol_loc=Saint-Malo", "vol_loc=Saint-Malo"),
        ("q=" + "plage " * 50, "q=plage"),  # over 200 characters: the first 200 are read
    ],
)
def test_afg_leniency(client: FlaskClient, query: str, same_as: str) -> None:
    response = client.get(f"/api/volopps?{query}")
    assert response.status_code == 200, query
    assert ids(response.get_json() if response.is_json else afg(client, f"?{query}&output=json")) == ids(
        afg(client, f"?{same_as}")
    ), query


@pytest.mark.parametrize(
    "query",
    [
        "vol_loc=fqzvzqx",  # AFG's testapi: a bogus place gives an empty result
        "vol_loc=Nowhere-Imaginary-Zz",
        "vol_loc=,",  # no letter or digit: never fuzzy-matched to some village
        "vol_loc=" + "x" * 201,
        "vol_provider=no-such-partner",
        "category=Zzqx",
        "q=category:Zzqx",
        "q=fqzzqx",
    ],
)
def test_what_does_not_exist_gives_an_empty_list(client: FlaskClient, query: str) -> None:
    for output in ("json", "rss"):
        response = client.get(f"/api/volopps?{query}&output={output}")
        assert response.status_code == 200, query
    assert afg(client, f"?{query}")["items"] == []


def test_vol_loc_virtual_and_type_virtual_are_remote_only(client: FlaskClient) -> None:
    assert ids(afg(client, "?vol_loc=virtual")) == [TRANSLATION.id]
    assert ids(afg(client, "?type=virtual")) == [TRANSLATION.id]
    assert ids(afg(client, "?type=virtual&q=plage")) == []


def test_provider_and_vol_provider(client: FlaskClient) -> None:
    littoral = {BEACH.id, GARDEN.id}
    assert set(ids(afg(client, "?vol_provider=amis-littoral"))) == littoral
    assert set(ids(afg(client, "?provider=Amis-Littoral"))) == littoral  # case ignored
    assert set(ids(afg(client, "?vol_provider=passerelles&provider=amis-littoral"))) == {
        TRANSLATION.id,
        MEALS.id,
    }
    assert set(ids(afg(client, "?vol_provider=all"))) == {o.id for o in LIVE}


def test_category_inside_q(client: FlaskClient) -> None:
    assert set(ids(afg(client, "?q=category:Environment"))) == {BEACH.id, GARDEN.id}
    assert set(ids(afg(client, "?q=category:Environment jardin"))) == {GARDEN.id}
    assert set(ids(afg(client, '?q=categories:"Education"'))) == {HOMEWORK.id}
    assert set(ids(afg(client, "?category=Education,Zzqx"))) == {HOMEWORK.id}  # the unknown one drops out


def test_vol_startdate_and_vol_enddate(client: FlaskClient) -> None:
    beach_day = BEACH.start.astimezone(DATE_ZONE).date()  # type: ignore[union-attr]
    garden_day = GARDEN.start.astimezone(DATE_ZONE).date()  # type: ignore[union-attr]
    window = f"?vol_startdate={beach_day}&vol_enddate={beach_day}&num=100"
    expected = set(v1_ids(client, f"?date_from={beach_day}&date_to={beach_day}&per_page=100"))
    assert BEACH.id in expected and GARDEN.id not in expected
    assert set(ids(afg(client, window))) == expected
    assert set(ids(afg(client, f"?vol_startdate={beach_day}&num=100"))) == expected  # alone: that day
    swapped = f"?vol_startdate={garden_day}&vol_enddate={beach_day}&num=100"
    assert {BEACH.id, GARDEN.id} <= set(ids(afg(client, swapped)))
    # timeperiod wins over the dates (AFG: "PARAM_TIMEPERIOD overrides VOL_STARTDATE/VOL_ENDDATE").
    assert set(ids(afg(client, f"{window}&timeperiod=today"))) == set(ids(afg(client, "?timeperiod=today")))


def test_v1_stays_strict(client: FlaskClient) -> None:
    for query in ("per_page=150", "page=0", "near=fqzvzqx", "sort=eventrangeend", "q=a&q=b"):
        assert client.get(f"/api/v1/opportunities?{query}").status_code == 400, query


def test_other_is_a_category(client: FlaskClient) -> None:
    assert afg(client, "?category=Other")["items"] == []  # no fixture has "autre"


def test_expired_never_listed(client: FlaskClient) -> None:
    body = afg(client, "?num=100&q=plage")
    assert ids(body) == [BEACH.id]
    assert timedelta(0) < BEACH.start - NOW  # type: ignore[operator]


def test_cors_preflight(client: FlaskClient) -> None:
    response = client.options(
        "/api/volopps", headers={"Origin": "https://city.example.org", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_language_follows_the_request(client: FlaskClient) -> None:
    assert afg(client)["language"] == "fr"
    english = client.get("/api/volopps", headers={"Accept-Language": "en-US,en;q=0.9"}).get_json()
    assert english["language"] == "en"
    assert english["items"][0]["categories"]  # category names are All for Good's English ones either way
