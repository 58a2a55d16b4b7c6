"""A corrupted embedded (SQLite) index is a search outage, not a crash (issue 16).

Bytes of the live index file are overwritten: every search and the sitemap answer 503 with a
friendly page (JSON under the API), ``/healthz`` is unhealthy, ``index stats`` says what is wrong
without a traceback, and ``index rebuild`` writes a new generation from the database that serves
every listing again.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from search_app import create_app
from tests.helpers import cli
from tests.samples import NOW, RENNES, opp
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database, Partner
from volunteer_hub.store.partner_sync import PartnerSync

LIVE = 8


def corrupt(path: Path) -> None:
    """Overwrite the first pages of the file (header and schema) with junk, as a bad disk would."""
    with open(path, "r+b") as handle:
        handle.write(b"\xde\xad\xbe\xef" * 4096)


def test_a_corrupted_embedded_index_is_an_outage_and_rebuild_recovers(home: Path) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(home)})
    db = Database.from_settings(settings)
    with db.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    PartnerSync(db, "test", now=NOW).store(
        [opp(f"o{i}", f"Collecte de déchets {i}", locations=[RENNES]) for i in range(LIVE)]
    )
    backend = SqliteBackend(settings.sqlite_index_path)
    assert push_pending(db, backend).indexed == LIVE
    app: Flask = create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": db, "TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/opportunities?q=dechets").get_json()["total"] == LIVE

    backend.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backend.close()
    corrupt(Path(settings.sqlite_index_path))

    for url in ("/?q=dechets", "/", "/sitemap.xml", "/feeds/search.rss?q=dechets"):
        page = client.get(url)
        assert page.status_code == 503, url
        assert "Retry-After" in page.headers
    english = client.get("/?q=dechets", headers={"Accept-Language": "en"})
    assert "Search is taking a break" in english.get_data(as_text=True)
    french = client.get("/?q=dechets", headers={"Accept-Language": "fr"})
    assert "La recherche fait une pause" in french.get_data(as_text=True)
    api = client.get("/api/v1/opportunities?q=dechets")
    assert api.status_code == 503 and api.is_json and "error" in api.get_json()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["checks"]["search"]["ok"] is False

    stats = cli(home, "index", "stats")
    assert stats.returncode == 1 and "Traceback" not in stats.stderr
    assert "cannot be read" in stats.stderr and "index rebuild" in stats.stderr

    rebuilt = cli(home, "index", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"{LIVE} documents" in rebuilt.stdout

    assert client.get("/api/v1/opportunities?q=dechets").get_json()["total"] == LIVE
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/healthz").get_json()["checks"]["search"] == {"ok": True}
    assert cli(home, "index", "stats").returncode == 0
