"""What operators and partners see of the automatic rules: the console's moderation queue (with
"show anyway") and dead-link rates, the partner portal's broken links and flagged listings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.base import SearchQuery
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from search_app import create_app
from search_app.portal.account import create_login_token
from tests import samples
from tests.helpers import token_from
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database, LinkCheck, Partner
from volunteer_hub.store.partner_sync import PartnerSync

EMAIL, PASSWORD = "ops@example.org", "correct horse battery"
TEXT = "Accueillir les familles, trier les dons et préparer les colis chaque mardi matin au local."


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings()


@pytest.fixture
def db(settings: Settings) -> Database:
    return Database.from_settings(settings)


@pytest.fixture
def app(settings: Settings, db: Database) -> Flask:
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    add_operator(db, EMAIL, PASSWORD)
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso Solidaire", url="https://asso.fr/feed.xml"))
    job = samples.opp(
        "job", "Animateur périscolaire", partner="asso", description="Type de contrat : CDI. " + TEXT
    )
    short = samples.opp("short", "Bénévole", partner="asso", description="Voir site.")
    fine = samples.opp("fine", "Distribution de colis", partner="asso", description=TEXT)
    PartnerSync(db, "asso").store([job, short, fine])
    with db.session() as s, s.begin():
        s.add(
            LinkCheck(
                opportunity_id=fine.id, partner_id="asso", url=fine.url, status="dead", http_status=404,
                checked_at=samples.NOW, dead_since=samples.NOW - timedelta(hours=3),
            )
        )  # fmt: skip
    push_pending(db, backend)
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


def operator(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    res = client.post("/admin/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert res.status_code == 302
    return client


def shown(app: Flask) -> set[str]:
    backend = app.extensions["volunteer_hub"].backend
    return {h.opportunity.source_id for h in backend.search(SearchQuery(per_page=50)).hits}


def test_moderation_queue_and_show_anyway(app: Flask) -> None:
    assert shown(app) == {"short", "fine"}  # the job offer is hidden from the start
    ops = operator(app)
    page = ops.get("/admin/moderation?lang=en").get_data(as_text=True)
    assert "Automatic rules" in page
    assert page.index("Animateur périscolaire") < page.index("Bénévole")  # hidden ones first
    assert "job-offer" in page and "a contract is offered" in page and "too-short" in page
    job_id = samples.opp("job", "x", partner="asso").id
    res = ops.post(
        f"/admin/moderation/{job_id}/override", data={"csrf_token": token_from(page), "shown": "1"}
    )
    assert res.status_code == 302
    assert shown(app) == {"job", "short", "fine"}
    page = ops.get("/admin/moderation?lang=en").get_data(as_text=True)
    assert "shown by an operator" in page and "Apply the rules again" in page
    ops.post(f"/admin/moderation/{job_id}/override", data={"csrf_token": token_from(page), "shown": "0"})
    assert shown(app) == {"short", "fine"}

    partner_page = ops.get("/admin/partners/asso?lang=en").get_data(as_text=True)
    assert "1 dead of 1 checked (100.0%)" in partner_page and "job-offer × 1" in partner_page
    assert "100.0%" in ops.get("/admin/").get_data(as_text=True)  # dead-link rate per partner


def test_portal_lists_broken_links_and_flags(app: Flask, db: Database) -> None:
    client = app.test_client()
    assert client.get(f"/partners/login/{create_login_token(db, 'asso')}").status_code == 302
    page = client.get("/partners/me?lang=en").get_data(as_text=True)
    assert (
        "Your broken links" in page and "https://partner.example/missions/fine" in page and "HTTP 404" in page
    )
    assert "Looks like a job or internship offer" in page and "Description too short" in page
    page_fr = client.get("/partners/me?lang=fr").get_data(as_text=True)
    assert "Vos liens cassés" in page_fr and "Ressemble à une offre d&#39;emploi ou de stage" in page_fr


def test_console_flags_api_and_sentences(app: Flask) -> None:
    anonymous = app.test_client().get("/admin/api/flags")
    assert anonymous.status_code == 403 and "error" in anonymous.get_json()  # a status, not a login page
    ops = operator(app)
    body = ops.get("/admin/api/flags?lang=en").get_json()
    by_title = {item["title"]: item for item in body["items"]}
    assert body["count"] == 2 and set(by_title) == {"Animateur périscolaire", "Bénévole"}
    job = by_title["Animateur périscolaire"]
    assert job["hidden"] is True and job["hiding"] == ["job-offer"] and job["partner_id"] == "asso"
    [flag] = job["flags"]
    assert (flag["code"], flag["action"], flag["label"]) == (
        "job-offer",
        "hide",
        "Looks like a job or internship offer",
    )
    assert "contract" in flag["detail"] and flag["since"]
    assert by_title["Bénévole"]["flags"][0]["label"] == "Description too short"
    french = ops.get("/admin/api/flags?partner=asso&lang=fr").get_json()
    assert french["partner"] == "asso" and french["count"] == 2
    assert {f["label"] for i in french["items"] for f in i["flags"]} == {
        "Ressemble à une offre d'emploi ou de stage", "Description trop courte",
    }  # fmt: skip
    assert ops.get("/admin/api/flags?partner=nobody").get_json()["items"] == []

    page = ops.get("/admin/moderation?lang=en").get_data(as_text=True)
    assert "Looks like a job or internship offer</strong> (hidden)" in page
    assert "Description too short</strong> (flagged)" in page
    partner_page = ops.get("/admin/partners/asso?lang=fr").get_data(as_text=True)
    assert "job-offer × 1</span> Ressemble à une offre d&#39;emploi ou de stage" in partner_page
    assert "dead-links × 1</span> Liens cassés vers la page de l&#39;annonce" in partner_page


def test_console_sets_a_partners_staleness_months(app: Flask, db: Database) -> None:
    ops = operator(app)
    page = ops.get("/admin/partners/asso?lang=en").get_data(as_text=True)
    assert "6 months (global setting)" in page and "Save staleness" in page

    def save(value: str) -> str:
        res = ops.post(
            "/admin/partners/asso/staleness",
            data={"csrf_token": token_from(page), "stale_after_months": value},
        )
        assert res.status_code == 302
        return ops.get("/admin/partners/asso").get_data(as_text=True)

    assert (
        "3 months without an update (this partner)" in save("3")
        and db.partner("asso").stale_after_months == 3
    )
    assert "never (rule off for this partner)" in save("0") and db.partner("asso").stale_after_months == 0
    refused = save("500")
    assert "between 0 and 120" in refused and db.partner("asso").stale_after_months == 0  # unchanged
    assert "between 0 and 120" in save("soon")
    assert "6 months (global setting)" in save("") and db.partner("asso").stale_after_months is None
    assert (
        ops.post("/admin/partners/ghost/staleness", data={"csrf_token": token_from(page)}).status_code == 404
    )
