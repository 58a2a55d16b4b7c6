"""The partners service on a real SQLite database and SQLite search index: registering, moderation,
schedules, removal (listings out of the index and the database) and the list with status; and the
``volunteer-hub partners`` subcommands built on it, run as an operator would."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer import open_backend
from indexer.base import SearchBackend
from indexer.es_backend import ElasticsearchBackend
from indexer.sync import push_pending
from tests.helpers import cli
from tests.samples import opp
from volunteer_hub.core.config import load_settings
from volunteer_hub.services import partners
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import AlertIncident
from volunteer_hub.store.partner_sync import PartnerSync


@pytest.fixture
def backend(home: Path) -> SearchBackend:
    """The configured backend of a fresh home: the embedded SQLite index."""
    backend = open_backend(load_settings())
    assert backend.name == "sqlite"
    backend.ensure_ready()
    return backend


def publish(db: Database, backend: SearchBackend, partner_id: str, n: int) -> list[str]:
    """Store ``n`` live listings of the partner and push them to the index, as a crawl does."""
    items = [
        opp(f"{partner_id}-{i}", f"Mission {i} chez {partner_id}", partner=partner_id, org=partner_id)
        for i in range(n)
    ]
    PartnerSync(db, partner_id).store(items)
    assert not push_pending(db, backend, partner_id).index_failures
    return [o.id for o in items]


def add_run(db: Database, partner_id: str, status: str, started_at: datetime | None = None) -> None:
    with db.session() as s, s.begin():
        s.add(CrawlRun(partner_id=partner_id, status=status, started_at=started_at or datetime.now(UTC)))


def rows(db: Database, model: type, partner_id: str) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(model.partner_id == partner_id))


# -- add -------------------------------------------------------------------------------------------
def test_add_creates_an_approved_partner_then_updates_it(db: Database) -> None:
    url = "https://mairie.example/feed.xml"
    added = partners.add(db, "mairie", url=url, country="fr", cron="0  6 * * mon")
    assert added.created
    p = db.partner("mairie")
    assert (p.name, p.status, p.format, p.default_country) == ("mairie", "approved", "auto", "FR")
    assert p.cron == "0 6 * * mon"  # normalised once, here

    again = partners.add(db, "mairie", url="https://mairie.example/v2.xml", format="rss", interval=120)
    assert not again.created
    p = db.partner("mairie")
    assert (p.url, p.format, p.name) == ("https://mairie.example/v2.xml", "rss", "mairie")
    assert p.default_country == "FR"  # kept when not given
    assert (p.interval_minutes, p.cron) == (120, None)  # an interval clears the cron


@pytest.mark.parametrize(
    ("partner_id", "fields", "message"),
    [
        ("Mairie", {}, "lowercase letters"),
        ("-mairie", {}, "lowercase letters"),
        ("mairie", {"format": "xls"}, "unknown format 'xls'"),
        ("mairie", {"country": "FRA"}, "two-letter"),
        ("mairie", {"cron": "0 */6 * *"}, "5 fields"),
        ("mairie", {"cron": "0 9 * * 1"}, "names"),
        ("mairie", {"interval": 1}, "between 5 and"),
        ("mairie", {"interval": 60, "cron": "0 * * * *"}, "not both"),
    ],
)
def test_add_refuses_and_writes_nothing(db: Database, partner_id: str, fields: dict, message: str) -> None:
    with pytest.raises(partners.PartnerError, match=message):
        partners.add(db, partner_id, url="https://mairie.example/feed.xml", **fields)
    assert db.partners() == []


def test_cron_errors_carry_the_expression_and_the_reason(db: Database) -> None:
    with pytest.raises(partners.CronError) as caught:
        partners.add(db, "mairie", url="https://mairie.example/feed.xml", cron="0  99 * * *")
    assert caught.value.expr == "0 99 * * *" and "maximum value (23)" in caught.value.reason


# -- sign-up and moderation ------------------------------------------------------------------------
def test_sign_up_is_pending_with_an_id_from_the_name_and_once_per_feed(db: Database) -> None:
    first = partners.sign_up(
        db, name="Élan Solidaire", contact_email="a@example.org", url="https://e.example/f"
    )
    second = partners.sign_up(
        db, name="Élan Solidaire", contact_email="b@example.org", url="https://x.example/f"
    )
    assert (first.partner_id, second.partner_id) == ("elan-solidaire", "elan-solidaire-2")
    again = partners.sign_up(db, name="Other name", contact_email="c@example.org", url="https://e.example/f")
    assert again == partners.SignUp("elan-solidaire", created=False)
    direct = partners.sign_up(db, name="Sans flux", contact_email="d@example.org")
    p = db.partner(direct.partner_id)
    assert (p.status, p.format, p.url, p.contact_email) == ("pending", "direct", "", "d@example.org")
    assert db.partner("elan-solidaire").format == "auto"  # no detected format: guessed at each crawl
    assert len(db.partners()) == 3


def test_state_transitions(db: Database) -> None:
    pending = partners.sign_up(db, name="Newbie", contact_email="n@example.org", url="https://n.example/f")
    spam = partners.sign_up(db, name="Spam", contact_email="s@example.org", url="https://s.example/f")
    assert partners.approve(db, pending.partner_id).status == "approved"
    with pytest.raises(partners.PartnerError, match="Only a pending partner"):
        partners.reject(db, pending.partner_id)
    assert db.partner(pending.partner_id).status == "approved"
    assert partners.reject(db, spam.partner_id).status == "rejected"
    assert db.partner(spam.partner_id).status == "rejected"

    assert partners.pause(db, "newbie").paused and db.partner("newbie").paused is True
    assert partners.list_partners(db, "newbie")[0].state == "paused"
    assert partners.resume(db, "newbie").paused is False and db.partner("newbie").paused is False
    for action in (partners.approve, partners.reject, partners.pause, partners.resume):
        with pytest.raises(partners.PartnerNotFound, match="no partner 'ghost'"):
            action(db, "ghost")


def test_schedule_switches_between_cron_and_interval(db: Database) -> None:
    partners.add(db, "mairie", url="https://mairie.example/feed.xml")
    assert partners.schedule(db, "mairie", cron=" 15 9  * * mon-fri ").cron == "15 9 * * mon-fri"
    with pytest.raises(partners.CronError):
        partners.schedule(db, "mairie", cron="banana")
    assert db.partner("mairie").cron == "15 9 * * mon-fri"  # a refused cron leaves it as it was
    with pytest.raises(partners.PartnerError, match="between 5 and 43200"):
        partners.schedule(db, "mairie", interval=60 * 24 * 31)
    p = partners.schedule(db, "mairie", interval=45)
    assert (p.interval_minutes, p.cron) == (45, None)
    with pytest.raises(partners.PartnerError):
        partners.schedule(db, "mairie")
    with pytest.raises(partners.PartnerNotFound):
        partners.schedule(db, "ghost", interval=60)


# -- removal ---------------------------------------------------------------------------------------
def test_remove_takes_listings_out_of_the_index_and_everything_out_of_the_database(
    db: Database, backend: SearchBackend
) -> None:
    partners.add(db, "acme", url="https://acme.example/feed.xml")
    partners.add(db, "other", url="https://other.example/feed.xml")
    gone = publish(db, backend, "acme", 3)
    kept = publish(db, backend, "other", 2)
    add_run(db, "acme", "succeeded")
    with db.session() as s, s.begin():
        s.add(AlertIncident(partner_id="acme", kind="stale", open_key="acme:stale"))
    assert backend.count() == 5

    removed = partners.remove(db, backend, "acme")
    assert removed == partners.Removed("acme", listings_removed=3)
    assert all(backend.get(i) is None for i in gone)
    assert all(backend.get(i) is not None for i in kept) and backend.count() == 2
    assert db.partner("acme") is None
    assert [rows(db, model, "acme") for model in (StoredOpportunity, CrawlRun, AlertIncident)] == [0, 0, 0]
    assert rows(db, StoredOpportunity, "other") == 2
    with pytest.raises(partners.PartnerNotFound):
        partners.remove(db, backend, "acme")


def test_remove_waits_for_a_running_crawl(db: Database, backend: SearchBackend) -> None:
    partners.add(db, "busy", url="https://busy.example/feed.xml")
    ids = publish(db, backend, "busy", 2)
    add_run(db, "busy", "running")
    with pytest.raises(partners.CrawlRunning, match="a crawl is running"):
        partners.remove(db, backend, "busy")
    assert db.partner("busy") is not None and db.partner("busy").paused is False
    assert all(backend.get(i) is not None for i in ids)


def test_remove_with_the_index_down_keeps_the_partner_paused_and_can_be_retried(
    db: Database, backend: SearchBackend
) -> None:
    partners.add(db, "acme", url="https://acme.example/feed.xml")
    ids = publish(db, backend, "acme", 2)
    with socket.socket() as s:  # a closed port on loopback: connection refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = ElasticsearchBackend(f"http://127.0.0.1:{port}", alias="vh-test-down")
    with pytest.raises(partners.IndexNotCleared, match="2 left"):
        partners.remove(db, down, "acme")
    assert db.partner("acme").paused is True  # the scheduler leaves it alone meanwhile
    assert rows(db, StoredOpportunity, "acme") == 2
    assert partners.remove(db, backend, "acme").listings_removed == 2
    assert db.partner("acme") is None and all(backend.get(i) is None for i in ids)


# -- list with status ------------------------------------------------------------------------------
def test_list_partners_gives_live_count_last_run_and_schedule(db: Database, backend: SearchBackend) -> None:
    partners.add(db, "acme", url="https://acme.example/feed.xml", cron="0 6 * * mon")
    partners.add(db, "quiet", url="https://quiet.example/feed.xml")
    partners.add(db, "broken", url="https://broken.example/feed.xml")
    with db.session() as s, s.begin():
        s.get(Partner, "broken").cron = "not a cron"  # written by other means
    publish(db, backend, "acme", 3)
    with db.session() as s, s.begin():
        s.get(StoredOpportunity, opp("acme-0", "", partner="acme").id).state = "gone"
    earlier = datetime.now(UTC) - timedelta(hours=2)
    add_run(db, "acme", "succeeded", earlier)
    add_run(db, "acme", "failed")

    listing = {o.partner.id: o for o in partners.list_partners(db)}
    assert list(listing) == ["acme", "broken", "quiet"]
    acme, broken, quiet = listing["acme"], listing["broken"], listing["quiet"]
    assert (acme.live, acme.last_run.status, acme.schedule, acme.schedule_error) == (
        2,
        "failed",
        "cron 0 6 * * mon",
        None,
    )
    assert (quiet.live, quiet.last_run, quiet.schedule) == (0, None, "every 360 min")
    assert broken.schedule == "every 360 min" and "invalid cron 'not a cron'" in broken.schedule_error
    row = acme.to_dict()
    assert (row["live"], row["last_run"], row["cron_timezone"], row["status"]) == (
        2,
        "failed",
        "Europe/Paris",
        "approved",
    )
    assert partners.overview(db, "quiet").live == 0
    with pytest.raises(partners.PartnerNotFound):
        partners.overview(db, "ghost")


# -- the CLI ---------------------------------------------------------------------------------------
def test_cli_moderation_and_schedule(home: Path) -> None:
    db = Database.from_settings(load_settings())
    partners.sign_up(db, name="Newbie", contact_email="n@example.org", url="https://n.example/f")
    partners.sign_up(db, name="Spam", contact_email="s@example.org", url="https://s.example/f")

    approved = cli(home, "partners", "approve", "newbie")
    assert approved.returncode == 0 and "approved partner newbie" in approved.stdout
    refused = cli(home, "partners", "reject", "newbie")
    assert refused.returncode == 1 and "Only a pending partner" in refused.stderr
    assert cli(home, "partners", "reject", "spam").returncode == 0
    assert cli(home, "partners", "pause", "newbie").returncode == 0
    assert (db.partner("newbie").status, db.partner("newbie").paused, db.partner("spam").status) == (
        "approved",
        True,
        "rejected",
    )
    rows = {r["id"]: r for r in json.loads(cli(home, "partners", "list", "--json").stdout)}
    assert rows["newbie"]["paused"] is True and rows["spam"]["status"] == "rejected"
    assert cli(home, "partners", "resume", "newbie").returncode == 0
    assert db.partner("newbie").paused is False

    cron = cli(home, "partners", "schedule", "newbie", "--cron", "0 6  * * mon")
    assert cron.returncode == 0 and "'0 6 * * mon'" in cron.stdout and "Europe/Paris" in cron.stdout
    assert db.partner("newbie").cron == "0 6 * * mon"
    bad = cli(home, "partners", "schedule", "newbie", "--cron", "0 6 * *")
    assert bad.returncode == 1 and "invalid --cron" in bad.stderr and "5 fields" in bad.stderr
    interval = cli(home, "partners", "schedule", "newbie", "--interval", "90")
    assert interval.returncode == 0 and "every 90 minutes" in interval.stdout
    assert (db.partner("newbie").interval_minutes, db.partner("newbie").cron) == (90, None)
    assert cli(home, "partners", "schedule", "newbie").returncode == 2  # --interval or --cron is required
    missing = cli(home, "partners", "pause", "ghost")
    assert missing.returncode == 1 and "no partner 'ghost'" in missing.stderr


def test_cli_remove(home: Path) -> None:
    settings = load_settings()
    db, backend = Database.from_settings(settings), open_backend(settings)
    backend.ensure_ready()
    partners.add(db, "acme", url="https://acme.example/feed.xml")
    partners.add(db, "other", url="https://other.example/feed.xml")
    ids = publish(db, backend, "acme", 3)
    publish(db, backend, "other", 1)
    add_run(db, "acme", "succeeded")

    unconfirmed = cli(home, "partners", "remove", "acme")  # no terminal to ask: --yes is required
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stderr
    assert db.partner("acme") is not None and backend.count() == 4

    removed = cli(home, "partners", "remove", "acme", "--yes")
    assert removed.returncode == 0, removed.stderr
    assert "removed partner acme, with 3 listing(s)" in removed.stdout
    assert db.partner("acme") is None and all(backend.get(i) is None for i in ids)
    assert backend.count() == 1 and rows(db, CrawlRun, "acme") == 0
    assert [r["id"] for r in json.loads(cli(home, "partners", "list", "--json").stdout)] == ["other"]

    again = cli(home, "partners", "remove", "acme", "--yes")
    assert again.returncode == 1 and "no partner 'acme'" in again.stderr
