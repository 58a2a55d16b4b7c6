"""All for Good compatibility (/api/volopps): every parameter, the JSON and RSS shapes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree

from search_app.filters import MILES_TO_KM, period_days
from search_app.params import DATE_ZONE
from search_app.volopps import FP_NAMESPACE, ITEM_FIELDS
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
    assert body["href"].endswith("/api/volopps?q=plage")
    [item] = body["items"]
    assert list(item) == list(ITEM_FIELDS)
    assert all(isinstance(v, str) for k, v in item.items() if k != "categories")
    local_start = BEACH.start.astimezone(DATE_ZONE)  # type: ignore[union-attr]
    assert item == {
        **item,
        "id": BEACH.id,
        "title": BEACH.title,
        "description": BEACH.summary,
        "startDate": local_start.strftime("%Y-%m-%d %H:%M:%S"),
        "city": "Saint-Malo",
        "region": "Bretagne",
        "postalCode": "35400",
        "country": "FR",
        "latlong": "48.6493,-2.0257",
        "categories": ["Environment"],
        "sponsoringOrganizationName": "Les Amis du Littoral",
        "openEnded": "No",
        "virtual": "No",
        "minAge": "16",
        "skills": "Bonne humeur, Bottes",
        "provider": "amis-littoral",
    }
    assert item["detailUrl"] == f"http://localhost/go/{BEACH.id}"  # tracked redirect to the partner
    assert item["xml_url"] == f"http://localhost/o/{BEACH.id}"
    assert item["endDate"].startswith((BEACH.end.astimezone(DATE_ZONE)).date().isoformat())  # type: ignore[union-attr]


def test_open_ended_remote_and_placeless_items(client: FlaskClient) -> None:
    items = {item["id"]: item for item in afg(client, "?num=100")["items"]}
    assert set(items) == {o.id for o in LIVE}
    assert items[HOMEWORK.id]["openEnded"] == "Yes" and items[HOMEWORK.id]["endDate"] == ""
    translation = items[TRANSLATION.id]
    assert translation["virtual"] == "Yes" and translation["latlong"] == "" and translation["city"] == ""
    assert translation["startDate"] == ""


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
    assert channel is not None and channel.findtext("link", "").endswith("/api/volopps?output=rss&q=plage")
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
    ("query", "parameter"),
    [
        ("q=" + "x" * 201, "q"),
        ("vol_loc=Nowhere-Imaginary-Zz", "vol_loc"),
        ("vol_loc=Lyon&vol_dist=0", "vol_dist"),
        ("vol_loc=Lyon&vol_dist=622", "vol_dist"),
        ("vol_loc=Lyon&vol_dist=ten", "vol_dist"),
        ("vol_dist=-5", "vol_dist"),
        ("num=0", "num"),
        ("num=101", "num"),
        ("num=ten", "num"),
        ("start=0", "start"),
        ("start=x", "start"),
        ("start=9900&num=2", "start"),
        ("output=html", "output"),
        ("output=xml", "output"),
        ("timeperiod=tomorrow", "timeperiod"),
        ("category=Zzqx", "category"),
        ("category=Education,Zzqx", "category"),
        ("sort=newest", "sort"),
        ("sort=distance", "sort"),
        ("q=a&q=b", "q"),
    ],
)
def test_bad_parameters_are_400_naming_them(client: FlaskClient, query: str, parameter: str) -> None:
    response = client.get(f"/api/volopps?{query}")
    assert response.status_code == 400, query
    assert response.get_json()["error"]["parameter"] == parameter
    assert response.headers["Access-Control-Allow-Origin"] == "*"


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
