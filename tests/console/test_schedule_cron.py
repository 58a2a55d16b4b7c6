"""Per-partner cron schedules: reconcile builds and updates cron jobs; invalid crons are refused
by the CLI and the console."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask.testing import FlaskClient

from schedules.scheduler import job_id, reconcile
from tests.helpers import FAST, add_partner, cli, logged_in, set_partner
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.cron import CRON_TIMEZONE, cron_error
from volunteer_hub.store.db import CrawlRun, Database


def cron_fields(trigger: CronTrigger) -> dict[str, str]:
    return {f.name: str(f) for f in trigger.fields if not f.is_default}


def test_reconcile_creates_updates_and_clears_cron_jobs(db: Database, scheduler: BackgroundScheduler) -> None:
    add_partner(db, "mairie", cron="0 */6 * * *", interval_minutes=60)
    add_partner(db, "banque", interval_minutes=60)
    changes = reconcile(scheduler, db, FAST)
    assert sorted(changes["added"]) == [job_id("banque"), job_id("mairie")]

    job = scheduler.get_job(job_id("mairie"))
    assert isinstance(job.trigger, CronTrigger)
    assert cron_fields(job.trigger) == {
        "month": "*",
        "day": "*",
        "day_of_week": "*",
        "hour": "*/6",
        "minute": "0",
    }
    assert str(job.trigger.timezone) == CRON_TIMEZONE == "Europe/Paris"
    assert job.trigger.jitter == 600  # 10% of 6 hours, capped at 10 minutes
    assert isinstance(scheduler.get_job(job_id("banque")).trigger, IntervalTrigger)
    # Never crawled: the first run is soon, not at the next cron time.
    assert job.next_run_time - datetime.now(UTC) < timedelta(seconds=5)

    # Nothing changed: nothing rescheduled (the jitter is stable across reconciles).
    assert not any(reconcile(scheduler, db, FAST).values())

    # Changing the cron updates the job; its next run follows the last run's start.
    last_start = datetime(2030, 6, 3, 8, 30, tzinfo=UTC)  # 10:30 in Paris (summer time)
    with db.session() as s, s.begin():
        s.add(CrawlRun(partner_id="mairie", trigger="schedule", status="succeeded", started_at=last_start))
    set_partner(db, "mairie", cron="15 9 * * mon-fri")
    assert reconcile(scheduler, db, FAST)["rescheduled"] == [job_id("mairie")]
    job = scheduler.get_job(job_id("mairie"))
    assert isinstance(job.trigger, CronTrigger)
    assert cron_fields(job.trigger)["hour"] == "9" and cron_fields(job.trigger)["minute"] == "15"
    assert cron_fields(job.trigger)["day_of_week"] == "mon-fri"
    assert job.trigger.jitter == 600
    # 2030-06-03 is a Monday: next is Tuesday 09:15 Paris = 07:15 UTC (plus at most 10 min jitter).
    expected = datetime(2030, 6, 4, 7, 15, tzinfo=UTC)
    assert expected <= job.next_run_time <= expected + timedelta(seconds=600)

    # Setting a cron on an interval partner, and clearing one, switch the trigger type.
    set_partner(db, "banque", cron="*/30 * * * *")
    set_partner(db, "mairie", cron=None)
    changes = reconcile(scheduler, db, FAST)
    assert sorted(changes["rescheduled"]) == [job_id("banque"), job_id("mairie")]
    banque = scheduler.get_job(job_id("banque"))
    assert isinstance(banque.trigger, CronTrigger) and banque.trigger.jitter == 180  # 10% of 30 min
    mairie = scheduler.get_job(job_id("mairie"))
    assert isinstance(mairie.trigger, IntervalTrigger)
    assert mairie.trigger.interval == timedelta(seconds=60 * FAST.minute_seconds)

    # An invalid cron written to the database by other means: logged, the interval is used.
    set_partner(db, "banque", cron="not a cron")
    reconcile(scheduler, db, FAST)
    assert isinstance(scheduler.get_job(job_id("banque")).trigger, IntervalTrigger)


@pytest.mark.parametrize(
    "expr",
    ["0 */6 * *", "61 * * * *", "0 25 * * *", "0 9 * * 1", "0 0 31 2 *", "banana"],
)
def test_cron_error(expr: str) -> None:
    assert cron_error(expr)


def test_cron_valid() -> None:
    for expr in ("0 */6 * * *", "15 9 * * mon-fri", "*/30 * * * *", "0 3 1 * *", "0 8 * * sat,sun"):
        assert cron_error(expr) is None, expr


def test_cli_cron_and_interval(home: Path) -> None:
    url = "https://mairie.example.org/feed.xml"
    bad = cli(home, "partners", "add", "mairie", "--url", url, "--cron", "0 */6 * *")
    assert bad.returncode == 1
    assert "invalid --cron" in bad.stderr and "5 fields" in bad.stderr
    numeric = cli(home, "partners", "add", "mairie", "--url", url, "--cron", "0 9 * * 1")
    assert numeric.returncode == 1 and "names" in numeric.stderr
    db = Database.from_settings(load_settings())
    assert db.partner("mairie") is None  # nothing saved

    assert cli(home, "partners", "add", "mairie", "--url", url, "--cron", "0  */6 * * *").returncode == 0
    assert db.partner("mairie").cron == "0 */6 * * *"
    # An invalid cron on an existing partner leaves it as it was.
    assert cli(home, "partners", "add", "mairie", "--url", url, "--cron", "0 99 * * *").returncode == 1
    assert db.partner("mairie").cron == "0 */6 * * *"
    # Setting the interval clears the cron; both at once is a usage error.
    assert cli(home, "partners", "add", "mairie", "--url", url, "--interval", "120").returncode == 0
    partner = db.partner("mairie")
    assert (partner.cron, partner.interval_minutes) == (None, 120)
    both = cli(home, "partners", "add", "mairie", "--url", url, "--interval", "60", "--cron", "0 * * * *")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_console_schedule_form(client: FlaskClient, db: Database) -> None:  # noqa: F811
    add_partner(db, "acme", interval_minutes=90)
    token = logged_in(client)
    page = client.get("/admin/partners/acme").get_data(as_text=True)
    assert 'name="cron"' in page and "Save schedule" in page

    # Invalid: error shown, nothing saved.
    res = client.post(
        "/admin/partners/acme/interval",
        data={"csrf_token": token, "interval_minutes": "30", "cron": "0 */6 * *"},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "Invalid cron expression" in html and "5 fields" in html and "Nothing was saved" in html
    partner = db.partner("acme")
    assert (partner.cron, partner.interval_minutes) == (None, 90)

    # Without the CSRF token: refused.
    res = client.post("/admin/partners/acme/interval", data={"interval_minutes": "30", "cron": "0 * * * *"})
    assert res.status_code in (400, 403)
    assert db.partner("acme").cron is None

    # Valid cron: saved and shown.
    res = client.post(
        "/admin/partners/acme/interval",
        data={"csrf_token": token, "interval_minutes": "90", "cron": "0 */6 * * *"},
        follow_redirects=True,
    )
    html = res.get_data(as_text=True)
    assert "cron schedule" in html and "<code>0 */6 * * *</code>" in html
    assert db.partner("acme").cron == "0 */6 * * *"

    # Blank cron + interval: back to the interval, cron cleared.
    client.post(
        "/admin/partners/acme/interval", data={"csrf_token": token, "interval_minutes": "45", "cron": ""}
    )
    partner = db.partner("acme")
    assert (partner.cron, partner.interval_minutes) == (None, 45)
