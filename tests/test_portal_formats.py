"""Format guide (/partners/formats): every registered format with its example, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from crawlers.formats import FORMATS
from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database


@pytest.fixture
def client(home: Path) -> FlaskClient:
    settings = load_settings()
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    db = Database.from_settings(settings)
    app: Flask = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})
    return app.test_client()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_registered_format_has_its_guide_entry(client: FlaskClient, language: str) -> None:
    html = client.get(f"/partners/formats?lang={language}").get_data(as_text=True)
    assert len(FORMATS) >= 9
    for f in FORMATS.values():
        entry = html.split(f'<section id="format-{f.name}"', 1)[1].split("</section>", 1)[0]
        assert str(escape(f.label)) in entry and f"<code>{f.name}</code>" in entry
        assert str(escape(f.text(language))) in entry
        assert str(escape(f.example)) in entry and f'class="language-{f.syntax}"' in entry
    table = html.split('<table class="portal-mapping">', 1)[1].split("</table>", 1)[0]
    for f in FORMATS.values():  # a column for each format with a mapping, from its declaration
        assert (str(escape(f.label)) in table) == f.common
    assert "<code>validThrough</code>" in table and "<code>applicationUrl</code>" in table


def test_guide_page_in_english_and_french(client: FlaskClient) -> None:
    res = client.get("/partners/formats?lang=en")
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "Formats we accept" in html and "Field mapping" in html
    for name in (
        "FPXML 0.1",
        "RSS 2.0 / Atom",
        "API Engagement",
        "schema.org web pages",
        "CSV",
        "Idealist Atom",
    ):
        assert name in html
    assert "&lt;FootprintFeed" in html  # examples are escaped, shown as code
    assert "<script" not in html and "style=" not in html  # CSP: no inline script/style
    fr = client.get("/partners/formats?lang=fr").get_data(as_text=True)
    assert "Formats acceptés" in fr and "Correspondance des champs" in fr and "Exemple minimal" in fr
    assert "plusieurs dates, lieux et organisations" in fr and "Lien vers la page (obligatoire)" in fr
    assert "several dates, places" in html and "Detail link (required)" in html


def test_guide_linked_from_signup(client: FlaskClient) -> None:
    html = client.get("/partners/signup?lang=en").get_data(as_text=True)
    assert 'href="/partners/formats"' in html and "Which formats do we accept?" in html
