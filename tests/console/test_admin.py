"""The operator console with the Flask test client: login, CSRF, pages, actions, alerts."""

from __future__ import annotations

import http.server
import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.helpers import EMAIL, PASSWORD, fpxml, logged_in, login, token_from, wait_for
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Opportunity, make_id
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.services.alerts import evaluate_partner
from volunteer_hub.store.db import CrawlRun, Database, Partner, StoredOpportunity
from volunteer_hub.store.ops_models import AlertIncident


def add_partner(db: Database, partner_id: str, **fields: object) -> None:
    fields.setdefault("url", f"https://{partner_id}.example.org/feed.xml")
    with db.session() as s, s.begin():
        s.add(Partner(id=partner_id, name=f"Partner {partner_id}", **fields))


def add_run(db: Database, partner_id: str, status: str, **fields: object) -> int:
    with db.session() as s, s.begin():
        run = CrawlRun(partner_id=partner_id, status=status, finished_at=datetime.now(UTC), **fields)
        s.add(run)
        s.flush()
        return run.id


# -- access control ----------------------------------------------------------------------------
def test_nothing_under_admin_answers_without_login(app: Flask, client: FlaskClient, db: Database) -> None:
    add_partner(db, "secret-partner")
    run_id = add_run(db, "secret-partner", "failed", message="boom")
    rules = [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/admin") and r.endpoint != "admin.login"
    ]
    assert len(rules) >= 10
    for rule in rules:
        url = rule.rule.replace("<partner_id>", "secret-partner").replace("<int:run_id>", str(run_id))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            res = client.open(url, method=method)
            assert res.status_code in (302, 403), (method, url, res.status_code)
            if res.status_code == 302:
                assert res.headers["Location"].startswith("/admin/login")
            assert "secret-partner" not in res.get_data(as_text=True).replace("%2F", "/").split("next=")[0]
    with db.session() as s:
        assert s.get(Partner, "secret-partner").paused is False


