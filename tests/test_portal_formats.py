"""Format guide (/partners/formats): every format with its example from docs/formats.md, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.portal.guide import FORMATS, load_formats
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


def test_every_format_has_its_example_from_the_docs() -> None:
    formats = load_formats()
    assert [f.key for f in formats] == [key for key, _h, _l in FORMATS]
    for f in formats:
        assert f.example, f"docs/formats.md has no example for {f.key}"
    by_key = {f.key: f for f in formats}
    assert by_key["fpxml"].example.startswith("<FootprintFeed")
    assert by_key["csv"].example.startswith("identifiant;titre;lien")
    assert '"@type": "JobPosting"' in by_key["schemaorg"].example


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
