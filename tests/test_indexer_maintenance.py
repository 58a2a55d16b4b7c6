"""``index expire``, ``index export/import --jsonl`` and ``index stats`` on both backends."""

from __future__ import annotations

import io
import json
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from indexer.base import SearchQuery
from indexer.maintenance import expire_index, import_jsonl, write_jsonl
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from tests.conftest import drop_generations
from tests.helpers import cli as run_cli
from tests.samples import LYON, NOW, RENNES, opp
from volunteer_hub.store.db import Database, Partner, StoredOpportunity
from volunteer_hub.store.partner_sync import PartnerSync


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with database.session() as s, s.begin():
        s.add(Partner(id="test", name="Test", url="https://partner.example/feed.xml"))
    return database


def corpus() -> list:
    return [
        opp(
            "soon",
            "Collecte de déchets ce soir",
            causes=["environnement"],
            locations=[RENNES],
            end=NOW + timedelta(hours=1),
        ),
        opp(
            "later",
            "Collecte de déchets en mars",
            causes=["environnement"],
            locations=[RENNES],
            end=NOW + timedelta(days=100),
        ),
        opp(
            "deadline",
            "Soutien scolaire",
            causes=["education"],
            locations=[LYON],
            expires=NOW + timedelta(hours=2),
        ),
        opp(
            "ongoing",
            "Soutien scolaire toute l'année",
            causes=["education"],
            locations=[LYON],
            open_ended=True,
        ),
    ]


def state(db: Database, source_id: str) -> str:
    with db.session() as s:
        return s.scalars(
            select(StoredOpportunity.state).where(StoredOpportunity.source_id == source_id)
        ).one()


def test_expire_removes_from_the_index_and_marks_the_database(db: Database, search_backend) -> None:
    sync = PartnerSync(db, "test", now=NOW)
    sync.store(corpus())
    push_pending(db, search_backend)
    assert search_backend.count() == 4

    report = expire_index(db, search_backend, now=NOW + timedelta(hours=3))
    assert report.ok and report.marked == 2 and report.removed == 2
    assert search_backend.count() == 2
    assert state(db, "soon") == "expired" and state(db, "later") == "live"
    assert push_pending(db, search_backend).indexed == 0  # nothing pending, nothing re-added

    # The partner extends the mission: live and searchable again.
    later = PartnerSync(db, "test", now=NOW + timedelta(hours=4))
    extended = corpus()
    extended[0] = opp(
        "soon",
        "Collecte de déchets ce soir",
        causes=["environnement"],
        locations=[RENNES],
        end=NOW + timedelta(days=7),
    )
    later.store(extended)
    assert state(db, "soon") == "live" and state(db, "deadline") == "expired"
    push_pending(db, search_backend)
    found = search_backend.search(SearchQuery(text="dechets", now=NOW + timedelta(hours=4)))
    assert {h.opportunity.source_id for h in found.hits} == {"soon", "later"}


def test_stats_per_partner_cause_region_generation_last_write(search_backend) -> None:
    search_backend.upsert(corpus())
    stats = search_backend.stats()
    assert stats["documents"] == 4
    assert stats["by_partner"] == {"test": 4}
    assert stats["by_cause"] == {"education": 2, "environnement": 2}
    assert stats["by_region"] == {"auvergne-rhone-alpes": 2, "bretagne": 2}
    assert stats["generation"] and stats["generation"] in stats["generations"]
    assert stats["last_write"] and stats["last_write"][:4] == str(NOW.year)


def test_export_then_import_moves_the_index_between_backends(search_backend, tmp_path: Path) -> None:
    source = SqliteBackend(tmp_path / "source.sqlite3")
    source.upsert(corpus())
    buffer = io.StringIO()
    assert write_jsonl(source.export(), buffer) == 4
    lines = buffer.getvalue().splitlines()
    assert {json.loads(line)["source_id"] for line in lines} == {"soon", "later", "deadline", "ongoing"}

    report = import_jsonl(search_backend, lines)
    assert report.ok and report.written == 4
    assert import_jsonl(search_backend, lines).skipped_unchanged == 4  # same content hash: no rewrite
    for query in (SearchQuery(text="dechets", now=NOW), SearchQuery(causes=["education"], now=NOW)):
        a, b = source.search(query), search_backend.search(query)
        assert [h.opportunity.id for h in a.hits] == [h.opportunity.id for h in b.hits]
    assert sorted(o.id for o in search_backend.export()) == sorted(o.id for o in corpus())


def cli(
    home: Path, *args: str, search: str = "sqlite", alias: str = "volunteer-hub"
) -> subprocess.CompletedProcess:
    settings = {"VOLUNTEER_HUB_SEARCH": search, "VOLUNTEER_HUB_ES_INDEX": alias}
    return run_cli(home, *args, allow_private=False, **settings)


def test_cli_export_import_rebuild_expire_stats(tmp_path: Path, es_url: str) -> None:
    from indexer.es_backend import ElasticsearchBackend

    home = tmp_path / "home"
    SqliteBackend(home / "search.sqlite3").upsert(corpus())
    dump = tmp_path / "dump.jsonl"
    out = cli(home, "index", "export", "--jsonl", "--output", str(dump))
    assert out.returncode == 0 and "exported 4" in out.stderr
    assert len(dump.read_text().splitlines()) == 4
    assert len(cli(home, "index", "export", "--jsonl").stdout.splitlines()) == 4

    alias = f"vh-test-cli-{uuid.uuid4().hex[:8]}"
    try:
        imported = cli(home, "index", "import", "--jsonl", str(dump), search=es_url, alias=alias)
        assert imported.returncode == 0, imported.stderr
        assert "imported 4" in imported.stdout
        stats = json.loads(cli(home, "index", "stats", "--json", search=es_url, alias=alias).stdout)
        assert stats["documents"] == 4 and stats["by_partner"] == {"test": 4}
        assert stats["generation"].startswith(alias + "-") and stats["last_write"]
        text = cli(home, "index", "stats", search=es_url, alias=alias).stdout
        assert "by partner: test 4" in text and "generation" in text

        # The database is empty here: a rebuild would empty the index, so it is refused.
        refused = cli(home, "index", "rebuild", search=es_url, alias=alias)
        assert refused.returncode == 1 and "refusing to swap" in refused.stderr
        assert ElasticsearchBackend(es_url, alias=alias).count() == 4
        forced = cli(home, "index", "rebuild", "--force", "--json", search=es_url, alias=alias)
        assert forced.returncode == 0, forced.stderr
        assert json.loads(forced.stdout)["documents"] == 0
        back = cli(home, "index", "rollback", search=es_url, alias=alias)
        assert back.returncode == 0 and ElasticsearchBackend(es_url, alias=alias).count() == 4
    finally:
        drop_generations(ElasticsearchBackend(es_url, alias=alias))

    expired = cli(home, "index", "expire")
    assert (
        expired.returncode == 0 and "removed 2 from the index" in expired.stdout
    )  # real time is past NOW + 2h
