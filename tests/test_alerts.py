"""E-mail alerts on a search: sign up -> confirm -> digest of exactly the new listings -> one-click
unsubscribe -> nothing more; in the subscriber's language; rate-limited; off without a public URL.

Mail goes to the local SMTP recorder (tests/smtp_server.py); the digest runs as
``volunteer-hub alerts send`` does (``search_app.alert_digest.send_digests``) with a chosen clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.alert_digest import AlertsUnavailable, send_digests
from tests.site_samples import LYON, RENNES, site_opportunity
from tests.smtp_server import Received, smtp_server  # noqa: F401 - fixture
from volunteer_hub.cli.main import main as cli_main
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Organization
from volunteer_hub.store.alerts_models import SearchAlert
from volunteer_hub.store.db import Database

PUBLIC = "https://benevolat.example.org"
START = datetime.now(UTC).replace(microsecond=0)


def _listing(source_id: str, title: str, place, first_seen: datetime):  # noqa: ANN001, ANN202
    opp = site_opportunity(
        "jardins-lyon",
        source_id,
        title,
        summary="Entretenir le potager collectif.",
        organization=Organization("Jardins de Lyon"),
        causes=["environnement"],
        locations=[place],
        start=START + timedelta(days=30),
    )
    opp.first_seen = first_seen
    return opp


OLD = _listing("old", "Jardin partagé de la Croix-Rousse", LYON, START - timedelta(days=3))
NEW = _listing("new", "Jardin des Pentes : semis d'automne", LYON, START + timedelta(hours=1))
FAR = _listing("far", "Jardin partagé de Rennes", RENNES, START + timedelta(hours=1))
LATER = _listing("later", "Jardin d'hiver de Gerland", LYON, START + timedelta(days=1, hours=1))


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch, smtp_server: tuple[int, Received]) -> Received:  # noqa: F811
    port, mails = smtp_server
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("VOLUNTEER_HUB_SMTP_PORT", str(port))
    return mails


@pytest.fixture
def index(tmp_path: Path) -> SqliteBackend:
    backend = SqliteBackend(tmp_path / "search.sqlite3")
    assert backend.upsert([OLD, NEW, FAR]).ok
    return backend


def _make_app(tmp_path: Path, backend: SqliteBackend, public_url: str | None) -> Flask:
    env = {"VOLUNTEER_HUB_HOME": str(tmp_path / "home")}
    if public_url:
        env["VOLUNTEER_HUB_PUBLIC_URL"] = public_url
    settings = load_settings(env)
    database = Database.from_settings(settings)
    return create_app({"SETTINGS": settings, "BACKEND": backend, "DATABASE": database, "TESTING": True})


@pytest.fixture
def app(tmp_path: Path, index: SqliteBackend, smtp: Received) -> Flask:
    return _make_app(tmp_path, index, PUBLIC)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def _mail(raw: str) -> EmailMessage:
    return message_from_string(raw, policy=default)  # type: ignore[return-value]


def _body(message: EmailMessage) -> str:
    return message.get_content()  # type: ignore[no-any-return]


def _sign_up(client: FlaskClient, search: str, email: str, lang: str = "fr", frequency: str = "daily") -> int:
    html = client.get(f"/?{search}&lang={lang}").get_data(as_text=True)
    form = re.search(r'<form class="alert-form".*?</form>', html, re.S)
    assert form, "the search page offers an e-mail alert"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(0)))
    fields = {k: v.replace("&amp;", "&") for k, v in fields.items()}
    fields.update(email=email, frequency=frequency)
    return client.post("/alerts", data=fields).status_code


def _link(body: str, kind: str) -> str:
    match = re.search(rf"{re.escape(PUBLIC)}(/alerts/{kind}/\S+)", body)
    assert match, body
    return match.group(1)


def _rows(app: Flask) -> list[SearchAlert]:
    db = app.extensions["volunteer_hub"]._database()  # noqa: SLF001
    with db.session() as s:
        return list(s.scalars(select(SearchAlert)))


def test_subscribe_confirm_digest_of_new_listings_unsubscribe(
    app: Flask, client: FlaskClient, smtp: Received
) -> None:
    assert _sign_up(client, "q=jardin&where=Lyon", "Ana@Example.org") == 200
    assert len(smtp) == 1
    rcpts, raw = smtp[0]
    confirmation = _mail(raw)
    assert rcpts == ["ana@example.org"]
    assert "Missions « jardin » près de Lyon" in confirmation["Subject"]
    body = _body(confirmation)
    assert f"{PUBLIC}/feeds/search.rss?q=jardin&where=Lyon" in body  # the same search by RSS

    # Unconfirmed: no digest, whatever is new.
    assert send_digests(app, now=START + timedelta(days=1)).due == 0
    confirm = _link(body, "confirm")
    page = client.get(confirm)
    assert page.status_code == 200 and "ana@example.org" in page.get_data(as_text=True)
    assert _rows(app)[0].confirmed_at is None  # opening the link (a mail scanner) confirms nothing
    assert client.post(confirm).status_code == 200
    assert _rows(app)[0].confirmed_at is not None

    report = send_digests(app, "daily", now=START + timedelta(days=1))
    assert (report.due, report.sent, report.failed) == (1, 1, 0)
    assert len(smtp) == 2
    digest = _mail(smtp[1][1])
    text = _body(digest)
    assert NEW.title in text
    assert OLD.title not in text  # seen before the alert started
    assert FAR.title not in text  # new, but not near Lyon
    assert "1 nouvelle mission" in digest["Subject"]
    assert f"{PUBLIC}/o/{NEW.id}" in text
    assert f"{PUBLIC}/feeds/search.rss?q=jardin&where=Lyon" in text
    unsubscribe = digest["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{PUBLIC}/alerts/unsubscribe/")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Not due again the same day; a weekly run leaves a daily alert alone.
    assert send_digests(app, now=START + timedelta(days=1, hours=2)).due == 0
    assert send_digests(app, "weekly", now=START + timedelta(days=9)).due == 0

    # RFC 8058 one-click: a POST with the form body, no cookie, no CSRF token.
    response = client.post(
        unsubscribe.removeprefix(PUBLIC), data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 200
    assert _rows(app) == []
    app.extensions["volunteer_hub"].backend.upsert([LATER])
    assert send_digests(app, now=START + timedelta(days=3)).sent == 0
    assert len(smtp) == 2


def test_digest_in_the_subscribers_language(app: Flask, client: FlaskClient, smtp: Received) -> None:
    assert _sign_up(client, "q=jardin&where=Lyon", "bob@example.org", lang="en", frequency="weekly") == 200
    confirmation = _mail(smtp[0][1])
    assert "Missions “jardin” near Lyon" in confirmation["Subject"]
    client.post(_link(_body(confirmation), "confirm"))
    assert send_digests(app, now=START + timedelta(days=2)).due == 0  # weekly: not yet
    assert send_digests(app, now=START + timedelta(days=7)).sent == 1
    digest = _mail(smtp[1][1])
    assert "1 new mission" in digest["Subject"]
    assert "New missions of your search" in _body(digest)
    assert NEW.title in _body(digest) and OLD.title not in _body(digest)


def test_sign_ups_are_rate_limited_per_address_and_per_email(client: FlaskClient, smtp: Received) -> None:
    statuses = [_sign_up(client, f"q=jardin{i}", "carla@example.org") for i in range(4)]
    assert statuses == [200, 200, 200, 429]  # 3 confirmation mails per e-mail address
    assert len(smtp) == 3
    statuses = [_sign_up(client, "q=plage", f"d{i}@example.org") for i in range(2)]
    assert statuses == [200, 429]  # 5 sign-ups per client address: the 4 above count
    assert len(smtp) == 4


def test_a_second_sign_up_reveals_nothing_and_changes_nothing(
    app: Flask, client: FlaskClient, smtp: Received
) -> None:
    _sign_up(client, "q=jardin", "eve@example.org")
    client.post(_link(_body(_mail(smtp[0][1])), "confirm"))
    assert _sign_up(client, "q=jardin", "eve@example.org", frequency="weekly") == 200
    assert len(smtp) == 1  # already on: no mail, and a stranger cannot change the frequency
    assert [r.frequency for r in _rows(app)] == ["daily"]


def test_bad_links_and_inputs_are_refused_cleanly(client: FlaskClient, smtp: Received) -> None:
    assert client.get("/alerts/confirm/forged").status_code == 404
    assert client.get("/alerts/unsubscribe/forged").status_code == 404
    assert client.post("/alerts", data={"email": "x@example.org", "token": "bad"}).status_code == 400
    assert _sign_up(client, "q=jardin", "not-an-address") == 400
    assert smtp == []


def test_no_public_url_no_alert_mail(tmp_path: Path, index: SqliteBackend, smtp: Received) -> None:
    app = _make_app(tmp_path, index, None)
    with app.test_client() as client:
        html = client.get("/?q=jardin").get_data(as_text=True)
        assert 'class="alert-form"' not in html and "feed" in html  # the feeds stay
    with pytest.raises(AlertsUnavailable, match="VOLUNTEER_HUB_PUBLIC_URL"):
        send_digests(app)
    assert smtp == []


def test_cli_alerts_send_refuses_without_public_url(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("VOLUNTEER_HUB_PUBLIC_URL", raising=False)
    assert cli_main(["alerts", "send", "--frequency", "daily"]) == 1
    assert "VOLUNTEER_HUB_PUBLIC_URL" in capsys.readouterr().err


def test_each_feed_is_titled_after_its_search(client: FlaskClient) -> None:
    def title(url: str) -> str:
        match = re.search(r"<title>([^<]+)</title>", client.get(url).get_data(as_text=True))
        assert match
        return match.group(1)

    assert (
        title("/feeds/search.rss?q=jardin&where=Lyon") == "Missions « jardin » près de Lyon · Volunteer Hub"
    )
    assert (
        title("/feeds/search.atom?q=jardin&where=Lyon&lang=en")
        == "Missions “jardin” near Lyon · Volunteer Hub"
    )
    assert (
        title("/feeds/search.rss?cause=environnement&lang=fr") == "Missions · Environnement · Volunteer Hub"
    )
