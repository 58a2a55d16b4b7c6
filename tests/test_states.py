"""The stored states (volunteer_hub/store/states.py): every value a code path writes is a member of
its enum, and the members' values never change (they are what existing databases hold)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from crawlers.report import RunReport
from crawlers.runner import PlannedRun, finish_run
from indexer.rebuild import mark_expired
from indexer.sqlite_backend import SqliteBackend
from indexer.sync import push_pending
from search_app import create_app
from search_app.portal.account import create_login_token
from tests import samples
from tests.helpers import crawl, token_from
from volunteer_hub.core.config import Settings, load_settings
from volunteer_hub.services import direct, partners
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database, StoredOpportunity
from volunteer_hub.store.flags import HIDE, set_flag, settle
from volunteer_hub.store.partner_sync import PartnerSync
from volunteer_hub.store.runs import allocate_run
from volunteer_hub.store.states import OpportunityState, PartnerStatus, PostingStatus, RunStatus

EMAIL, PASSWORD = "ops@example.org", "correct horse battery"
# What databases in service hold: renaming a value would orphan their rows.
STORED_VALUES = {
    OpportunityState: {
        "LIVE": "live",
        "GONE": "gone",
        "HIDDEN": "hidden",
        "EXPIRED": "expired",
        "SUPPRESSED": "suppressed",
    },
    PartnerStatus: {"APPROVED": "approved", "PENDING": "pending", "REJECTED": "rejected"},
    PostingStatus: {
        "PENDING": "pending",
        "PUBLISHED": "published",
        "CLOSED": "closed",
        "REJECTED": "rejected",
    },
    RunStatus: {
        "RUNNING": "running",
        "SUCCEEDED": "succeeded",
        "NOT_MODIFIED": "not-modified",
        "FAILED": "failed",
        "PARTIAL": "partial",
        "SHRINK_GUARDED": "shrink-guarded",
    },
}
COLUMNS = {
    ("stored_opportunity", "state"): OpportunityState,
    ("partner", "status"): PartnerStatus,
    ("direct_posting", "status"): PostingStatus,
    ("crawl_run", "status"): RunStatus,
}


@pytest.mark.parametrize("enum", list(STORED_VALUES), ids=lambda e: e.__name__)
def test_stored_values_are_unchanged(enum: type) -> None:
    assert {m.name: m.value for m in enum} == STORED_VALUES[enum]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings()  # with the ``database_url`` fixture's database: SQLite, then PostgreSQL


@pytest.fixture
def app(settings: Settings, db: Database) -> Flask:
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    add_operator(db, EMAIL, PASSWORD)
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


def operator(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    res = client.post("/admin/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD})
    assert res.status_code == 302
    return client


def post_opportunity(app: Flask, db: Database, partner_id: str, title: str) -> None:
    """A direct posting through the partner portal's form."""
    client = app.test_client()
    assert client.get(f"/partners/login/{create_login_token(db, partner_id)}").status_code == 302
    token = token_from(client.get("/partners/postings/new?lang=en").get_data(as_text=True))
    form = {
        "title": title,
        "description": "Accompagner des collégiens dans leurs devoirs, chaque mercredi après-midi.",
        "causes": ["education"],
        "places": "Rennes 35000",
        "start": "2027-01-06",
        "ongoing": "1",
        "url": f"https://{partner_id}.example/devoirs",
        "csrf_token": token,
    }
    assert client.post("/partners/postings/new?lang=en", data=form).status_code == 302


def stored_values(db: Database) -> dict[tuple[str, str], set[str]]:
    with db.engine.connect() as conn:
        return {
            (table, column): set(conn.execute(text(f"SELECT DISTINCT {column} FROM {table}")).scalars())
            for table, column in COLUMNS
        }


def test_every_state_written_is_a_member(app: Flask, settings: Settings, db: Database) -> None:
    backend = app.extensions["volunteer_hub"].backend
    ops = operator(app)

    # Partners: added by an operator, signed up (pending), rejected.
    partners.add(db, "test", url="https://test.example/feed.xml", format="fpxml")
    partners.add(db, "other", url="https://other.example/feed.xml", format="fpxml")
    refused = partners.sign_up(db, name="Refusée", contact_email="r@ex.org", url="https://r.example/feed.xml")
    partners.reject(db, refused.partner_id)

    # Crawls: new items, a failure, a cut-short run, a shrink guard, one item retired, an expiry.
    soon = samples.NOW + timedelta(days=1)
    items = [samples.opp(f"m{i}", f"Mission {i}") for i in range(4)]
    items.append(samples.opp("short", "Mission courte", end=soon))
    assert crawl(db, backend, items)[0].status == RunStatus.SUCCEEDED
    assert crawl(db, backend, items, failed="the feed could not be read")[0].status == RunStatus.FAILED
    assert crawl(db, backend, items, complete=False)[0].status == RunStatus.PARTIAL
    assert crawl(db, backend, items[:1])[0].status == RunStatus.SHRINK_GUARDED
    assert crawl(db, backend, items[:3] + items[4:])[1].removed == 1  # m3 is gone
    assert mark_expired(db, soon + timedelta(days=1)) == [items[4].id]
    with db.session() as s, s.begin():  # an automatic rule (a dead link) hides m1: suppressed
        row = s.get(StoredOpportunity, items[1].id)
        set_flag(row, "dead-link", HIDE, "the page answers HTTP 404", samples.NOW)
        assert settle(row)
    push_pending(db, backend, "test")

    # The runner's own outcome of a feed answering 304, and a run still in progress.
    run_id = allocate_run(db, "test", "manual")
    plan = PlannedRun(db.partner("test"), run_id, PartnerSync(db, "test"), RunReport("test"))
    plan.report.not_modified = True
    finish_run(plan, settings=settings, db=db, publish=lambda pid: push_pending(db, backend, pid))
    allocate_run(db, "other", "schedule")

    # Moderation hides a listing.
    page = ops.get("/admin/moderation").get_data(as_text=True)
    res = ops.post(f"/admin/moderation/{items[0].id}/hide", data={"csrf_token": token_from(page)})
    assert res.status_code == 302

    # Direct postings: the first one waits, is approved (published), then closed; another
    # organization's first one is rejected and stays pending until then.
    a, b, c = (partners.sign_up(db, name=f"Asso {x}", contact_email=f"{x}@ex.org").partner_id for x in "abc")
    for partner_id in (a, b, c):
        post_opportunity(app, db, partner_id, f"Aide aux devoirs {partner_id}")
    (first,) = direct.postings(db, a)
    (turned_down,) = direct.postings(db, b)
    assert first.status == turned_down.status == PostingStatus.PENDING
    token = token_from(ops.get("/admin/moderation").get_data(as_text=True))
    assert ops.post(f"/admin/postings/{first.id}/approve", data={"csrf_token": token}).status_code == 302
    res = ops.post(f"/admin/postings/{turned_down.id}/reject", data={"csrf_token": token})
    assert res.status_code == 302
    post_opportunity(app, db, a, "Collecte de jouets")  # published at once
    (first,) = [p for p in direct.postings(db, a) if p.id == first.id]
    assert first.status == PostingStatus.PUBLISHED
    direct.close(db, backend, first)

    found = stored_values(db)
    for (table, column), enum in COLUMNS.items():
        assert found[(table, column)] <= set(enum), f"{table}.{column} holds a value outside {enum.__name__}"
    # The paths above write every member, so a state no code path writes any more shows up here too.
    assert found == {key: {m.value for m in enum} for key, enum in COLUMNS.items()}
