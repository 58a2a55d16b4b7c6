"""The public site's features beyond search: audience counters, "no longer available" pages,
detail extras, problem reports, organization pages, feeds, sitemap, widget, posters."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from search_app.services import services
from tests.test_site import (  # noqa: F401 - fixtures
    BEACH,
    EXPIRED,
    GARDEN,
    HOMEWORK,
    MEALS,
    TRANSLATION,
    app_fixture,
    backend_fixture,
    client_fixture,
    page,
    titles,
)
from volunteer_hub.db import StoredOpportunity
from volunteer_hub.public_models import OpportunityActivity


def _activity(app: Flask, opportunity_id: str) -> tuple[int, int]:
    with services_of(app).session() as s:
        query = select(OpportunityActivity).where(OpportunityActivity.opportunity_id == opportunity_id)
        rows = list(s.scalars(query))
    return sum(r.views for r in rows), sum(r.clicks for r in rows)


def services_of(app: Flask):  # noqa: ANN201
    with app.app_context():
        return services()._database()  # noqa: SLF001


# -- step 1: clicks and views -----------------------------------------------------------------
def test_clicks_and_views_counted_per_opportunity_partner_month(app: Flask, client: FlaskClient) -> None:
    for _ in range(3):
        assert client.get(f"/go/{BEACH.id}").status_code == 302
    client.head(f"/go/{BEACH.id}")  # not a click
    page(client, f"/o/{BEACH.id}")
    page(client, f"/o/{BEACH.id}", headers={"User-Agent": "Googlebot/2.1"})  # not a visitor
    assert _activity(app, BEACH.id) == (1, 3)
    with services_of(app).session() as s:
        row = s.scalars(select(OpportunityActivity)).one()
    assert row.partner_id == "amis-littoral" and row.org_slug == "les-amis-du-littoral"
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}", row.month)


def test_redirect_counter_in_prometheus(client: FlaskClient) -> None:
    def clicks() -> float:
        body = client.get("/metrics").get_data(as_text=True)
        match = re.search(r"^volunteer_hub_redirect_clicks_total ([0-9.e+]+)$", body, re.M)
        return float(match.group(1)) if match else 0.0

    before = clicks()
    client.get(f"/go/{MEALS.id}")
    assert clicks() == before + 1


def test_expired_opportunity_is_gone_with_alternatives(client: FlaskClient) -> None:
    response = client.get(f"/o/{EXPIRED.id}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "plus disponible" in html and EXPIRED.title in html
    assert BEACH.title in titles(html)  # same cause, same region, still live
    assert EXPIRED.title not in titles(html)
    english = client.get(f"/o/{EXPIRED.id}?lang=en").get_data(as_text=True)
    assert "no longer available" in english
    go = client.get(f"/go/{EXPIRED.id}")
    assert go.status_code == 410 and "Location" not in go.headers


def test_removed_opportunity_known_to_the_database_is_gone(app: Flask, client: FlaskClient) -> None:
    gone = GARDEN
    with services_of(app).session() as s:
        s.add(StoredOpportunity(id="amis-littoral-removed", partner_id="amis-littoral", source_id="x",
                                content_hash="h", data={**gone.to_dict(), "id": "amis-littoral-removed"},
                                state="gone"))
        s.commit()
    response = client.get("/o/amis-littoral-removed")
    assert response.status_code == 410
    assert BEACH.title in titles(response.get_data(as_text=True))
    assert client.get("/o/never-existed-0000").status_code == 404
