# ruff: noqa: F811 - the db, scheduler and client fixtures are imported from other test modules
"""Cron partners as the operator sees them: staleness follows the cron (not the unused interval),
`partners list` shows the schedule, and an invalid stored cron is logged once and shown."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask.testing import FlaskClient
from sqlalchemy import select

import schedules.scheduler as scheduler_module
from schedules.scheduler import reconcile
from tests.helpers import FAST, add_partner, cli, logged_in, set_partner
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.cron import cron_longest_gap
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.alerts import evaluate_partner
from volunteer_hub.services.health import partner_health
from volunteer_hub.store.db import CrawlRun, Database
from volunteer_hub.store.ops_models import AlertIncident

CFG = OpsConfig()  # real minutes: interval_minutes=360 means 6 hours
WEEKLY = "0 6 * * mon"


def good_run(store: Database, partner_id: str, ago: timedelta) -> None:
    at = datetime.now(UTC) - ago
    with store.session() as s, s.begin():
        s.add(
            CrawlRun(
                partner_id=partner_id, trigger="schedule", status="succeeded", started_at=at, finished_at=at
            )
        )


def incidents(store: Database, partner_id: str) -> list[AlertIncident]:
    with store.session() as s:
        return list(s.scalars(select(AlertIncident).where(AlertIncident.partner_id == partner_id)))


def test_cron_longest_gap() -> None:
    assert cron_longest_gap(WEEKLY) == timedelta(days=7)
    assert cron_longest_gap("0 9 * * mon-fri") == timedelta(days=3)  # Friday to Monday
    assert cron_longest_gap("*/30 * * * *") == timedelta(minutes=30)
    assert cron_longest_gap("0 */6 * * *") == timedelta(hours=6)
    assert cron_longest_gap("0 3 1 * *") == timedelta(days=31)
    with pytest.raises(ValueError):
        cron_longest_gap("not a cron")


def test_weekly_cron_partner_on_time_raises_no_stale_alert(db: Database) -> None:
    created = datetime.now(UTC) - timedelta(days=30)
    add_partner(db, "weekly", status="approved", cron=WEEKLY, interval_minutes=360, created_at=created)
    add_partner(db, "sixhourly", status="approved", interval_minutes=360, created_at=created)
    good_run(db, "weekly", timedelta(days=3))  # 3 days > 2 x 360 min, but well within the week
    good_run(db, "sixhourly", timedelta(days=3))

    health = partner_health(db, db.partner("weekly"), CFG)
    assert health.state == "ok" and health.conditions == set() and health.reasons == []
    assert evaluate_partner(db, "weekly", CFG) == []
    assert incidents(db, "weekly") == []

    # Interval partners are unchanged: 2 x 360 min without a good run is stale.
    health = partner_health(db, db.partner("sixhourly"), CFG)
    assert health.state == "stale" and "(interval 360 min)" in health.reasons[0]
    assert evaluate_partner(db, "sixhourly", CFG) == ["alert:sixhourly:stale"]

    # Still on time at 13 days (two weekly runs may be 14 days apart)...
    with db.session() as s, s.begin():
        run = s.scalars(select(CrawlRun).where(CrawlRun.partner_id == "weekly")).one()
        run.finished_at = run.started_at = datetime.now(UTC) - timedelta(days=13)
    assert partner_health(db, db.partner("weekly"), CFG).state == "ok"
    # ... stale at 15: the alert names the cron schedule, not the unused interval.
    with db.session() as s, s.begin():
        run = s.scalars(select(CrawlRun).where(CrawlRun.partner_id == "weekly")).one()
        run.finished_at = run.started_at = datetime.now(UTC) - timedelta(days=15)
    health = partner_health(db, db.partner("weekly"), CFG)
    assert health.state == "stale"
    assert health.reasons[0].startswith("no good run since ")
    assert "(cron 0 6 * * mon, up to 7 days between runs)" in health.reasons[0]
    assert "interval" not in " ".join(health.reasons)
    assert evaluate_partner(db, "weekly", CFG) == ["alert:weekly:stale"]
    (incident,) = incidents(db, "weekly")
    assert "cron 0 6 * * mon" in incident.message and "interval" not in incident.message


def test_weekday_cron_spans_the_weekend(db: Database) -> None:
    add_partner(
        db,
        "office",
        status="approved",
        cron="0 9 * * mon-fri",
        interval_minutes=60,
        created_at=datetime.now(UTC) - timedelta(days=30),
    )
    good_run(db, "office", timedelta(days=4))  # a long weekend plus a missed Monday: not yet
    assert partner_health(db, db.partner("office"), CFG).state == "ok"
    with db.session() as s, s.begin():
        run = s.scalars(select(CrawlRun)).one()
        run.finished_at = run.started_at = datetime.now(UTC) - timedelta(days=7)
    health = partner_health(db, db.partner("office"), CFG)
    assert health.state == "stale" and "cron 0 9 * * mon-fri, up to 3 days between runs" in health.reasons[0]


def test_never_crawled_cron_partner_counts_from_its_creation(db: Database) -> None:
    add_partner(db, "fresh", status="approved", cron=WEEKLY, created_at=datetime.now(UTC) - timedelta(days=5))
    assert "stale" not in partner_health(db, db.partner("fresh"), CFG).conditions
    set_partner(db, "fresh", created_at=datetime.now(UTC) - timedelta(days=20))
    assert partner_health(db, db.partner("fresh"), CFG).state == "stale"


def test_invalid_cron_falls_back_to_the_interval_and_is_shown(
    db: Database,
    client: FlaskClient,  # noqa: F811 - fixture
) -> None:
    add_partner(
        db,
        "broken",
        status="approved",
        cron="0 9 * * 1",
        interval_minutes=360,
        created_at=datetime.now(UTC) - timedelta(days=30),
    )
    good_run(db, "broken", timedelta(hours=2))
    health = partner_health(db, db.partner("broken"), CFG)  # no exception
    assert health.state == "ok" and health.conditions == set()
    assert health.schedule_error and "invalid cron '0 9 * * 1'" in health.schedule_error
    assert health.reasons == [health.schedule_error]  # the console shows it instead of "ok"

    # Staleness uses the interval the scheduler falls back to: 13 h > 2 x 360 min.
    with db.session() as s, s.begin():
        run = s.scalars(select(CrawlRun)).one()
        run.finished_at = run.started_at = datetime.now(UTC) - timedelta(hours=13)
    health = partner_health(db, db.partner("broken"), CFG)
    assert health.state == "stale" and "(interval 360 min)" in health.reasons[0]
    assert "invalid cron" in health.reasons[1]
    assert evaluate_partner(db, "broken", CFG) == ["alert:broken:stale"]

    logged_in(client)
    page = client.get("/admin/partners/broken").get_data(as_text=True)
    assert "invalid cron" in page and "crawled every 360 min instead" in page
    overview = client.get("/admin/").get_data(as_text=True)
    assert "invalid cron" in overview


def test_invalid_cron_logged_once_per_partner_and_value(
    db: Database,
    scheduler: BackgroundScheduler,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scheduler_module, "_cron_errors_logged", set())
    add_partner(db, "banque", status="approved", cron="not a cron", interval_minutes=60)
    add_partner(db, "mairie", status="approved", cron="not a cron", interval_minutes=60)

    def errors() -> list[str]:
        return [
            r.getMessage()
            for r in caplog.records
            if r.levelno >= logging.ERROR and "invalid cron" in r.getMessage()
        ]

    with caplog.at_level(logging.ERROR, logger="schedules.scheduler"):
        for _ in range(4):  # four reconciles (every 30 s in production)
            reconcile(scheduler, db, FAST)
        assert len(errors()) == 2
        assert any("banque" in m for m in errors()) and any("mairie" in m for m in errors())
        assert "partners list" in errors()[0]
        # A different invalid value is news: logged once more.
        set_partner(db, "banque", cron="0 25 * * *")
        reconcile(scheduler, db, FAST)
        reconcile(scheduler, db, FAST)
        assert len(errors()) == 3 and "'0 25 * * *'" in errors()[-1]


def test_partners_list_shows_the_schedule(home: Path) -> None:
    url = "https://weekly.example.org/feed.xml"
    assert cli(home, "partners", "add", "weekly", "--url", url, "--cron", WEEKLY).returncode == 0
    assert (
        cli(home, "partners", "add", "sixhourly", "--url", url.replace("weekly", "sixhourly")).returncode == 0
    )
    assert cli(home, "partners", "add", "broken", "--url", url.replace("weekly", "broken")).returncode == 0

    listing = cli(home, "partners", "list")
    assert listing.returncode == 0, listing.stderr
    out = listing.stdout
    assert "schedule: cron 0 6 * * mon (Europe/Paris time)" in out
    assert "schedule: every 360 min" in out
    assert "SCHEDULE ERROR" not in out and "warning" not in listing.stderr

    # An invalid cron stored by other means (the CLI and the console refuse them): shown and warned.
    store = Database.from_settings(load_settings())
    set_partner(store, "broken", cron="0 9 * * 1")
    listing = cli(home, "partners", "list")
    assert listing.returncode == 0
    assert "SCHEDULE ERROR: invalid cron '0 9 * * 1' ignored" in listing.stdout
    assert "crawled every 360 min instead" in listing.stdout
    assert "warning: invalid cron for broken" in listing.stderr

    rows = {r["id"]: r for r in json.loads(cli(home, "partners", "list", "--json").stdout)}
    assert rows["weekly"]["schedule"] == "cron 0 6 * * mon"
    assert rows["weekly"]["cron"] == WEEKLY and rows["weekly"]["cron_timezone"] == "Europe/Paris"
    assert rows["weekly"]["schedule_error"] is None
    assert rows["sixhourly"]["schedule"] == "every 360 min" and rows["sixhourly"]["cron"] is None
    assert rows["sixhourly"]["interval_minutes"] == 360
    assert rows["broken"]["schedule"] == "every 360 min"
    assert "names" in rows["broken"]["schedule_error"]
