"""/healthz and /metrics on a real SQLite index and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from indexer.sqlite_backend import SqliteBackend
from schedules.scheduler import heartbeat_job
from search_app import create_app
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.core.opportunity import Opportunity, make_id
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import SchedulerHeartbeat


class BrokenBackend(SqliteBackend):
    def health(self) -> tuple[bool, str]:
        return False, "Elasticsearch at http://127.0.0.1:9 unreachable: ConnectionError"


def build(settings: Settings, db: Database, backend: SqliteBackend | None = None) -> Flask:
    if backend is None:
        backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


@pytest.fixture
def client(home: Path, db: Database) -> FlaskClient:
    return build(load_settings(), db).test_client()


def beat(db: Database, age: timedelta = timedelta(0)) -> None:
    with db.session() as s, s.begin():
        row = s.get(SchedulerHeartbeat, "scheduler") or SchedulerHeartbeat(name="scheduler")
        row.beat_at = datetime.now(UTC) - age
        row.interval_seconds = 30
        row.host, row.pid = "test", 1
        s.merge(row)


def test_healthz_reports_each_check(client: FlaskClient, db: Database) -> None:
    # No scheduler has ever run: 503 with the reason.
    res = client.get("/healthz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"]["ok"] and body["checks"]["search"]["ok"]
    assert any("scheduler" in r and "never run" in r for r in body["reasons"])
    # A fresh heartbeat (written by the real job function): 200.
    heartbeat_job()
    res = client.get("/healthz")
    assert res.status_code == 200, res.get_json()
    assert res.get_json() == {**res.get_json(), "status": "ok", "reasons": []}
    # A stale heartbeat: 503 again.
    beat(db, timedelta(minutes=10))
    res = client.get("/healthz")
    assert res.status_code == 503 and "no scheduler heartbeat" in res.get_json()["reasons"][0]
    assert res.headers["Cache-Control"] == "no-store"


def test_healthz_search_backend_down(home: Path, db: Database) -> None:
    settings = load_settings()
    beat(db)
    client = build(settings, db, BrokenBackend(settings.home / "broken.sqlite3")).test_client()
    res = client.get("/healthz")
    assert res.status_code == 503
    assert res.get_json()["reasons"] == ["search: unavailable"]  # the URL only in the verbose view


def metric_values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_metrics_runs_items_durations_search_latency_and_clicks(home: Path, db: Database) -> None:
    settings = load_settings()
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    now = datetime.now(UTC)
    opp = Opportunity(
        id=make_id("metro", "m1"),
        partner="metro",
        source_id="m1",
        url="https://metro.example.org/m1",
        title="Aide aux devoirs",
        first_seen=now,
        last_seen=now,
    )
    opp.content_hash = opp.compute_hash()
    backend.upsert([opp])
    with db.session() as s, s.begin():
        s.add(Partner(id="metro", name="Metro", url="https://metro.example.org/feed.xml"))
        s.flush()
        s.add(
            StoredOpportunity(
                id=opp.id,
                partner_id="metro",
                source_id="m1",
                content_hash=opp.content_hash,
                data=opp.to_dict(),
            )
        )
        s.add(
            CrawlRun(
                partner_id="metro",
                status="succeeded",
                started_at=now - timedelta(seconds=42),
                finished_at=now,
                seen=7,
                new=5,
                updated=1,
                unchanged=1,
                rejected=2,
            )
        )
        s.add(
            CrawlRun(
                partner_id="metro", status="failed", started_at=now - timedelta(seconds=3), finished_at=now
            )
        )
    client = build(settings, db, backend).test_client()

    before = metric_values(client.get("/metrics").get_data(as_text=True))
    assert client.get("/?q=devoirs").status_code == 200
    assert client.get("/api/v1/opportunities?q=devoirs").status_code == 200
    assert client.get(f"/go/{opp.id}").status_code == 302
    res = client.get("/metrics")
    assert res.status_code == 200 and res.mimetype == "text/plain"
    after = metric_values(res.get_data(as_text=True))

    assert after[("volunteer_hub_crawl_runs", (("status", "succeeded"),))] == 1
    assert after[("volunteer_hub_crawl_runs", (("status", "failed"),))] == 1
    assert after[("volunteer_hub_crawl_items", (("outcome", "new"),))] == 5
    assert after[("volunteer_hub_crawl_items", (("outcome", "rejected"),))] == 2
    assert after[("volunteer_hub_crawl_duration_seconds_count", ())] == 2
    assert after[("volunteer_hub_crawl_duration_seconds_bucket", (("le", "60.0"),))] == 2
    assert after[("volunteer_hub_crawl_duration_seconds_bucket", (("le", "30.0"),))] == 1
    assert after[("volunteer_hub_live_opportunities", (("partner", "metro"),))] == 1
    # Trust: expired on arrival over runs, and listings by automatic rule (each series even at zero).
    assert after[("volunteer_hub_crawl_items", (("outcome", "expired_on_arrival"),))] == 0
    for rule in ("stale", "dead-links", "paid-work", "job-offer", "too-short"):
        assert after[("volunteer_hub_listing_rules", (("rule", rule),))] == 0
    for endpoint in ("site", "api"):
        key = ("volunteer_hub_search_latency_seconds_count", (("endpoint", endpoint),))
        assert after[key] == before.get(key, 0) + 1
    clicks = ("volunteer_hub_redirect_clicks_total", ())
    assert after[clicks] == before[clicks] + 1
    assert after[("volunteer_hub_scheduler_up", ())] == 0


def test_metrics_token(home: Path, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOLUNTEER_HUB_METRICS_TOKEN", "s3cret")
    client = build(load_settings(), db).test_client()  # settings are read once, when the app is built
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cret"}).status_code == 200