def test_login_session_cookie_and_logout(client: FlaskClient, app: Flask) -> None:
    page = client.get("/admin/login")
    assert page.status_code == 200 and "Operator login" in page.get_data(as_text=True)
    status, body = login(client, password="wrong password!")
    assert status == 401 and "Wrong e-mail or password" in body
    assert login(client, email="nobody@example.org")[0] == 401
    res_token = token_from(client.get("/admin/login").get_data(as_text=True))
    res = client.post(
        "/admin/login", data={"csrf_token": res_token, "email": EMAIL.upper(), "password": PASSWORD}
    )
    assert res.status_code == 302 and res.headers["Location"] == "/admin/"
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    overview = client.get("/admin/")
    assert overview.status_code == 200 and EMAIL in overview.get_data(as_text=True)
    assert overview.headers["Cache-Control"] == "no-store"
    token = token_from(overview.get_data(as_text=True))
    # Logout is a POST with the token; afterwards the console is closed again.
    assert client.post("/admin/logout").status_code == 400
    assert client.post("/admin/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_cookie_is_secure_outside_tests(db: Database, backend: SqliteBackend) -> None:
    app = create_app({"SETTINGS": load_settings(), "BACKEND": backend, "DATABASE": db})
    res = app.test_client().get("/admin/login")
    assert "Secure" in res.headers["Set-Cookie"] and "HttpOnly" in res.headers["Set-Cookie"]


def test_login_redirects_back_but_never_off_site(client: FlaskClient) -> None:
    res = client.get("/admin/runs/1")
    assert res.headers["Location"] == "/admin/login?next=/admin/runs/1"
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    res = client.post(
        "/admin/login",
        data={
            "csrf_token": token,
            "email": EMAIL,
            "password": PASSWORD,
            "next": "https://evil.example/admin",
        },
    )
    assert res.headers["Location"] == "/admin/"


def test_csrf_enforced_on_every_form(client: FlaskClient, db: Database) -> None:
    add_partner(db, "acme")
    # The login form itself needs the token.
    res = client.post("/admin/login", data={"email": EMAIL, "password": PASSWORD})
    assert res.status_code == 400
    token = logged_in(client)
    for bad in ({}, {"csrf_token": "forged"}):
        assert client.post("/admin/partners/acme/pause", data=bad).status_code == 400
    with db.session() as s:
        assert s.get(Partner, "acme").paused is False
    assert client.post("/admin/partners/acme/pause", data={"csrf_token": token}).status_code == 302
    with db.session() as s:
        assert s.get(Partner, "acme").paused is True
    # Every form on the console's pages carries the token.
    for url in ("/admin/", "/admin/partners/acme"):
        html = client.get(url).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
        assert forms and all('name="csrf_token"' in f for f in forms)


# Failed logins, throttling and session ends: tests/console/test_login_security.py


# -- pages ---------------------------------------------------------------------------------------
def test_overview_partner_and_run_pages(client: FlaskClient, db: Database) -> None:
    add_partner(db, "good", interval_minutes=60)
    add_partner(db, "broken", interval_minutes=60)
    add_partner(db, "waiting", status="pending")
    add_partner(db, "resting", paused=True)
    add_run(db, "good", "succeeded", seen=12, new=12)
    add_run(db, "broken", "succeeded", seen=10)
    errors = [
        {
            "message": "missing title",
            "item": f"opp-{n}",
            "field": "title",
            "line": 10 + n,
            "severity": "error",
        }
        for n in range(7)
    ] + [{"message": "no postal code", "item": "opp-ok", "field": "location", "severity": "warning"}]
    bad_id = add_run(
        db,
        "broken",
        "failed",
        seen=3,
        rejected=7,
        errors=errors,
        message="the feed is malformed XML",
        rejected_by_reason={"missing title": 7},
        http_status=200,
        bytes=1234,
    )
    opp = Opportunity(
        id=make_id("broken", "opp-ok"),
        partner="broken",
        source_id="opp-ok",
        url="https://broken.example.org/ok",
        title="OK",
    )
    opp.content_hash = opp.compute_hash()
    with db.session() as s, s.begin():
        s.add(
            StoredOpportunity(
                id=opp.id,
                partner_id="broken",
                source_id="opp-ok",
                content_hash=opp.content_hash,
                data=opp.to_dict(),
            )
        )
    logged_in(client)

    html = client.get("/admin/").get_data(as_text=True)
    for state in ("failing", "pending", "paused", "ok"):
        assert f"badge-{state}" in html
    assert html.index("Partner broken") < html.index("Partner good")  # worst first
    assert "Scheduler" in html and "NOT RUNNING" in html and "Search backend" in html

    page = client.get("/admin/partners/broken")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<rect ") >= 2 and "run #" in html  # inline SVG chart, one bar per run
    assert "<script" not in html
    assert "missing title" in html and "opp-0" in html and "line 10" in html
    assert f'href="/o/{opp.id}"' in html  # a live item links to its public page
    assert "the feed is malformed XML" in html

    run = client.get(f"/admin/runs/{bad_id}").get_data(as_text=True)
    for text in ("Rejected", "1234", "the feed is malformed XML", "missing title", "opp-6"):
        assert text in run
    assert client.get("/admin/runs/99999").status_code == 404
    assert client.get("/admin/partners/nope").status_code == 404


def test_actions_interval_approve_reject_remove(
    client: FlaskClient, db: Database, backend: SqliteBackend
) -> None:
    add_partner(db, "acme")
    add_partner(db, "newbie", status="pending")
    add_partner(db, "spam", status="pending")
    token = logged_in(client)

    assert (
        client.post(
            "/admin/partners/acme/interval", data={"csrf_token": token, "interval_minutes": "90"}
        ).status_code
        == 302
    )
    client.post("/admin/partners/acme/interval", data={"csrf_token": token, "interval_minutes": "1"})
    client.post("/admin/partners/newbie/approve", data={"csrf_token": token})
    client.post("/admin/partners/spam/reject", data={"csrf_token": token})
    with db.session() as s:
        assert s.get(Partner, "acme").interval_minutes == 90
        assert s.get(Partner, "newbie").status == "approved"
        assert s.get(Partner, "spam").status == "rejected"

    # Remove with its listings: gone from the index and the database.
    opps = []
    for n in range(3):
        opp = Opportunity(
            id=make_id("acme", f"a{n}"),
            partner="acme",
            source_id=f"a{n}",
            url=f"https://acme.example.org/{n}",
            title=f"Mission {n}",
            first_seen=datetime.now(UTC),
            last_seen=datetime.now(UTC),
        )
        opp.content_hash = opp.compute_hash()
        opps.append(opp)
    backend.upsert(opps)
    with db.session() as s, s.begin():
        for opp in opps:
            s.add(
                StoredOpportunity(
                    id=opp.id,
                    partner_id="acme",
                    source_id=opp.source_id,
                    content_hash=opp.content_hash,
                    indexed_hash=opp.content_hash,
                    data=opp.to_dict(),
                )
            )
    add_run(db, "acme", "succeeded", seen=3)
    assert backend.get(opps[0].id) is not None
    # Without the typed confirmation nothing happens.
    client.post("/admin/partners/acme/remove", data={"csrf_token": token, "confirm": "nope"})
    assert db.partner("acme") is not None
    res = client.post("/admin/partners/acme/remove", data={"csrf_token": token, "confirm": "acme"})
    assert res.status_code == 302 and res.headers["Location"] == "/admin/"
    assert db.partner("acme") is None
    assert all(backend.get(o.id) is None for o in opps)
    with db.session() as s:
        assert (
            s.scalars(select(StoredOpportunity).where(StoredOpportunity.partner_id == "acme")).first() is None
        )
    assert "removed, with 3 listing(s)" in client.get("/admin/").get_data(as_text=True)


def test_run_now_spawns_a_crawl_and_refuses_a_second(
    client: FlaskClient,
    db: Database,
    feed_server: tuple[Path, str],  # noqa: F811
    silent_server: str,  # noqa: F811
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("x1", "Mission X1"), ("x2", "Mission X2")]))
    add_partner(db, "live", url=f"{base}/feed.xml")
    add_partner(db, "stuck", url=silent_server)
    token = logged_in(client)

    client.post("/admin/partners/live/run", data={"csrf_token": token})
    done = wait_for(lambda: [r for r in db_runs(db, "live") if r.status != "running" and r.log_file], 60)
    assert (done[0].trigger, done[0].status, done[0].seen) == ("manual", "succeeded", 2)
    page = client.get("/admin/partners/live").get_data(as_text=True)
    assert "Log of the last run" in page and f"started as run #{done[0].id}" in page

    client.post("/admin/partners/stuck/run", data={"csrf_token": token})
    wait_for(lambda: [r for r in db_runs(db, "stuck") if r.status == "running"], 30)
    res = client.post("/admin/partners/stuck/run", data={"csrf_token": token}, follow_redirects=True)
    assert "already running" in res.get_data(as_text=True)
    assert len(db_runs(db, "stuck")) == 1
    # Clean up the stuck crawl: its process group is killed at the hard timeout otherwise.
    import os
    import signal

    (stuck,) = wait_for(lambda: [r for r in db_runs(db, "stuck") if r.pid], 30)
    os.killpg(stuck.pid, signal.SIGKILL)  # the crawl's own process group
    wait_for(lambda: db_runs(db, "stuck")[0].status == "failed", 30)


