"""Console login hardening (issue 16, "Operator login"): one answer for every failed login, one
password check on every path, throttling per address that a third party cannot turn against the
operator, sessions that end at logout and password reset."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect
from werkzeug.security import generate_password_hash

from tests.helpers import EMAIL, PASSWORD, login, token_from
from volunteer_hub.store import auth, login_throttle
from volunteer_hub.store.auth import add_operator, authenticate
from volunteer_hub.store.db import Database

UNKNOWN = "nobody@example.org"


def client_at(app: Flask, address: str) -> FlaskClient:
    """A browser on its own network address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages below are the English ones
    return client


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash check done by the login (the real check still runs)."""
    calls: list[str] = []
    real: Callable[[str, str], bool] = auth.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        calls.append(password)
        return real(pwhash, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    return calls


def answer(client: FlaskClient, email: str, password: str) -> tuple[int, str]:
    """The login's status and page, without what differs by design: the e-mail typed (the form keeps
    it) and the browser's own CSRF token."""
    status, body = login(client, email=email, password=password)
    return status, body.replace(email, "EMAIL").replace(token_from(body), "TOKEN")


def test_unknown_account_wrong_password_and_attacked_account_get_one_answer_and_one_hash_check(
    app: Flask, hash_checks: list[str]
) -> None:
    app.config["LOGIN_ACCOUNT_DELAY"] = 0  # the slowing itself: test_an_attacked_account_is_slowed_...
    client = client_at(app, "198.51.100.7")
    unknown = answer(client, UNKNOWN, "wrong password 1")
    wrong = answer(client, EMAIL, "wrong password 2")
    assert unknown[0] == wrong[0] == 401
    assert unknown[1] == wrong[1]
    assert "Wrong e-mail or password" in wrong[1] and "lock" not in wrong[1].lower()
    assert hash_checks == ["wrong password 1", "wrong password 2"]

    # Others hammer the account from many addresses, far past what used to lock it.
    for n in range(3 * login_throttle.ACCOUNT_LIMIT):
        other = client_at(app, f"203.0.113.{n // login_throttle.PAIR_LIMIT}")
        assert answer(other, EMAIL, f"guess {n}")[0] == 401
    attacked = answer(client, EMAIL, "wrong password 3")
    assert attacked == wrong
    assert hash_checks[-1] == "wrong password 3"
    assert len(hash_checks) == 3 + 3 * login_throttle.ACCOUNT_LIMIT  # one check per attempt, every path
    # ... and the operator still gets in with the right password.
    assert login(client)[0] == 302


def test_an_attacked_account_is_slowed_not_locked(app: Flask, db: Database) -> None:
    for email in (EMAIL, UNKNOWN):  # an account that does not exist is slowed alike: no tell
        slept: list[float] = []
        for n in range(login_throttle.ACCOUNT_LIMIT):
            assert not authenticate(db, email, "guess", address=f"203.0.113.{n}", sleep=slept.append).ok
        assert slept == []
        assert not authenticate(db, email, "guess", address="192.0.2.1", sleep=slept.append).ok
        assert slept == [login_throttle.ACCOUNT_DELAY]
    result = authenticate(db, EMAIL, PASSWORD, address="198.51.100.7", sleep=slept.append)
    assert result.ok and slept == [login_throttle.ACCOUNT_DELAY] * 2  # slowed, and let in


def test_a_third_party_cannot_keep_the_operator_out(app: Flask, hash_checks: list[str]) -> None:
    attacker = client_at(app, "203.0.113.66")
    for n in range(login_throttle.PAIR_LIMIT):
        assert answer(attacker, EMAIL, f"guess {n}")[0] == 401
    throttled = answer(attacker, EMAIL, "one more guess")
    assert throttled[0] == 429 and "Too many failed attempts from your address" in throttled[1]
    assert answer(attacker, EMAIL, PASSWORD)[0] == 429  # even the right password, from there
    for n in range(50):
        assert answer(attacker, EMAIL, f"more {n}")[0] == 429
    assert len(hash_checks) == login_throttle.PAIR_LIMIT  # refused attempts cost no hash check
    # The same refusal for an account that does not exist: throttling tells nothing either.
    other = client_at(app, "203.0.113.67")
    for n in range(login_throttle.PAIR_LIMIT):
        answer(other, UNKNOWN, f"guess {n}")
    assert answer(other, UNKNOWN, "one more guess") == throttled

    # The real operator, from its own address, is neither locked nor throttled.
    assert login(client_at(app, "198.51.100.7"))[0] == 302


