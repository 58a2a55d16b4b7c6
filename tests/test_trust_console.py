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
    page = ops.get("/admin/moderation").get_data(as_text=True)
    assert "Automatic rules" in page
    assert page.index("Animateur périscolaire") < page.index("Bénévole")  # hidden ones first
    assert "job-offer" in page and "a contract is offered" in page and "too-short" in page
    job_id = samples.opp("job", "x", partner="asso").id
    res = ops.post(
        f"/admin/moderation/{job_id}/override", data={"csrf_token": token_from(page), "shown": "1"}
    )
    assert res.status_code == 302
    assert shown(app) == {"job", "short", "fine"}
    page = ops.get("/admin/moderation").get_data(as_text=True)
    assert "shown by an operator" in page and "Apply the rules again" in page
    ops.post(f"/admin/moderation/{job_id}/override", data={"csrf_token": token_from(page), "shown": "0"})
    assert shown(app) == {"short", "fine"}

    partner_page = ops.get("/admin/partners/asso").get_data(as_text=True)
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