def db_runs(db: Database, partner_id: str) -> list[CrawlRun]:
    with db.session() as s:
        return list(
            s.scalars(select(CrawlRun).where(CrawlRun.partner_id == partner_id).order_by(CrawlRun.id))
        )


# -- alerts --------------------------------------------------------------------------------------
@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    """A webhook receiver on 127.0.0.1 that records every JSON body."""
    received: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()


def test_alerts_once_per_incident_with_recovery(
    client: FlaskClient, db: Database, webhook: tuple[str, list[dict]]
) -> None:
    url, received = webhook
    cfg = OpsConfig(alert_failures=3, alert_webhook=url, public_url="https://hub.example.org")
    add_partner(db, "flaky", interval_minutes=60)
    add_run(db, "flaky", "succeeded", seen=10)
    for _ in range(2):
        add_run(db, "flaky", "failed", message="could not fetch the feed")
    assert evaluate_partner(db, "flaky", cfg) == []  # 2 failures: below the threshold
    add_run(db, "flaky", "failed", message="could not fetch the feed")
    assert evaluate_partner(db, "flaky", cfg) == ["alert:flaky:failing"]
    assert evaluate_partner(db, "flaky", cfg) == []  # once per incident
    add_run(db, "flaky", "failed", message="could not fetch the feed")
    assert evaluate_partner(db, "flaky", cfg) == []
    assert len(received) == 1
    alert = received[0]
    assert (alert["event"], alert["partner"], alert["kind"]) == ("alert", "flaky", "failing")
    assert (
        "4 failed crawls in a row" not in alert["message"] and "3 failed crawls in a row" in alert["message"]
    )
    assert alert["console_url"] == "https://hub.example.org/admin/partners/flaky"

    # The console shows the flag.
    logged_in(client)
    html = client.get("/admin/").get_data(as_text=True)
    assert "Alerts" in html and "row-flagged" in html and "3 failed crawls in a row" in html

    # Recovery: one notice, incident closed.
    add_run(db, "flaky", "succeeded", seen=10)
    assert evaluate_partner(db, "flaky", cfg) == ["recovery:flaky:failing"]
    assert evaluate_partner(db, "flaky", cfg) == []
    assert [r["event"] for r in received] == ["alert", "recovery"]

    # Shrink guard raises its own alert.
    add_run(db, "flaky", "shrink-guarded", seen=2, message="only 2 items against 10 in the last good run")
    assert evaluate_partner(db, "flaky", cfg) == ["alert:flaky:shrink-guarded"]
    assert "only 2 items" in received[-1]["message"]


