"""Plain helpers shared by test modules: the CLI as a subprocess, feeds, waiting, partners, the
operator console, a crawl run, site pages. Fixtures are in tests/conftest.py; the public site's
sample catalogue in tests/site_samples.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from indexer.base import SearchBackendError, SearchQuery
from tests import samples
from volunteer_hub.core.ops_config import OpsConfig
from volunteer_hub.store.db import Database, Partner


# -- the CLI, in its own process as in production ------------------------------------------------
def cli(
    home: Path, *args: str, allow_private: bool = True, timeout: float = 180, **settings: str
) -> subprocess.CompletedProcess[str]:
    """``volunteer-hub ARGS`` in a subprocess with only ``home`` and ``settings`` (VOLUNTEER_HUB_*
    variables) as configuration; loopback feeds allowed unless ``allow_private`` is false."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOLUNTEER_HUB_")}
    if url := os.environ.get("VOLUNTEER_HUB_DATABASE_URL"):  # set by the ``database_url`` fixture only
        env["VOLUNTEER_HUB_DATABASE_URL"] = url  # (the ``home`` fixture clears any other)
    env.update(settings, VOLUNTEER_HUB_HOME=str(home))
    if allow_private:
        env["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def search_json(home: Path, *args: str) -> dict:
    out = cli(home, "search", "--json", *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# -- feeds ---------------------------------------------------------------------------------------
FPXML_ITEM = """
  <VolunteerOpportunity>
   <volunteerOpportunityID>{id}</volunteerOpportunityID>
   <sponsoringOrganizationIDs><sponsoringOrganizationID>1</sponsoringOrganizationID></sponsoringOrganizationIDs>
   <title>{title}</title>
   <description>Help sort donations at the food bank.</description>
   <detailURL>https://partner.example/opps/{id}</detailURL>
   <locations><location><city>Rennes</city><postalCode>35000</postalCode><country>FR</country></location></locations>
   <categoryTags><categoryTag>Hunger</categoryTag></categoryTags>
  </VolunteerOpportunity>"""


def fpxml(items: list[tuple[str, str]]) -> str:
    body = "".join(FPXML_ITEM.format(id=i, title=t) for i, t in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><FootprintFeed schemaVersion="0.1"><FeedInfo><providerID>1'
        "</providerID></FeedInfo><Organizations><Organization><organizationID>1</organizationID>"
        "<name>Banque Alimentaire Test</name></Organization></Organizations>"
        f"<VolunteerOpportunities>{body}</VolunteerOpportunities></FootprintFeed>"
    )


# -- the scheduler ---------------------------------------------------------------------------
FAST = OpsConfig(
    crawl_timeout_seconds=90,
    workers=3,
    reconcile_seconds=1,
    minute_seconds=1,  # interval_minutes=N means N seconds here
    first_crawl_delay_seconds=1,
    misfire_grace_seconds=30,
)


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, step: float = 0.25) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")


def add_feed_partner(db: Database, partner_id: str, url: str, interval: int = 3600, **extra: object) -> None:
    """A partner with a feed URL, crawled every ``interval`` minutes."""
    with db.session() as s, s.begin():
        s.add(Partner(id=partner_id, name=partner_id, url=url, interval_minutes=interval, **extra))


def add_partner(db: Database, partner_id: str, **fields: object) -> None:
    """A partner named after its id (a placeholder feed URL unless given)."""
    fields.setdefault("url", f"https://{partner_id}.example.org/feed.xml")
    with db.session() as s, s.begin():
        s.add(Partner(id=partner_id, name=partner_id, **fields))


def set_partner(db: Database, partner_id: str, **values: object) -> None:
    with db.session() as s, s.begin():
        partner = s.get(Partner, partner_id)
        for key, value in values.items():
            setattr(partner, key, value)


# -- the operator console --------------------------------------------------------------------
EMAIL, PASSWORD = "ops@example.org", "correct horse battery"


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: FlaskClient, email: str = EMAIL, password: str = PASSWORD) -> tuple[int, str]:
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    res = client.post("/admin/login", data={"csrf_token": token, "email": email, "password": password})
    return res.status_code, res.get_data(as_text=True)


def logged_in(client: FlaskClient) -> str:
    """Log in; return the session's CSRF token."""
    status, _ = login(client)
    assert status == 302
    return token_from(client.get("/admin/").get_data(as_text=True))


# -- a crawl run, without Scrapy ---------------------------------------------------------------
def crawl(db, backend, items, *, partner="test", complete=True, failed=None, when=samples.NOW, threshold=0.5):
    """One crawl run as the runner does it: store, finish (guarded), record the run, push."""
    from indexer.sync import push_pending
    from volunteer_hub.store.db import CrawlRun
    from volunteer_hub.store.partner_sync import PartnerSync

    sync = PartnerSync(db, partner, now=when)
    sync.store(items)
    outcome = sync.finish(complete=complete, failed_reason=failed, shrink_threshold=threshold)
    pushed = push_pending(db, backend, partner)
    with db.session() as s, s.begin():
        s.add(
            CrawlRun(
                partner_id=partner, status=outcome.status, seen=sync.counts.seen, removed=sync.counts.removed
            )
        )
    return outcome, sync.counts, pushed


# -- the public site ------------------------------------------------------------------------
class FailingBackend:
    """A backend whose engine is down."""

    name = "failing"

    def search(self, query: SearchQuery) -> None:
        raise SearchBackendError("connection refused")

    def get(self, opportunity_id: str) -> None:
        raise SearchBackendError("connection refused")


def page(client: FlaskClient, url: str, **kwargs: object) -> str:
    response = client.get(url, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+"[^>]*>([^<]+)</a>', html)
