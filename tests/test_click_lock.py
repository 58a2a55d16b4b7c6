"""A locked database never stalls the ``/go/<id>`` redirect, and the click is not lost (issue 16).

Another connection holds the SQLite database's write lock (as a long crawl transaction would):
the redirect must complete while the lock is still held (it used to wait 30 s for the lock, then
drop the click). Once the lock is released, the next click writes both.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from search_app import clicks
from tests.site_samples import BEACH
from volunteer_hub.store.public_models import OpportunityActivity

BROWSER = {"User-Agent": "Mozilla/5.0 (Android 14; Mobile) Firefox/128.0"}


def counted(app: Flask) -> int:
    db = app.extensions["volunteer_hub"]._database()  # noqa: SLF001
    with db.session() as s:
        total = s.scalar(
            select(func.coalesce(func.sum(OpportunityActivity.clicks), 0)).where(
                OpportunityActivity.opportunity_id == BEACH.id
            )
        )
    return int(total or 0)


def test_a_held_write_lock_does_not_stall_the_redirect_and_the_click_is_kept(app: Flask) -> None:
    client = app.test_client()
    assert client.get(f"/go/{BEACH.id}", headers=BROWSER).status_code == 302
    assert counted(app) == 1
    db = app.extensions["volunteer_hub"]._database()  # noqa: SLF001
    path = Path(db.engine.url.database or "")

    holder = sqlite3.connect(path, timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, held until we say so
    answers: list[int] = []
    try:
        request = threading.Thread(
            target=lambda: answers.append(client.get(f"/go/{BEACH.id}", headers=BROWSER).status_code)
        )
        request.start()
        request.join(10)  # the lock is still held: the redirect must not wait for it
        assert not request.is_alive() and answers == [302], "the redirect waited for the database lock"
        assert clicks.unsaved_clicks() == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert client.get(f"/go/{BEACH.id}", headers=BROWSER).status_code == 302
    assert counted(app) == 3 and clicks.unsaved_clicks() == 0