class _StoppedClock(datetime):
    """``datetime`` whose ``now`` stands still: the address bucket refills one token per
    ``WINDOW / ADDRESS_LIMIT`` (30 s), and 60 attempts with their hash checks can take that long on
    a busy machine; the refill itself is test_throttling_ends_with_its_window's business."""

    at = datetime.now(UTC)

    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
        return cls.at


def test_one_address_is_throttled_across_accounts(
    app: Flask, hash_checks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "datetime", _StoppedClock)
    crawler = client_at(app, "203.0.113.99")
    statuses = [answer(crawler, f"user{n}@example.org", "password guess")[0] for n in range(60)]
    assert statuses[: login_throttle.ADDRESS_LIMIT] == [401] * login_throttle.ADDRESS_LIMIT
    assert set(statuses[login_throttle.ADDRESS_LIMIT :]) == {429}
    assert len(hash_checks) == login_throttle.ADDRESS_LIMIT
    res = crawler.post("/admin/login", data={"email": "x@example.org", "password": "y"})
    assert res.status_code == 400  # (no CSRF token: refused before anything else)
    assert login(client_at(app, "198.51.100.7"))[0] == 302  # other addresses are unaffected


def test_throttling_ends_with_its_window(app: Flask, db: Database) -> None:
    start = datetime.now(UTC)
    for _ in range(login_throttle.PAIR_LIMIT):
        authenticate(db, EMAIL, "guess", address="203.0.113.5", now=start)
    assert authenticate(db, EMAIL, PASSWORD, address="203.0.113.5", now=start).throttled
    later = start + login_throttle.WINDOW + timedelta(seconds=1)
    assert authenticate(db, EMAIL, PASSWORD, address="203.0.113.5", now=later).ok


# -- sessions ------------------------------------------------------------------------------------
def test_logout_ends_every_session_of_the_operator(app: Flask) -> None:
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop)[0] == 302 and login(phone)[0] == 302
    stolen = phone.get_cookie("vh_session")
    assert stolen is not None
    assert phone.get("/admin/").status_code == 200
    page = laptop.get("/admin/").get_data(as_text=True)
    assert laptop.post("/admin/logout", data={"csrf_token": token_from(page)}).status_code == 302
    assert laptop.get("/admin/").status_code == 302
    assert phone.get("/admin/").status_code == 302  # the other session ended too
    replay = app.test_client()
    replay.set_cookie("vh_session", stolen.value)
    assert replay.get("/admin/").status_code == 302  # and a copy of its cookie is worthless


def test_password_reset_with_the_cli_ends_every_session(app: Flask, home: Path) -> None:
    client = app.test_client()
    assert login(client)[0] == 302 and client.get("/admin/").status_code == 200
    reset = subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", "operators", "add", EMAIL, "--password-stdin"],
        input="a brand new passphrase\n",
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reset.returncode == 0, reset.stderr
    assert client.get("/admin/").status_code == 302
    assert "console sessions ended" in reset.stdout
    assert login(client)[0] == 401
    assert login(client, password="a brand new passphrase")[0] == 302
    assert client.get("/admin/").status_code == 200


def test_an_existing_database_gets_the_session_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE operator (id INTEGER PRIMARY KEY, email VARCHAR(254) NOT NULL UNIQUE,"
            " password_hash TEXT NOT NULL, created_at DATETIME NOT NULL, failed_logins INTEGER NOT NULL,"
            " locked_until DATETIME, last_login_at DATETIME)"
        )
        conn.exec_driver_sql(
            "INSERT INTO operator VALUES (1, ?, ?, '2025-01-01 00:00:00', 0, NULL, NULL)",
            (EMAIL, generate_password_hash(PASSWORD)),
        )
    engine.dispose()
    db = Database(url)
    assert "session_version" in {c["name"] for c in inspect(db.engine).get_columns("operator")}
    result = authenticate(db, EMAIL, PASSWORD)
    assert result.ok and result.session_version == 0
    operator, created = add_operator(db, EMAIL, "a brand new passphrase")  # reset: a new version
    assert not created and operator.session_version == 1
