"""A partner registered by URL with the default format ``auto``: detected once, shown, pinned.

A website without a feed is recognized by the schema.org opportunities on its pages, found
through the sitemap robots.txt declares, ``sitemap.xml`` or its links (served from 127.0.0.1);
the format found is pinned on the partner, so a later maintenance page fails a crawl (nothing
removed) instead of switching the partner to another format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from crawlers.discover import discover
from crawlers.fetch import FetchLimits
from tests.helpers import cli, fpxml, search_json

REPO = Path(__file__).resolve().parents[1]
MISSION = """<script type="application/ld+json">{{"@context": "https://schema.org",
 "@type": "VolunteerAction", "name": "{title}", "identifier": "{id}", "url": "{url}",
 "description": "{title} : rejoignez l'équipe de bénévoles chaque semaine.",
 "agent": {{"@type": "Organization", "name": "Les Amis du Quartier"}},
 "location": {{"@type": "Place", "address": {{"addressLocality": "Rennes", "postalCode": "35000",
 "addressCountry": "FR"}}}}}}</script>"""
MAINTENANCE = "<!doctype html><html><body><h1>Site en maintenance</h1></body></html>"


def page(body: str = "", links: tuple[str, ...] = ()) -> str:
    anchors = "".join(f'<a href="{href}">lien</a>' for href in links)
    return f"<!doctype html><html><head><title>Amis</title>{body}</head><body>{anchors}</body></html>"


def mission(root: Path, base: str, n: int) -> str:
    url = f"{base}/asso/missions/m{n}.html"
    body = MISSION.format(title=f"Mission solidaire numéro {n}", id=f"m-{n}", url=url)
    (root / "asso" / "missions" / f"m{n}.html").write_text(page(body))
    return url


def build_site(root: Path, base: str, missions: int = 3, sitemap: str = "robots") -> list[str]:
    """A home page without data; its missions listed by a sitemap (declared in robots.txt, at the
    conventional place) or only linked from the home page."""
    (root / "asso" / "missions").mkdir(parents=True)
    urls = [mission(root, base, n) for n in range(missions)]
    links = tuple(urls) if sitemap == "links" else ("contact.html",)
    (root / "asso" / "index.html").write_text(page(links=links))
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    xml = (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )
    robots = "User-agent: *\nDisallow: /asso/private/\n"
    if sitemap == "robots":
        (root / "plan-missions.xml").write_text(xml)
        robots += f"Sitemap: {base}/plan-missions.xml\n"
    elif sitemap == "conventional":
        (root / "sitemap.xml").write_text(xml)
    (root / "robots.txt").write_text(robots)
    return urls


def partner(home: Path, partner_id: str) -> dict:
    rows = json.loads(cli(home, "partners", "list", "--json").stdout)
    return next(r for r in rows if r["id"] == partner_id)


def test_website_found_through_robots_sitemap_is_pinned_and_crawled(
    home: Path, feed_server: tuple[Path, str]
) -> None:
    root, base = feed_server
    build_site(root, base, sitemap="robots")
    added = cli(home, "partners", "add", "amis", "--url", f"{base}/asso/index.html")
    assert added.returncode == 0, added.stderr
    assert "schema.org pages: 3 opportunities via plan-missions.xml" in added.stdout, added.stdout
    assert "format schemaorg pinned" in added.stdout
    assert partner(home, "amis")["format"] == "schemaorg"
    # The crawl reads the same sitemap (robots.txt's Sitemap: line) and finds the same missions.
    run = json.loads(cli(home, "crawl", "amis", "--json").stdout)[0]
    assert (run["status"], run["format"], run["seen"]) == ("succeeded", "schemaorg", 3), run
    # Maintenance: every page is a bare notice. The run fails, nothing is removed, no format switch.
    for path in [root / "asso" / "index.html", *(root / "asso" / "missions").iterdir()]:
        path.write_text(MAINTENANCE)
    out = cli(home, "crawl", "amis", "--force", "--json")
    run = json.loads(out.stdout)[0]
    assert out.returncode == 1 and run["status"] == "failed" and run["removed"] == 0, run
    assert search_json(home)["total"] == 3
    assert partner(home, "amis")["format"] == "schemaorg"


def test_website_found_through_sitemap_xml_or_links(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    build_site(root / "a", f"{base}/a", missions=2, sitemap="conventional")
    (root / "a" / "sitemap.xml").rename(root / "a" / "asso" / "sitemap.xml")  # in the start directory
    out = cli(home, "partners", "add", "par-plan", "--url", f"{base}/a/asso/index.html")
    assert "schema.org pages: 2 opportunities via sitemap.xml" in out.stdout, out.stdout + out.stderr
    build_site(root / "b", f"{base}/b", missions=2, sitemap="links")
    out = cli(home, "partners", "add", "par-liens", "--url", f"{base}/b/asso/index.html")
    assert "schema.org pages: 2 opportunities via links" in out.stdout, out.stdout + out.stderr
    assert partner(home, "par-liens")["format"] == "schemaorg"


def test_feed_is_pinned_and_a_maintenance_page_fails_the_run(
    home: Path, feed_server: tuple[Path, str]
) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a", "Tri des dons"), ("b", "Accueil des familles")]))
    added = cli(home, "partners", "add", "banque", "--url", f"{base}/feed.xml")
    assert added.returncode == 0 and "FPXML 0.1: 2 opportunities" in added.stdout, added.stdout
    assert partner(home, "banque")["format"] == "fpxml"
    assert json.loads(cli(home, "crawl", "banque", "--json").stdout)[0]["status"] == "succeeded"
    (root / "feed.xml").write_text(page(MISSION.format(title="Autre chose", id="x", url=f"{base}/x")))
    out = cli(home, "crawl", "banque", "--force")
    assert out.returncode == 1 and "returned a web page" in out.stdout, out.stdout
    assert "registered with" in out.stdout and search_json(home)["total"] == 2
    assert partner(home, "banque")["format"] == "fpxml"


def test_page_without_opportunities_or_unreachable_url_stays_auto_with_a_warning(
    home: Path, feed_server: tuple[Path, str]
) -> None:
    root, base = feed_server
    (root / "index.html").write_text(page(links=("about.html",)))
    (root / "about.html").write_text(page())
    out = cli(home, "partners", "add", "vitrine", "--url", f"{base}/index.html")
    assert out.returncode == 0, out.stderr
    assert "none of the 2 page(s) checked" in out.stderr and "registered with format auto" in out.stderr
    assert partner(home, "vitrine")["format"] == "auto"
    out = cli(home, "partners", "add", "ailleurs", "--url", "http://127.0.0.1:9/feed.xml")
    assert out.returncode == 0 and "could not detect the format" in out.stderr
    assert partner(home, "ailleurs")["format"] == "auto"


def test_the_look_around_is_bounded(feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    build_site(root, base, missions=12, sitemap="links")
    limits = FetchLimits(deadline=10, max_bytes=1 << 20)
    found = discover(f"{base}/asso/index.html", allow_private=True, limits=limits, max_pages=5)
    # robots.txt and two absent sitemaps take 3 of the 5 fetches; 2 mission pages are read.
    assert (found.opportunities, found.complete, found.pages) == (2, False, 3)
    assert found.summary() == "schema.org pages: at least 2 opportunities via links (3 pages checked)"


def test_docs_json_ld_example_validates_without_format(tmp_path: Path, home: Path) -> None:
    docs = (REPO / "docs" / "formats.md").read_text()
    example = re.search(r"```html\n(<html><head><script type=\"application/ld\+json\">.*?)```", docs, re.S)
    assert example is not None
    page_file = tmp_path / "mission.html"
    page_file.write_text(example.group(1))
    out = cli(home, "validate", str(page_file))
    assert out.returncode == 0 and "format schemaorg, 1 items, 1 valid" in out.stdout, out.stdout + out.stderr


def test_portal_signup_with_a_website_pins_schemaorg(tmp_path: Path, feed_server: tuple[Path, str]) -> None:
    from indexer.sqlite_backend import SqliteBackend
    from search_app import create_app
    from volunteer_hub.core.config import load_settings
    from volunteer_hub.store.db import Database, Partner

    root, base = feed_server
    build_site(root, base, missions=3, sitemap="robots")
    settings = load_settings(
        {"VOLUNTEER_HUB_HOME": str(tmp_path / "portal"), "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS": "1"}
    )
    db = Database.from_settings(settings)
    backend = SqliteBackend(settings.sqlite_index_path)
    backend.ensure_ready()
    app = create_app({"TESTING": True, "SETTINGS": settings, "BACKEND": backend, "DATABASE": db})
    client = app.test_client()
    form = client.get("/partners/signup?lang=fr").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    res = client.post(
        "/partners/signup?lang=fr",
        data={"csrf_token": token, "name": "Les Amis", "email": "contact@amis.example.org"}
        | {"url": f"{base}/asso/index.html"},
    )
    html = res.get_data(as_text=True)
    assert res.status_code == 200, html
    assert "Votre site : 3 missions trouvées sur ses pages (schema.org), via plan-missions.xml." in html
    with db.session() as s:
        assert [(p.id, p.format, p.status) for p in s.query(Partner)] == [
            ("les-amis", "schemaorg", "pending")
        ]
