"""The console speaks the operator's language (French by default, as the public site): pages,
states, flash messages, and run-report reasons as sentences rather than codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

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
    assert '<div class="table-wrap" tabindex="0"><table class="data">' in run  # scrolls in its frame


def _catalog() -> list[tuple[str, str]]:
    """(English, French) sentence pairs of the catalog that differ and are long enough to be
    unmistakable on a page (short words like "ok" appear in both languages)."""
    from babel.messages.pofile import read_po

    import search_app

    path = Path(search_app.__file__).parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        pairs = [
            (m.id, m.string) for m in read_po(handle) if isinstance(m.id, str) and isinstance(m.string, str)
        ]
    return [(en, fr) for en, fr in pairs if en != fr and len(en) >= 18 and "%(" not in en and "<" not in en]


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_every_console_and_portal_page_speaks_one_language(client: FlaskClient, db: Database) -> None:
    """Each console page (moderation included, with a report, a flagged listing and a pending posting)
    and each public portal page, in English (browser or ?lang=en) and French: no sentence of the
    other language."""
    from volunteer_hub.store.db import StoredOpportunity
    from volunteer_hub.store.public_models import ProblemReport

    run_id = _partner_with_a_run(db)
    with db.session() as s, s.begin():
        s.add(
            StoredOpportunity(
                id="asso-1",
                content_hash="0" * 64,
                partner_id="asso",
                source_id="1",
                state="live",
                data={"title": "Poste rémunéré"},
                flags={"dead-link": {"action": "hide", "detail": "404 twice"}},
            )
        )
        s.add(ProblemReport(opportunity_id="asso-1", partner_id="asso", reason="not-volunteering"))
    logged_in(client)
    pages = ["/admin/", "/admin/moderation", "/admin/partners/asso", f"/admin/runs/{run_id}", "/admin/health",
             "/partners/", "/partners/login", "/partners/signup", "/partners/formats"]  # fmt: skip
    pairs = _catalog()
    moderation = _text(client.get("/admin/moderation?lang=en").get_data(as_text=True))
    assert (
        "It is not really volunteering (paid job, sales, fees…) × 1" in moderation
    )  # a sentence, not a code
    assert "Show anyway" in moderation and "No posting waiting." in moderation
    for lang, asked in (("en", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en"}), ("en", {}), ("fr", {})):
        client.environ_base.update(asked or {"HTTP_ACCEPT_LANGUAGE": "en"})
        for path in pages:
            url = path if asked else f"{path}{'&' if '?' in path else '?'}lang={lang}"
            response = client.get(url)
            assert response.status_code in (200, 503), url  # /admin/health: 503 while a partner fails
            text = _text(response.get_data(as_text=True))
            other = (
                [fr for en, fr in pairs if fr in text]
                if lang == "en"
                else [en for en, fr in pairs if en in text]
            )
            assert other == [], (url, other)
    french = _text(client.get("/admin/moderation?lang=fr").get_data(as_text=True))
    assert "Afficher quand même" in french and "Signalements" in french
