"""The console speaks the operator's language (French by default, as the public site): pages,
states, flash messages, and run-report reasons as sentences rather than codes."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient

from tests.helpers import logged_in
from volunteer_hub.store.db import CrawlRun, Database, Partner


def _partner_with_a_run(db: Database) -> int:
    with db.session() as s, s.begin():
        s.add(Partner(id="asso", name="Asso", url="https://asso.example.org/feed.xml", status="pending"))
        s.flush()  # the partner row first: the run refers to it
        run = CrawlRun(
            partner_id="asso", status="failed", trigger="schedule", finished_at=datetime.now(UTC),
            rejected_by_reason={
                "paid": 2,
                "title: the item has no title": 3,
                "dates: the start date could not be read": 1,
            },
        )  # fmt: skip
        s.add(run)
        s.flush()
        return run.id


def test_console_in_french_for_a_french_browser(client: FlaskClient, db: Database) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
    login_page = client.get("/admin/login").get_data(as_text=True)
    assert '<html lang="fr">' in login_page and "Connexion exploitant" in login_page
    run_id = _partner_with_a_run(db)
    logged_in(client)
    overview = client.get("/admin/").get_data(as_text=True)
    assert "Vue d&#39;ensemble" in overview or "Vue d'ensemble" in overview
    assert "Collectes récentes" in overview and "Recent runs" not in overview
    assert "En attente de validation par l&#39;équipe." in overview  # a health reason, as a sentence
    run = client.get(f"/admin/runs/{run_id}").get_data(as_text=True)
    assert "Refusées par motif" in run and "échec" in run and "planifié" in run
    assert "Missions rémunérées : seul le bénévolat non rémunéré est publié." in run
    assert "Annonces sans titre." in run
    assert (
        "Champ « dates » : the start date could not be read" in run
    )  # unknown: field named, never a bare code
    assert ">paid</td>" not in run


def test_console_language_switch_sticks(client: FlaskClient, db: Database) -> None:
    logged_in(client)
    assert "Recent runs" in client.get("/admin/").get_data(as_text=True)  # this browser asks for English
    assert "Collectes récentes" in client.get("/admin/?lang=fr").get_data(as_text=True)
    assert "Collectes récentes" in client.get("/admin/").get_data(as_text=True)  # the choice is kept


def test_run_reasons_in_english_are_sentences_too(client: FlaskClient, db: Database) -> None:
    run_id = _partner_with_a_run(db)
    logged_in(client)
    run = client.get(f"/admin/runs/{run_id}").get_data(as_text=True)
    assert "Paid missions: only unpaid volunteering is listed." in run and "Items without a title." in run
    assert '<div class="table-wrap"><table class="data">' in run  # scrolls inside its frame on a phone