def test_stale_partner_alert_and_webhook_retry(db: Database, webhook: tuple[str, list[dict]]) -> None:
    url, received = webhook
    add_partner(db, "sleepy", interval_minutes=60, created_at=datetime.now(UTC) - timedelta(days=3))
    add_run(db, "sleepy", "succeeded", seen=5, started_at=datetime.now(UTC) - timedelta(hours=3))
    with db.session() as s, s.begin():
        s.scalars(select(CrawlRun)).one().finished_at = datetime.now(UTC) - timedelta(hours=3)
    # Webhook down: the incident opens but stays undelivered, then is delivered once it is back.
    down = OpsConfig(alert_webhook="http://127.0.0.1:9/hook")
    assert evaluate_partner(db, "sleepy", down) == []
    with db.session() as s:
        incident = s.scalars(select(AlertIncident)).one()
        assert incident.kind == "stale" and incident.notified_at is None
    assert evaluate_partner(db, "sleepy", OpsConfig(alert_webhook=url)) == ["alert:sleepy:stale"]
    assert received[0]["kind"] == "stale" and "no good run since" in received[0]["message"]
    # Paused partners raise nothing (and their incidents resolve).
    with db.session() as s, s.begin():
        s.get(Partner, "sleepy").paused = True
    assert evaluate_partner(db, "sleepy", OpsConfig(alert_webhook=url)) == ["recovery:sleepy:stale"]


def test_alert_email_and_webhook_are_delivered_separately(
    db: Database,
    webhook: tuple[str, list[dict]],
    smtp_server: tuple[int, list],  # noqa: F811
) -> None:
    url, posts = webhook
    port, mails = smtp_server
    both = OpsConfig(
        alert_failures=1,
        alert_webhook=url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        alert_email_to=("ops@example.org",),
        alert_email_from="hub@example.org",
        public_url="https://hub.example.org",
    )
    add_partner(db, "mailme", interval_minutes=60)
    add_run(db, "mailme", "failed", message="HTTP 500 from the partner")
    # The mail server is down at first: the webhook is delivered once, e-mail retried alone.
    mail_down = OpsConfig(**{**both.__dict__, "smtp_port": 9})
    assert evaluate_partner(db, "mailme", mail_down) == []
    assert len(posts) == 1
    assert evaluate_partner(db, "mailme", both) == ["alert:mailme:failing"]
    assert len(posts) == 1 and len(mails) == 1
    recipients, body = mails[0]
    assert recipients == ["ops@example.org"]
    assert "ALERT mailme: failing" in body and "HTTP 500 from the partner" in body
    assert "https://hub.example.org/admin/partners/mailme" in body
    add_run(db, "mailme", "succeeded", seen=3)
    assert evaluate_partner(db, "mailme", both) == ["recovery:mailme:failing"]
    assert [p["event"] for p in posts] == ["alert", "recovery"] and len(mails) == 2
    assert "RECOVERED mailme" in mails[1][1]


def test_one_open_incident_per_partner_and_kind_even_when_racing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import volunteer_hub.services.alerts as alerts

    cfg = OpsConfig(alert_failures=1)
    add_partner(db, "racy", interval_minutes=60)
    add_run(db, "racy", "failed", message="boom")
    assert evaluate_partner(db, "racy", cfg) == ["alert:racy:failing"]
    # Another process evaluating at the same moment saw no open incident yet.
    monkeypatch.setattr(alerts, "_open_incidents", lambda _db, _partner: {})
    evaluate_partner(db, "racy", cfg)
    with db.session() as s:
        assert len(s.scalars(select(AlertIncident).where(AlertIncident.resolved_at.is_(None))).all()) == 1
    monkeypatch.undo()
    add_run(db, "racy", "succeeded", seen=1)
    assert evaluate_partner(db, "racy", cfg) == ["recovery:racy:failing"]
    add_run(db, "racy", "failed", message="boom again")
    assert evaluate_partner(db, "racy", cfg) == ["alert:racy:failing"]  # a new incident can open
