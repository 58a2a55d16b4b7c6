"""Partner sign-up (/partners/signup): immediate validation shown item by item, pending approval."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from indexer.sqlite_backend import SqliteBackend
from search_app import create_app
from tests.helpers import fpxml
from volunteer_hub.core.config import load_settings
from volunteer_hub.store.db import Database, Partner


@pytest.fixture
def app(db: Database) -> Flask:
    settings = load_settings()
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    return create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def token(client: FlaskClient, lang: str = "en") -> str:
    html = client.get(f"/partners/signup?lang={lang}").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signup(
    client: FlaskClient, url: str, name: str = "Banque Alimentaire d'Ille-et-Vilaine", lang: str = "en"
):  # noqa: ANN201
    return client.post(
        f"/partners/signup?lang={lang}",
        data={
            "csrf_token": token(client, lang),
            "name": name,
            "email": "contact@banque.example.org",
            "url": url,
        },
    )


def partners(db: Database) -> list[Partner]:
    with db.session() as s:
        return list(s.scalars(select(Partner)))


def test_signup_validates_item_by_item_and_waits_for_approval(
    client: FlaskClient,
    db: Database,
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("ok-1", "Tri des dons"), ("no-title", ""), ("ok-2", "Accueil")]))
    res = signup(client, f"{base}/feed.xml")
    html = res.get_data(as_text=True)
    assert res.status_code == 200
    assert "3 item(s) found, 2 ready to publish" in html
    assert "no-title" in html and "error: not published" in html and "the item has no title" in html
    assert "waits for approval" in html
    (partner,) = partners(db)
    assert (partner.id, partner.status, partner.contact_email) == (
        "banque-alimentaire-d-ille-et-vilaine",
        "pending",
        "contact@banque.example.org",
    )
    # Signing up the same feed again does not register it twice.
    again = signup(client, f"{base}/feed.xml").get_data(as_text=True)
    assert "already registered" in again and len(partners(db)) == 1


def test_signup_in_french_and_refusals(
    client: FlaskClient,
    db: Database,
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    root, base = feed_server
    page = client.get("/partners/signup?lang=fr").get_data(as_text=True)
    assert "Publiez vos missions" in page
    # CSRF enforced.
    assert (
        client.post("/partners/signup", data={"name": "X", "email": "a@b.org", "url": base}).status_code
        == 400
    )
    # Field errors.
    res = client.post(
        "/partners/signup?lang=fr",
        data={"csrf_token": token(client, "fr"), "name": "", "email": "nope", "url": "file:///etc/passwd"},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 400 and "Indiquez une adresse e-mail valide" in html and "https://" in html
    # Unreachable feed: nothing registered.
    res = signup(client, "http://127.0.0.1:9/feed.xml", lang="fr")
    assert res.status_code == 422 and "Nous n’avons pas pu lire votre flux" in res.get_data(as_text=True)
    # A feed with no publishable item: shown, not registered.
    (root / "empty.xml").write_text(fpxml([("a", ""), ("b", "")]))
    res = signup(client, f"{base}/empty.xml")
    assert res.status_code == 422 and "No item can be published yet" in res.get_data(as_text=True)
    assert partners(db) == []
    # Sign-ups fetch a URL on demand: five per address per ten minutes.
    for _ in range(3):  # two fetches above, three more allowed
        assert signup(client, "http://127.0.0.1:9/feed.xml").status_code == 422
    assert signup(client, "http://127.0.0.1:9/feed.xml").status_code == 429


@pytest.fixture
def redirector() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()


def test_signup_refuses_private_addresses_and_redirects_to_them(
    app: Flask, client: FlaskClient, db: Database, redirector: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    import crawlers.fetch
    from crawlers.address_policy import is_public_address
    from search_app.services import EXTENSION

    services = app.extensions[EXTENSION]
    monkeypatch.setattr(services, "settings", replace(services.settings, allow_private_urls=False))
    with monkeypatch.context() as m:
        # Production rules, except that the test server's own loopback address counts as public.
        m.setattr(crawlers.fetch, "is_public_address", lambda ip: ip == "127.0.0.1" or is_public_address(ip))
        res = signup(client, redirector)
    html = res.get_data(as_text=True)
    assert res.status_code == 422 and "redirects to http://10.0.0.1/" in html and "private" in html
    res = signup(client, "http://127.0.0.1:9/feed.xml")
    assert res.status_code == 422 and "private, loopback" in res.get_data(as_text=True)
    assert partners(db) == []


def test_pending_signup_appears_in_the_console(
    client: FlaskClient,
    db: Database,
    feed_server: tuple[Path, str],  # noqa: F811
) -> None:
    from volunteer_hub.store.auth import add_operator

    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a", "Mission A")]))
    assert signup(client, f"{base}/feed.xml").status_code == 200
    add_operator(db, "ops@example.org", "correct horse battery")
    login_token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").get_data(as_text=True)
    ).group(1)
    client.post(
        "/admin/login",
        data={"csrf_token": login_token, "email": "ops@example.org", "password": "correct horse battery"},
    )
    html = client.get("/admin/").get_data(as_text=True)
    assert "badge-pending" in html and "Banque Alimentaire" in html


# -- partner accounts, dashboard and statistics -------------------------------------------------
def _stored(db: Database, backend: SqliteBackend, partner_id: str, source_id: str, title: str) -> str:
    from datetime import UTC, datetime

    from volunteer_hub.core.opportunity import Opportunity, make_id
    from volunteer_hub.store.db import StoredOpportunity

    now = datetime.now(UTC)
    opp = Opportunity(
        id=make_id(partner_id, source_id),
        partner=partner_id,
        source_id=source_id,
        url=f"https://{partner_id}.example.org/{source_id}",
        title=title,
        first_seen=now,
        last_seen=now,
    )
    opp.content_hash = opp.compute_hash()
    backend.upsert([opp])
    with db.session() as s, s.begin():
        s.add(
            StoredOpportunity(
                id=opp.id,
                partner_id=partner_id,
                source_id=source_id,
                content_hash=opp.content_hash,
                indexed_hash=opp.content_hash,
                data=opp.to_dict(),
            )
        )
    return opp.id


def _two_partners(db: Database) -> None:
    from volunteer_hub.store.db import CrawlRun

    with db.session() as s, s.begin():
        s.add(
            Partner(
                id="alpha-asso",
                name="Alpha Asso",
                url="https://alpha.example.org/feed.xml",
                contact_email="team@alpha.example.org",
            )
        )
        s.add(
            Partner(
                id="beta-asso",
                name="Beta Secret Partner",
                url="https://beta.example.org/feed.xml",
                contact_email="team@beta.example.org",
            )
        )
        s.flush()
        s.add(
            CrawlRun(
                partner_id="alpha-asso",
                status="succeeded",
                seen=3,
                new=3,
                rejected=2,
                errors=[
                    {
                        "message": "the item has no title",
                        "item": "a-9",
                        "field": "title",
                        "line": 40,
                        "severity": "error",
                    },
                    {
                        "message": "the item has no title",
                        "item": "a-10",
                        "field": "title",
                        "line": 52,
                        "severity": "error",
                    },
                ],
            )
        )
        s.add(CrawlRun(partner_id="beta-asso", status="failed", message="BETA-ONLY failure detail"))


def test_partner_portal_sign_in_dashboard_and_isolation(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    from search_app.portal.account import create_login_token

    backend = app.extensions["volunteer_hub"].backend
    _two_partners(db)
    alpha_opp = _stored(db, backend, "alpha-asso", "a-1", "Aide aux devoirs Alpha")
    beta_opp = _stored(db, backend, "beta-asso", "b-1", "Mission Beta Confidentielle")
    # Visitors: two views and one click for alpha's listing, one view for beta's.
    assert client.get(f"/o/{alpha_opp}").status_code == 200
    assert client.get(f"/o/{alpha_opp}").status_code == 200
    assert client.get(f"/go/{alpha_opp}").status_code == 302
    assert client.get(f"/o/{beta_opp}").status_code == 200

    assert client.get("/partners/me").headers["Location"].endswith("/partners/login")
    token = create_login_token(db, "alpha-asso")
    res = client.get(f"/partners/login/{token}")
    assert res.status_code == 302 and res.headers["Location"].endswith("/partners/me")
    page = client.get("/partners/me?lang=en").get_data(as_text=True)
    assert "Alpha Asso" in page and "Everything is fine." in page
    assert "the item has no title" in page and "Give every item a title." in page and "a-9" in page
    assert "Aide aux devoirs Alpha" in page
    assert re.search(
        r'Aide aux devoirs Alpha</a> · Page views <span class="stat-views">2</span> · '
        r'Clicks to your site <span class="stat-clicks">1</span>',
        page,
    )
    # Nothing of the other partner.
    for secret in ("Beta", "beta-asso", "BETA-ONLY", "Confidentielle"):
        assert secret not in page
    # The link is single use.
    client.post(
        "/partners/logout",
        data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)},
    )
    assert client.get(f"/partners/login/{token}").status_code == 403
    assert client.get("/partners/me").status_code == 302
    assert client.get("/partners/login/not-a-token").status_code == 403


def test_partner_requests_a_link_by_e_mail(
    app: Flask, client: FlaskClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    _two_partners(db)
    caplog.set_level("WARNING")
    html = client.get("/partners/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    for email in ("TEAM@alpha.example.org", "unknown@example.org"):
        res = client.post("/partners/login?lang=en", data={"csrf_token": csrf, "email": email})
        assert res.status_code == 200 and "a sign-in link valid 24 hours is on its way" in res.get_data(
            as_text=True
        )
    # No SMTP here: the link goes to the server log (development), for alpha only.
    links = re.findall(r"partner sign-in link for (\S+) \(no SMTP configured\): (\S+)", caplog.text)
    assert [partner for partner, _ in links] == ["alpha-asso"]
    path = links[0][1].split("localhost", 1)[1]
    assert client.get(path).status_code == 302
    assert "Alpha Asso" in client.get("/partners/me").get_data(as_text=True)


def test_operator_creates_a_portal_link(client: FlaskClient, db: Database) -> None:
    from volunteer_hub.store.auth import add_operator

    _two_partners(db)
    add_operator(db, "ops@example.org", "correct horse battery")
    html = client.get("/admin/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post(
        "/admin/login",
        data={"csrf_token": csrf, "email": "ops@example.org", "password": "correct horse battery"},
    )
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/admin/").get_data(as_text=True)
    ).group(1)
    page = client.post("/admin/partners/beta-asso/portal-link", data={"csrf_token": csrf}).get_data(
        as_text=True
    )
    link = re.search(r'<code class="portal-link">http://localhost(/partners/login/[^<]+)</code>', page).group(
        1
    )
    partner_client = client.application.test_client()
    assert partner_client.get(link).status_code == 302
    assert "Beta Secret Partner" in partner_client.get("/partners/me").get_data(as_text=True)


def test_moderation_queue_groups_reports_and_hides_or_dismisses(
    app: Flask, client: FlaskClient, db: Database
) -> None:
    from volunteer_hub.store.auth import add_operator
    from volunteer_hub.store.db import StoredOpportunity
    from volunteer_hub.store.public_models import ProblemReport

    backend = app.extensions["volunteer_hub"].backend
    _two_partners(db)
    bad = _stored(db, backend, "alpha-asso", "a-1", "Poste de comptable rémunéré")
    fine = _stored(db, backend, "alpha-asso", "a-2", "Aide aux devoirs")
    with db.session() as s, s.begin():  # as the public "report a problem" form stores them
        s.add(
            ProblemReport(
                opportunity_id=bad,
                partner_id="alpha-asso",
                reason="not-volunteering",
                comment="C'est un emploi salarié",
            )
        )
        s.add(ProblemReport(opportunity_id=bad, partner_id="alpha-asso", reason="inappropriate"))
        s.add(ProblemReport(opportunity_id=fine, partner_id="alpha-asso", reason="expired"))

    assert client.get("/admin/moderation").status_code == 302  # operators only
    add_operator(db, "ops@example.org", "correct horse battery")
    csrf = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/admin/login").get_data(as_text=True)
    ).group(1)
    client.post(
        "/admin/login",
        data={"csrf_token": csrf, "email": "ops@example.org", "password": "correct horse battery"},
    )
    assert ">3</span>" in client.get("/admin/").get_data(as_text=True)  # open reports in the menu
    queue = unescape(client.get("/admin/moderation?lang=en").get_data(as_text=True))
    assert queue.index("Poste de comptable") < queue.index("Aide aux devoirs")  # most reported first
    assert "It is not really volunteering (paid job, sales, fees…) × 1" in queue  # the visitor's words
    assert "It is inappropriate, offensive or misleading × 1" in queue and "emploi salarié" in queue
    assert "mailto:team@alpha.example.org" in queue
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue).group(1)
    assert client.post(f"/admin/moderation/{bad}/hide").status_code == 400  # CSRF
    client.post(f"/admin/moderation/{bad}/hide", data={"csrf_token": csrf})
    client.post(f"/admin/moderation/{fine}/dismiss", data={"csrf_token": csrf})
    assert backend.get(bad) is None
    assert backend.get(fine) is not None
    with db.session() as s:
        assert s.get(StoredOpportunity, bad).state == "hidden"
        statuses = sorted(r.status for r in s.scalars(select(ProblemReport)))
    assert statuses == ["dismissed", "resolved", "resolved"]
    assert "No open report." in client.get("/admin/moderation").get_data(as_text=True)
