"""A mission relayed by a second partner: one result on the site and the API, both sources shown.

The food bank publishes its Saturday sorting session; a volunteer centre relays it. Visitors
see it once, with "Also published by" naming the relay and linking to the relay's page; the
relay's own URLs (shared links, API ids) lead to the listed record instead of a dead end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from search_app import create_app
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Location, Opportunity, Organization, make_id
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.partner_sync import PartnerSync
from volunteer_hub.store.public_models import OpportunityActivity

SATURDAY = (datetime.now(UTC) + timedelta(days=10)).replace(hour=9, minute=0, second=0, microsecond=0)
RENNES = Location(city="Rennes", postal_code="35000", region="Bretagne", country="FR", lat=48.1113, lon=-1.68)


def sorting(partner: str, title: str) -> Opportunity:
    opp = Opportunity(
        id=make_id(partner, "tri"),
        partner=partner,
        source_id="tri",
        url=f"https://{partner}.example.org/missions/tri",
        title=title,
        summary="Trier les dons de la collecte nationale.",
        organization=Organization("Banque Alimentaire 35"),
        causes=["solidarite"],
        locations=[RENNES],
        start=SATURDAY,
        end=SATURDAY + timedelta(hours=3),
    )
    opp.content_hash = opp.compute_hash()
    return opp


ORIGINAL = sorting("banque", "Tri des dons alimentaires du samedi")
RELAY = sorting("relais", "Tri des dons alimentaires - samedi")


@pytest.fixture(name="client")
def client_fixture(tmp_path: Path) -> FlaskClient:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    database = Database.from_settings(settings)
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    with database.session() as s, s.begin():
        s.add(Partner(id="banque", name="Banque Alimentaire 35", url="https://banque.example.org/feed"))
        s.add(
            Partner(id="relais", name="Centre du bénévolat de Rennes", url="https://relais.example.org/feed")
        )
    for when, opp in ((SATURDAY - timedelta(days=5), ORIGINAL), (SATURDAY - timedelta(days=4), RELAY)):
        sync = PartnerSync(database, opp.partner, now=when)
        sync.store([opp])
        sync.finish(complete=True, failed_reason=None, shrink_threshold=0.5)
        push_pending(database, backend, opp.partner)
    app = create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": database, "TESTING": True})
    with app.test_client() as client:
        client.database = database  # type: ignore[attr-defined]
        yield client


def text(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_results_list_the_mission_once_naming_the_relay(client: FlaskClient) -> None:
    html = text(client, "/?q=tri+dons&lang=en")
    assert "1 opportunity" in html and html.count('class="card"') == 1
    assert "Also published by Centre du bénévolat de Rennes" in html
    assert "Également publiée par Centre du bénévolat de Rennes" in text(client, "/?q=tri+dons&lang=fr")


def test_detail_page_links_to_the_relay_through_go(client: FlaskClient) -> None:
    html = text(client, f"/o/{ORIGINAL.id}?lang=en")
    assert "Also published by" in html
    assert f'href="/go/{RELAY.id}"' in html and "Centre du bénévolat de Rennes" in html

    response = client.get(f"/go/{RELAY.id}", headers={"User-Agent": "Mozilla/5.0"})
    assert response.status_code == 302 and response.headers["Location"] == RELAY.url
    with client.database.session() as s:  # type: ignore[attr-defined]
        clicks = {a.opportunity_id: a.clicks for a in s.scalars(select(OpportunityActivity)) if a.clicks}
    assert clicks == {RELAY.id: 1}  # the relay's own statistics get the click


def test_the_relays_own_links_lead_to_the_listed_mission(client: FlaskClient) -> None:
    response = client.get(f"/o/{RELAY.id}?near=Rennes")
    assert response.status_code == 301
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/o/{ORIGINAL.id}" and target.query == "near=Rennes"

    api = client.get(f"/api/v1/opportunities/{RELAY.id}")
    assert api.status_code == 301
    assert urlsplit(api.headers["Location"]).path == f"/api/v1/opportunities/{ORIGINAL.id}"
    listed = client.get(urlsplit(api.headers["Location"]).path).get_json()
    assert listed["other_sources"] == [{"partner": "relais", "id": RELAY.id, "url": RELAY.url}]


@pytest.mark.parametrize(
    "query",
    ["opportunity_id=x", "endpoint=public.search", "_method=POST", "_external=1", "_anchor=a&near=Rennes",
     "near=Rennes&near=Brest", "q=%00%0D%0A"],
)  # fmt: skip
def test_the_relays_link_keeps_any_query_string(client: FlaskClient, query: str) -> None:
    """Issue 16: parameters named like url_for's own arguments made this redirect a 500."""
    response = client.get(f"/o/{RELAY.id}?{query}")
    assert response.status_code == 301
    target = urlsplit(response.headers["Location"])
    assert target.path == f"/o/{ORIGINAL.id}" and target.query == query
    assert client.get(f"{target.path}?{target.query}").status_code == 200


def test_api_search_counts_it_once_with_its_sources(client: FlaskClient) -> None:
    body = client.get("/api/v1/opportunities?q=tri").get_json()
    assert body["total"] == 1 and [i["id"] for i in body["items"]] == [ORIGINAL.id]
    assert [s["partner"] for s in body["items"][0]["other_sources"]] == ["relais"]
    assert {f["value"]: f["count"] for f in body["facets"]["cause"]}["solidarite"] == 1


def test_the_relays_dashboard_explains_where_its_listing_is_shown(client: FlaskClient) -> None:
    from search_app.portal.account import create_login_token

    def dashboard(partner: str, lang: str) -> str:
        token = create_login_token(client.database, partner)  # type: ignore[attr-defined]
        assert client.get(f"/partners/login/{token}").status_code == 302
        return text(client, f"/partners/me?lang={lang}")

    assert "1 of them is also published by another partner" in dashboard("relais", "en")
    assert "1 d'entre elles est aussi publiée par un autre partenaire" in dashboard("relais", "fr")
    assert "also published by another partner" not in dashboard("banque", "en")
