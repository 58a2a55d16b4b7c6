"""Direct posting from the partner portal (/partners/postings), moderation, search and reminders."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.portal.account import create_login_token
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services import direct
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database, Partner, StoredOpportunity

EMAIL, PASSWORD = "ops@example.org", "correct horse battery"


@pytest.fixture
def db(database_url: str) -> Database:  # SQLite, then PostgreSQL (tests/conftest.py)
    db = Database(database_url)
    with db.session() as s, s.begin():
        for pid, name in (("asso-a", "Asso A"), ("asso-b", "Asso B")):
            s.add(
                Partner(
                    id=pid,
                    name=name,
                    url="",
                    format="direct",
                    status="approved",
                    contact_email=f"{pid}@ex.org",
                )
            )
        s.add(Partner(id="feedy", name="Feedy", url="https://feedy.example/feed.xml", format="fpxml"))
    return db


@pytest.fixture
def app(db: Database) -> Flask:
    settings = load_settings()
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    add_operator(db, EMAIL, PASSWORD)
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def partner_client(app: Flask, db: Database, partner_id: str) -> FlaskClient:
    client = app.test_client()
    assert client.get(f"/partners/login/{create_login_token(db, partner_id)}").status_code == 302
    return client


def operator_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = csrf(client.get("/admin/login").get_data(as_text=True))
    res = client.post("/admin/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert res.status_code == 302
    return client


FORM = {
    "title": "Aide aux devoirs du mercredi",
    "description": "Accompagner des collégiens dans leurs devoirs, chaque mercredi après-midi.",
    "organization": "",
    "causes": ["education"],
    "places": "Rennes 35000",
    "start": "2027-01-06",
    "end": "",
    "ongoing": "1",
    "url": "https://asso-a.example/devoirs",
    "skills": "pédagogie, patience",
    "min_age": "16",
}


def post_form(client: FlaskClient, path: str, values: dict[str, Any], lang: str = "en") -> Any:
    token = csrf(client.get(f"/partners/postings/new?lang={lang}").get_data(as_text=True))
    return client.post(f"{path}?lang={lang}", data={**values, "csrf_token": token})


def search(app: Flask, q: str) -> list[dict[str, Any]]:
    body = app.test_client().get(f"/api/v1/opportunities?q={q}").get_json()
    return body["items"]


def postings(db: Database, partner_id: str) -> list[direct.DirectPosting]:
    return direct.postings(db, partner_id)


def test_first_posting_waits_for_approval_then_edit_close_and_direct_publishing(
    app: Flask, db: Database
) -> None:
    client = partner_client(app, db, "asso-a")
    me = client.get("/partners/me?lang=en").get_data(as_text=True)
    assert 'href="/partners/postings"' in me and 'href="/partners/formats"' in me
    assert "Feed health" not in me and "Published listings" in me  # no feed: no feed health
    res = post_form(client, "/partners/postings/new", FORM)
    assert res.status_code == 302
    (posting,) = postings(db, "asso-a")
    assert posting.status == "pending" and posting.data["organization"] == "Asso A"
    listing = client.get("/partners/postings?lang=en").get_data(as_text=True)
    assert "waits for approval" in listing and "waiting for approval" in listing
    assert search(app, "devoirs") == []

    # The operator sees it in the moderation area and approves it.
    ops = operator_client(app)
    page = ops.get("/admin/moderation?lang=en").get_data(as_text=True)
    assert "Aide aux devoirs du mercredi" in page and "Approve and publish" in page
    assert ops.post(f"/admin/postings/{posting.id}/approve", data={}).status_code == 400  # CSRF
    res = ops.post(f"/admin/postings/{posting.id}/approve", data={"csrf_token": csrf(page)})
    assert res.status_code == 302
    (found,) = search(app, "devoirs")
    assert found["title"] == "Aide aux devoirs du mercredi"
    stored = db.partner("asso-a") and postings(db, "asso-a")[0]
    assert stored.status == "published" and found["id"] == stored.opportunity_id
    with db.session() as s:
        row = s.get(StoredOpportunity, stored.opportunity_id)
        assert row.partner_id == "asso-a" and row.data["causes"] == ["education"]
        assert row.data["locations"][0]["city"] == "Rennes" and row.data["locations"][0]["lat"]  # geocoded
        assert row.expiry is not None  # ongoing postings expire after the validity period

    # Editing changes the search result.
    edited = {**FORM, "title": "Soutien scolaire du mercredi"}
    res = post_form(client, f"/partners/postings/{posting.id}/edit", edited)
    assert res.status_code == 302
    (found,) = search(app, "scolaire")
    assert found["title"] == "Soutien scolaire du mercredi" and found["id"] == stored.opportunity_id

    # A second posting publishes directly.
    res = post_form(
        client, "/partners/postings/new", {**FORM, "title": "Collecte de jouets", "places": "Brest 29200"}
    )
    assert res.status_code == 302
    assert [r["title"] for r in search(app, "jouets")] == ["Collecte de jouets"]
    assert {p.status for p in postings(db, "asso-a")} == {"published"}

    # Closing removes it from search.
    token = csrf(client.get("/partners/postings").get_data(as_text=True))
    assert (
        client.post(f"/partners/postings/{posting.id}/close", data={"csrf_token": token}).status_code == 302
    )
    assert search(app, "scolaire") == []
    with db.session() as s:
        assert s.get(StoredOpportunity, stored.opportunity_id).state == "gone"
    assert [r["title"] for r in search(app, "jouets")] == ["Collecte de jouets"]


def test_validation_errors_next_to_the_fields(app: Flask, db: Database) -> None:
    client = partner_client(app, db, "asso-a")
    res = post_form(client, "/partners/postings/new", {**FORM, "title": "", "url": "ftp://asso.example/x"})
    html = res.get_data(as_text=True)
    assert res.status_code == 422
    assert 'id="title-error"' in html and "Give your opportunity a title." in html
    assert 'id="url-error"' in html and "starting with https://" in html
    assert postings(db, "asso-a") == []
    res = post_form(client, "/partners/postings/new", {**FORM, "url": "javascript:alert(1)"}, lang="fr")
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and "commençant par https://" in html and 'id="title-error"' not in html
    res = post_form(client, "/partners/postings/new", {**FORM, "min_age": "seize"})
    assert res.status_code == 422 and "minimum age in years" in res.get_data(as_text=True)
    # A warning does not stop the posting; it is shown after saving.
    res = post_form(client, "/partners/postings/new", {**FORM, "places": ""})
    assert res.status_code == 302
    listing = client.get("/partners/postings?lang=en").get_data(as_text=True)
    assert "warning: Give a city and a postal code" in listing
    # CSRF on every form.
    assert client.post("/partners/postings/new", data=FORM).status_code == 400


def test_a_partner_cannot_touch_another_partners_posting(app: Flask, db: Database) -> None:
    a = partner_client(app, db, "asso-a")
    assert post_form(a, "/partners/postings/new", FORM).status_code == 302
    (posting,) = postings(db, "asso-a")
    b = partner_client(app, db, "asso-b")
    assert b.get(f"/partners/postings/{posting.id}/edit").status_code == 404
    assert (
        post_form(b, f"/partners/postings/{posting.id}/edit", {**FORM, "title": "Hijacked"}).status_code
        == 404
    )
    token = csrf(b.get("/partners/postings/new").get_data(as_text=True))
    assert b.post(f"/partners/postings/{posting.id}/close", data={"csrf_token": token}).status_code == 404
    assert b.post(f"/partners/postings/{posting.id}/renew", data={"csrf_token": token}).status_code == 404
    assert "Aide aux devoirs" not in b.get("/partners/postings").get_data(as_text=True)
    (unchanged,) = postings(db, "asso-a")
    assert unchanged.data["title"] == FORM["title"] and unchanged.status == "pending"
    # Feed partners have no posting form; visitors are sent to sign in.
    assert partner_client(app, db, "feedy").get("/partners/postings").status_code == 404
    assert app.test_client().get("/partners/postings").status_code == 302


def _published(app: Flask, db: Database, partner_id: str, **values: Any) -> direct.DirectPosting:
    partner = db.partner(partner_id)
    posting = direct.DirectPosting(id=direct.new_posting_id(), partner_id=partner_id)
    direct.save(db, posting, {**FORM, **values})
    direct.publish(db, app.extensions["volunteer_hub"].backend, partner, posting)
    return posting


def test_renew_extends_expiry_and_reminder_selection(app: Flask, db: Database) -> None:
    now = datetime.now(UTC)
    in_days = {"start": "", "ongoing": ""}
    soon = _published(app, db, "asso-a", **in_days, end=(now + timedelta(days=5)).date().isoformat())
    later = _published(
        app, db, "asso-b", **in_days, title="Plus tard", end=(now + timedelta(days=30)).date().isoformat()
    )
    _published(app, db, "asso-b", title="Sans fin")  # ongoing: expires after 90 days
    due = direct.due_reminders(db, now)
    assert [r.posting.id for r in due] == [soon.id]
    # 24 days later: ``soon`` has expired (no reminder for it any more), ``later`` is due.
    assert [r.posting.id for r in direct.due_reminders(db, now + timedelta(days=24))] == [later.id]

    cfg = OpsConfig()  # no SMTP: recorded as logged, not sent again
    assert direct.send_expiry_reminders(db, cfg, now) == 1
    with db.session() as s:
        row = s.get(direct.DirectPosting, soon.id)
        assert row.reminder_status == "logged" and row.expires_reminded_at is not None
    assert direct.due_reminders(db, now) == []

    # Renewing pushes the expiry by 90 days and re-arms the reminder.
    client = partner_client(app, db, "asso-a")
    token = csrf(client.get("/partners/postings").get_data(as_text=True))
    assert client.post(f"/partners/postings/{soon.id}/renew", data={"csrf_token": token}).status_code == 302
    with db.session() as s:
        row = s.get(direct.DirectPosting, soon.id)
        stored = s.get(StoredOpportunity, row.opportunity_id)
        assert row.expires_reminded_at is None
        expiry = stored.expiry if stored.expiry.tzinfo else stored.expiry.replace(tzinfo=UTC)
        assert expiry > now + timedelta(days=90)
    assert direct.due_reminders(db, now) == []


def test_scheduler_does_not_crawl_direct_partners(db: Database) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from schedules.scheduler import job_id, reconcile

    with db.session() as s, s.begin():
        s.get(Partner, "feedy").status = "approved"
    scheduler = BackgroundScheduler()
    changes = reconcile(scheduler, db, OpsConfig())
    assert changes["added"] == [job_id("feedy")]
    assert {job.id for job in scheduler.get_jobs()} == {job_id("feedy")}


def test_signup_without_feed_then_first_posting_approval_approves_the_organization(
    app: Flask, db: Database
) -> None:
    from volunteer_hub.services.health import partner_health

    client = app.test_client()
    token = csrf(client.get("/partners/signup?lang=en").get_data(as_text=True))
    res = client.post(
        "/partners/signup?lang=en",
        data={
            "csrf_token": token,
            "name": "Les Amis du Quartier",
            "email": "amis@ex.org",
            "url": "",
            "nofeed": "1",
        },
    )
    assert res.status_code == 200 and "post your first opportunity" in res.get_data(as_text=True)
    partner = db.partner("les-amis-du-quartier")
    assert (partner.format, partner.status, partner.url) == ("direct", "pending", "")
    # No URL and no tick: the feed address is still required.
    res = client.post(
        "/partners/signup?lang=en",
        data={"csrf_token": token, "name": "X Asso", "email": "x@ex.org", "url": ""},
    )
    assert res.status_code == 400

    amis = partner_client(app, db, partner.id)
    assert post_form(amis, "/partners/postings/new", FORM).status_code == 302
    (posting,) = postings(db, partner.id)
    ops = operator_client(app)
    page = ops.get("/admin/moderation").get_data(as_text=True)
    assert (
        ops.post(f"/admin/postings/{posting.id}/approve", data={"csrf_token": csrf(page)}).status_code == 302
    )
    partner = db.partner(partner.id)
    assert partner.status == "approved"
    assert [r["title"] for r in search(app, "devoirs")] == [FORM["title"]]
    # Never crawled, and never reported as a stale or failing feed.
    health = partner_health(db, partner, OpsConfig(), now=datetime.now(UTC) + timedelta(days=30))
    assert health.state == "direct" and health.conditions == set()
    page = ops.get(f"/admin/partners/{partner.id}").get_data(as_text=True)
    res = ops.post(
        f"/admin/partners/{partner.id}/run", data={"csrf_token": csrf(page)}, follow_redirects=True
    )
    assert "pas de flux à collecter" in res.get_data(as_text=True)  # the console speaks French by default
    assert ops.get("/admin/").status_code == 200


def test_reminder_is_e_mailed_through_the_alert_smtp_settings(
    app: Flask,
    db: Database,
    smtp_server: tuple[int, list[tuple[list[str], str]]],  # noqa: F811
) -> None:
    port, mails = smtp_server
    now = datetime.now(UTC)
    posting = _published(
        app, db, "asso-a", start="", ongoing="", end=(now + timedelta(days=3)).date().isoformat()
    )
    cfg = OpsConfig(smtp_host="127.0.0.1", smtp_port=port, alert_email_from="hub@ex.org")
    assert direct.send_expiry_reminders(db, cfg, now, portal_url="http://127.0.0.1/partners/postings") == 1
    for _ in range(50):
        if mails:
            break
        time.sleep(0.05)
    ((rcpt, body),) = mails
    assert rcpt == ["asso-a@ex.org"] and FORM["title"] in body and "/partners/postings" in body
    with db.session() as s:
        assert s.get(direct.DirectPosting, posting.id).reminder_status == "sent"
    assert direct.send_expiry_reminders(db, cfg, now) == 0  # once per expiry
