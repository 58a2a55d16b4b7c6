"""A partner's sign-in link is single-use even when opened many times at once (issue 16: it gave up
to 14 sessions when used 20 times at once)."""

from __future__ import annotations

import contextlib
import threading

from flask import Flask
from sqlalchemy import event

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.portal.account import create_login_token
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database, Partner

USES = 20
TOGETHER = 10


def test_a_link_opened_20_times_at_once_gives_exactly_one_session(db: Database) -> None:
    settings = load_settings()  # a real SQLite file in the test's home, then a real PostgreSQL database
    with db.session() as s, s.begin():
        s.add(Partner(id="alpha", name="Alpha", url="https://alpha.example.org/feed.xml"))
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    app: Flask = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})
    token = create_login_token(db, "alpha")

    # Make the race certain rather than likely: each request's first statement on the link's table
    # waits until a group of ``TOGETHER`` requests is there, then they all run it at the same moment
    # (a check-then-mark reads "unused" in every one of them). Groups, because the connection pool
    # holds 15 connections. An instrumented real database, nothing replaced.
    together = threading.Barrier(TOGETHER)
    seen = threading.local()

    def line_up(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "partner_access" in statement and not getattr(seen, "done", False):
            seen.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                together.wait(timeout=60)

    event.listen(db.engine, "before_cursor_execute", line_up)
    start = threading.Barrier(USES)
    answers: list[tuple[int, str, int]] = []
    lock = threading.Lock()

    def use_link() -> None:
        client = app.test_client()
        start.wait()
        res = client.get(f"/partners/login/{token}")
        dashboard = client.get("/partners/me").status_code
        with lock:
            answers.append((res.status_code, res.headers.get("Location", ""), dashboard))

    threads = [threading.Thread(target=use_link) for _ in range(USES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == USES
    signed_in = [a for a in answers if a[0] == 302]
    assert len(signed_in) == 1 and signed_in[0][1].endswith("/partners/me") and signed_in[0][2] == 200
    assert sorted(a[0] for a in answers if a[0] != 302) == [403] * (USES - 1)
    # The others' browsers have no session: the dashboard sends them to the sign-in form.
    assert sum(1 for a in answers if a[2] == 200) == 1
