"""Direct-posting journey in Debian Chromium: an organization without a feed signs up, posts (and
fixes) its first opportunity, an operator approves it, it is on the public search, the
organization closes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from search_app.portal.account import create_login_token
from tests.browser import chromium, live_server, screenshot
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.auth import add_operator
from volunteer_hub.store.db import Database

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ops@example.org", "correct horse battery"


def test_no_feed_organization_posts_gets_approved_and_closes(home: Path) -> None:
    settings = load_settings()
    db = Database.from_settings(settings)
    add_operator(db, EMAIL, PASSWORD)
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    app = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})

    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(f"{base}/partners/signup?lang=fr")
        page.click("a[href='/partners/formats']")
        assert page.locator("h1").inner_text() == "Formats acceptés"
        page.go_back()
        page.fill("#name", "Les Amis du Quartier")
        page.fill("#email", "amis@example.org")
        page.check("input[name=nofeed]")
        page.click("button[type=submit]")
        assert "publier votre première mission" in page.content()

        page.goto(f"{base}/partners/login/{create_login_token(db, 'les-amis-du-quartier')}")
        page.click("a[href='/partners/postings']")
        page.click("a[href='/partners/postings/new']")
        page.fill("#url", "ftp://amis.example/m")
        page.click("form.posting-form button[type=submit]")
        assert "Donnez un titre à votre mission." in page.locator("#title-error").inner_text()
        assert "https://" in page.locator("#url-error").inner_text()
        screenshot(page, "portal-posting-errors")
        page.fill("#title", "Goûter partagé du dimanche")
        page.fill("#url", "https://amis.example/gouter")
        page.fill("#places", "Rennes 35000")
        page.select_option("#causes", ["vivre-ensemble"])
        page.check("input[name=ongoing]")
        page.click("form.posting-form button[type=submit]")
        assert "attend la validation" in page.content()
        screenshot(page, "portal-postings")

        operator = browser.new_page(viewport={"width": 1280, "height": 900})
        operator.goto(f"{base}/admin/login")
        operator.fill("#email", EMAIL)
        operator.fill("#password", PASSWORD)
        operator.click("button[type=submit]")
        operator.goto(f"{base}/admin/moderation")
        operator.click("section.posting-pending button:has-text('Approve and publish')")
        assert "approved and published" in operator.content()

        page.goto(f"{base}/?q=goûter")
        assert "Goûter partagé du dimanche" in page.content()
        page.goto(f"{base}/partners/postings")
        page.click(".portal-postings button:has-text('Clôturer')")
        assert "clôturée" in page.content()
        page.goto(f"{base}/?q=goûter")
        assert "Goûter partagé du dimanche" not in page.content()
        assert problems == []
