"""The public site's features beyond search: audience counters, "no longer available" pages,
detail extras, problem reports, organization pages, feeds, sitemap, widget, posters."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from search_app.services import services
from tests.helpers import page, titles
from tests.site_samples import BEACH, EXPIRED, GARDEN, HOMEWORK, MEALS, TRANSLATION
from volunteer_hub.store.db import StoredOpportunity
from volunteer_hub.store.public_models import OpportunityActivity


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
        s.add(
            StoredOpportunity(
                id="amis-littoral-removed",
                partner_id="amis-littoral",
                source_id="x",
                content_hash="h",
                data={**gone.to_dict(), "id": "amis-littoral-removed"},
                state="gone",
            )
        )
        s.commit()
    response = client.get("/o/amis-littoral-removed")
    assert response.status_code == 410
    assert BEACH.title in titles(response.get_data(as_text=True))
    assert client.get("/o/never-existed-0000").status_code == 404


# -- step 2: detail page extras ---------------------------------------------------------------
def test_detail_shows_distance_from_the_searched_place(client: FlaskClient) -> None:
    html = page(client, f"/o/{BEACH.id}?near=Rennes")
    distance = r"Saint-Malo \(35400\) <span class=\"meta-distance\">\(à 6[0-9],[0-9] km de Rennes\)"
    assert re.search(distance, html)
    assert "meta-distance" not in page(client, f"/o/{BEACH.id}")
    assert page(client, f"/o/{BEACH.id}?near=Nulle-Part-Imaginaire")  # an unknown place is ignored


def test_results_link_to_details_with_the_place(client: FlaskClient) -> None:
    html = page(client, "/?where=Rennes&radius_km=100")
    assert f"/o/{BEACH.id}?near=Rennes" in html


def test_detail_has_share_links_without_third_party_scripts(client: FlaskClient) -> None:
    html = unescape(page(client, f"/o/{BEACH.id}"))
    canonical = f"http://localhost/o/{BEACH.id}"
    assert f'<input id="share-url" type="text" readonly value="{canonical}">' in html
    assert "mailto:?subject=" in html and "https://www.facebook.com/sharer/sharer.php?u=" in html
    assert "https://wa.me/?text=" in html and "https://www.linkedin.com/sharing/share-offsite/?url=" in html
    assert 'data-copy="share-url"' in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    # Only our own files: the map is Leaflet served by the app (static/vendor), never a CDN, and
    # map.js loads it only when the map comes into view.
    assert scripts == ["/static/share.js", "/static/favourites.js", "/static/map.js"]
    assert 'data-leaflet="/static/vendor/leaflet/leaflet.js"' in html


def test_static_scripts_are_small_and_served(client: FlaskClient) -> None:
    for name in ("share.js", "favourites.js"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and len(response.data) < 6000
        assert "innerHTML" not in response.get_data(as_text=True)


def test_detail_lists_similar_opportunities(client: FlaskClient) -> None:
    html = page(client, f"/o/{BEACH.id}")
    similar = html.split('id="similar-heading"')[1]
    assert GARDEN.title in titles(similar) and BEACH.title not in titles(similar)


def _report_form(html: str) -> dict[str, str]:
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token
    return {"token": token.group(1), "reason": "broken-link", "comment": "Le lien renvoie une erreur 404"}


def test_report_a_problem_lands_in_the_moderation_queue(app: Flask, client: FlaskClient) -> None:
    from volunteer_hub.store.public_models import ProblemReport

    html = page(client, f"/o/{BEACH.id}")
    assert "Signaler un problème" in html
    for reason in ("expired", "broken-link", "not-volunteering", "inappropriate"):
        assert f'value="{reason}"' in html
    response = client.post(f"/o/{BEACH.id}/report", data=_report_form(html))
    assert response.status_code == 303 and response.headers["Location"].endswith("reported=1#report")
    assert "Merci" in page(client, response.headers["Location"])
    with services_of(app).session() as s:
        reports = list(s.scalars(select(ProblemReport)))
    assert [(r.opportunity_id, r.partner_id, r.reason, r.status) for r in reports] == [
        (BEACH.id, "amis-littoral", "broken-link", "open")
    ]
    assert reports[0].comment == "Le lien renvoie une erreur 404" and reports[0].created_at


def test_report_needs_a_valid_token_and_reason(app: Flask, client: FlaskClient) -> None:
    from volunteer_hub.store.public_models import ProblemReport

    form = _report_form(page(client, f"/o/{BEACH.id}"))
    assert client.post(f"/o/{BEACH.id}/report", data={**form, "token": "forged"}).status_code == 400
    assert client.post(f"/o/{MEALS.id}/report", data=form).status_code == 400  # token of another page
    bad = client.post(f"/o/{BEACH.id}/report", data={**form, "reason": "spam<script>"})
    assert bad.status_code == 400 and "Veuillez indiquer ce qui ne va pas" in bad.get_data(as_text=True)
    assert client.post(f"/o/{BEACH.id}/report", data={**form, "comment": "x" * 1001}).status_code == 400
    honeypot = client.post(f"/o/{BEACH.id}/report", data={**form, "website": "http://spam.example"})
    assert honeypot.status_code == 303
    with services_of(app).session() as s:
        assert list(s.scalars(select(ProblemReport))) == []


def test_favourites_page_works_from_the_browser(client: FlaskClient) -> None:
    html = page(client, "/favourites")
    assert 'id="favourites"' in html and 'data-api="/api/v1/opportunities/"' in html
    assert "JavaScript" in html  # the hint shown without JavaScript
    assert 'data-fav-id="' + BEACH.id + '"' in page(client, f"/o/{BEACH.id}")


def test_poster_with_qr_code(client: FlaskClient) -> None:
    html = page(client, f"/o/{BEACH.id}/poster")
    assert BEACH.title in html and "noindex" in html
    svg = re.search(r'<svg class="qr" role="img" aria-label="([^"]+)"[^>]*>.*?</svg>', html, re.S)
    assert svg and f"/o/{BEACH.id}" in svg.group(1)
    assert " style=" not in svg.group(0)
    assert client.get(f"/o/{EXPIRED.id}/poster").status_code == 410
    org = page(client, "/org/les-amis-du-littoral/poster")
    assert "/org/les-amis-du-littoral" in org and '<svg class="qr"' in org and GARDEN.title in org


def test_qr_code_decodes_to_the_url() -> None:
    from search_app.qr import qr_svg

    svg = str(qr_svg("https://example.org/o/x", "label"))
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    assert size == 21 + 4 * 2 + 4 or size >= 25  # version 1 or 2 plus the quiet zone
    assert svg.count("<path") == 1


# -- step 3: organization page, search UI ------------------------------------------------------
def test_organization_page_with_transparency_figures(client: FlaskClient) -> None:
    client.get(f"/go/{BEACH.id}")
    client.get(f"/go/{GARDEN.id}")
    html = page(client, "/org/les-amis-du-littoral")
    assert sorted(titles(html)) == sorted([BEACH.title, GARDEN.title])
    figures = unescape(html.split('class="figures"')[1].split("</dl>")[0])
    assert "Missions ouvertes</dt><dd>2</dd>" in figures
    assert "Visiteurs envoyés vers ses pages d'inscription</dt><dd>2</dd>" in figures
    assert "Environnement (2)" in figures and "Vivre ensemble" in figures
    assert client.get("/org/nobody-here").status_code == 404
    assert client.get("/org/Not%20A%20Slug").status_code == 404
    assert '<a href="/org/les-amis-du-littoral">' in page(client, f"/o/{BEACH.id}")


def test_when_presets_and_date_range() -> None:
    from datetime import date

    from search_app.when import preset_window

    thursday = date(2026, 11, 26)
    assert preset_window("weekend", thursday) == (date(2026, 11, 28), date(2026, 11, 29))
    assert preset_window("weekend", date(2026, 11, 29)) == (date(2026, 11, 29), date(2026, 11, 29))  # Sunday
    assert preset_window("month", date(2026, 2, 10)) == (date(2026, 2, 10), date(2026, 2, 28))


def test_search_form_has_dates_radius_and_nearest(client: FlaskClient) -> None:
    html = page(client, "/?where=Rennes&radius_km=50&sort=nearest")
    for km in (5, 10, 25, 50, 100):
        assert f'<option value="{km}"' in html
    assert '<option value="50" selected>' in html
    assert '<option value="nearest" selected>' in html
    assert 'name="date_from" type="date"' in html and 'name="when"' in html
    assert re.search(r"à [0-9]+,[0-9] km", html)  # distances on the cards


def test_this_month_filter(client: FlaskClient) -> None:
    html = page(client, "/?when=month")
    assert '<option value="month" selected>' in html
    assert "Ce mois-ci" in html  # the removable chip
    weekend = page(client, "/?when=weekend&lang=en")
    assert "This weekend" in weekend
    assert client.get("/?when=someday").status_code == 400


def test_multi_select_cause_facet(client: FlaskClient) -> None:
    html = page(client, "/?cause=environnement&cause=education")
    assert sorted(titles(html)) == sorted([BEACH.title, GARDEN.title, HOMEWORK.title])
    assert html.count('class="facet-link is-selected"') == 2


def test_empty_state_offers_a_wider_radius(client: FlaskClient) -> None:
    html = page(client, "/?where=Rennes&radius_km=5&q=plage")
    assert "radius_km=100" in html


# -- step 4: discoverability, feeds, widget ----------------------------------------------------
def test_json_ld_open_graph_and_canonical(client: FlaskClient) -> None:
    import json

    html = page(client, f"/o/{BEACH.id}?near=Rennes&lang=en")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    data = json.loads(block.group(1))
    assert data["@type"] == "JobPosting" and data["employmentType"] == "VOLUNTEER"
    assert data["title"] == BEACH.title and data["hiringOrganization"]["name"] == "Les Amis du Littoral"
    assert data["jobLocation"][0]["address"]["addressLocality"] == "Saint-Malo"
    assert "alert" not in data["description"]
    canonical = f"http://localhost/o/{BEACH.id}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert f'<link rel="alternate" hreflang="fr" href="{canonical}?lang=fr">' in html
    assert f'<meta property="og:title" content="{BEACH.title}">' in html
    assert '<meta name="description" content="Venez nous aider' in html


def test_json_ld_cannot_be_closed_by_partner_text(app: Flask, backend) -> None:  # noqa: ANN001
    from tests.site_samples import site_opportunity as _opportunity

    evil = _opportunity("amis-littoral", "evil", "</script><script>alert(1)</script>", summary="x")
    backend.upsert([evil])
    html = app.test_client().get(f"/o/{evil.id}").get_data(as_text=True)
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block


def test_sitemap_lists_live_opportunities_and_organizations(client: FlaskClient) -> None:
    body = client.get("/sitemap.xml").get_data(as_text=True)
    for opp in (BEACH, HOMEWORK, TRANSLATION, MEALS, GARDEN):
        assert f"<loc>http://localhost/o/{opp.id}</loc>" in body
    assert EXPIRED.id not in body
    assert "<loc>http://localhost/org/les-amis-du-littoral</loc>" in body
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").get_data(as_text=True)


def test_search_feeds_in_rss_and_atom(client: FlaskClient) -> None:
    import xml.etree.ElementTree as ET

    rss = client.get("/feeds/search.rss?cause=environnement&where=Bretagne")
    assert rss.status_code == 200 and rss.mimetype == "application/rss+xml"
    channel = ET.fromstring(rss.data).find("channel")
    assert channel is not None
    assert sorted(i.findtext("title") for i in channel.iter("item")) == sorted([BEACH.title, GARDEN.title])
    atom = client.get("/feeds/search.atom?q=plage&lang=en")
    assert atom.mimetype == "application/atom+xml"
    entries = ET.fromstring(atom.data).findall("{http://www.w3.org/2005/Atom}entry")
    assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries] == [BEACH.title]
    assert client.get("/feeds/search.rss?cause=nope").status_code == 400
    assert client.get("/feeds/search.json").status_code == 404
    html = page(client, "/?q=plage")
    assert 'type="application/rss+xml" title="RSS" href="/feeds/search.rss?q=plage"' in html
    assert 'href="/feeds/search.atom?q=plage"' in html


def test_widget_can_be_framed_and_filters(client: FlaskClient) -> None:
    response = client.get("/widget?organization=Les Amis du Littoral&cause=environnement&limit=1")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in csp and "script-src 'self'" in csp
    html = response.get_data(as_text=True)
    assert html.count('class="widget-link"') == 1 and 'target="_blank"' in html
    assert "Voir les 2 missions" in html
    assert "frame-ancestors 'none'" in client.get("/").headers["Content-Security-Policy"]
    builder = unescape(page(client, "/widget/builder?organization=les-amis-du-littoral&cause=environnement"))
    widget = "http://localhost/widget?organization=les-amis-du-littoral&cause=environnement&lang=fr"
    assert f'<iframe src="{widget}"' in builder
    assert 'class="widget-preview"' in builder


def test_reports_are_rate_limited_per_address(client: FlaskClient) -> None:
    from search_app import reports

    form = _report_form(page(client, f"/o/{BEACH.id}"))
    url = f"/o/{BEACH.id}/report"
    statuses = [client.post(url, data=form).status_code for _ in range(reports.RATE_LIMIT + 1)]
    assert statuses == [303] * reports.RATE_LIMIT + [429]
    other = client.post(f"/o/{BEACH.id}/report", data=form, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 303
