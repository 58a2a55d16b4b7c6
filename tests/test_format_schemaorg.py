"""Websites without a feed: schema.org JSON-LD/microdata pages, crawled from 127.0.0.1.

The site is discovered from its sitemap.xml and from links, stays within the partner's host
and path, obeys robots.txt, ignores paid job postings, and lists each opportunity once.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawlers.formats import detect_format, parse_feed
from crawlers.formats.base import RawOpportunity
from tests.helpers import cli, search_json

JOB = """<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "JobPosting",
 "title": "{title}", "employmentType": "{kind}", "description": "<p>{title} : aidez-nous chaque semaine.</p>",
 "identifier": {{"@type": "PropertyValue", "value": "{id}"}}, "url": "{url}",
 "hiringOrganization": {{"@type": "Organization", "name": "Les Amis du Quartier", "sameAs": "https://amis.example"}},
 "jobLocation": {{"@type": "Place", "address": {{"@type": "PostalAddress", "addressLocality": "Rennes",
 "postalCode": "35000", "addressCountry": "FR"}}}}, "datePosted": "2026-11-01", "validThrough": "2099-01-31"}}
</script>"""
EVENT = """<div itemscope itemtype="https://schema.org/Event"><h1 itemprop="name">{title}</h1>
<meta itemprop="startDate" content="2099-03-03T10:00:00+01:00">
<meta itemprop="endDate" content="2099-03-03T17:00:00+01:00">
<p itemprop="description">Collecte solidaire de jouets, venez trier avec nous.</p>
<div itemprop="location" itemscope itemtype="https://schema.org/Place"><span itemprop="name">Halle</span>
<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
<span itemprop="addressLocality">Brest</span><span itemprop="postalCode">29200</span></div></div>
<a itemprop="url" href="{url}">details</a></div>"""


def page(body: str, links: list[str] = ()) -> str:
    anchors = "".join(f'<a href="{href}">link</a>' for href in links)
    return f"<!doctype html><html><head><title>t</title>{body}</head><body>{anchors}</body></html>"


def build_site(root: Path, base: str) -> None:
    asso = root / "asso"
    (asso / "missions").mkdir(parents=True)
    (asso / "private").mkdir()
    (root / "other").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /asso/private/\n")
    (asso / "index.html").write_text(
        page(
            "",
            ["missions/a.html", "missions/b.html", "private/p.html", "/other/o.html", "missions/a.html#top"],
        )
    )
    job_a = JOB.format(
        title="Aide aux devoirs", kind="VOLUNTEER", id="m-a", url=f"{base}/asso/missions/a.html"
    )
    paid = JOB.format(
        title="Comptable salarié", kind="FULL_TIME", id="paid", url=f"{base}/asso/missions/a.html"
    )
    (asso / "missions" / "a.html").write_text(page(job_a + paid, ["b.html", "../index.html"]))
    event = EVENT.format(title="Collecte de jouets", url=f"{base}/asso/missions/b.html")
    (asso / "missions" / "b.html").write_text(page(event, ["a.html"]))
    # Only in the sitemap, linked from nowhere.
    job_c = JOB.format(
        title="Accueil du public", kind="VOLUNTEER, PART_TIME", id="m-c", url=f"{base}/asso/missions/c.html"
    )
    (asso / "missions" / "c.html").write_text(page(job_c))
    # Out of bounds: disallowed by robots.txt, and outside the partner's path.
    job_p = JOB.format(title="Secret", kind="VOLUNTEER", id="m-p", url=f"{base}/asso/private/p.html")
    (asso / "private" / "p.html").write_text(page(job_p))
    job_o = JOB.format(title="Autre site", kind="VOLUNTEER", id="m-o", url=f"{base}/other/o.html")
    (root / "other" / "o.html").write_text(page(job_o))
    urls = [f"{base}/asso/missions/c.html", f"{base}/other/o.html", f"{base}/asso/private/p.html"]
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        + "</urlset>"
    )


def test_single_page_parses(tmp_path: Path) -> None:
    build_site(tmp_path, "https://amis.example")
    data = (tmp_path / "asso" / "missions" / "a.html").read_bytes()
    assert detect_format(data) == "schemaorg"
    items = [r for r in parse_feed(data)[1] if isinstance(r, RawOpportunity)]
    assert [(i.source_id, i.title) for i in items] == [("m-a", "Aide aux devoirs")]
    assert items[0].organization_name == "Les Amis du Quartier"
    assert (items[0].locations[0].city, items[0].locations[0].postal_code) == ("Rennes", "35000")
    event = [r for r in parse_feed((tmp_path / "asso" / "missions" / "b.html").read_bytes())[1]]
    assert [(e.title, e.start, e.locations[0].city) for e in event] == [
        ("Collecte de jouets", "2099-03-03T10:00:00+01:00", "Brest")
    ]


def test_site_crawl_sitemap_links_scope_and_robots(home: Path, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    root, base = feed_server
    build_site(root, base)
    added = cli(home, "partners", "add", "amis", "--url", f"{base}/asso/index.html", "--format", "schemaorg")
    assert added.returncode == 0, added.stderr
    out = cli(home, "crawl", "amis", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    run = json.loads(out.stdout)[0]
    assert (run["status"], run["format"], run["seen"], run["new"]) == ("succeeded", "schemaorg", 3, 3)
    found = search_json(home, "--per-page", "20")
    titles = sorted(i["title"] for i in found["items"])
    assert titles == ["Accueil du public", "Aide aux devoirs", "Collecte de jouets"]
    event = next(i for i in found["items"] if i["title"] == "Collecte de jouets")
    assert event["locations"][0]["city"] == "Brest" and event["start"].startswith("2099-03-03T10:00")
    assert all(i["url"].startswith(base + "/asso/missions/") for i in found["items"])


def test_site_recrawl_gone_page_and_robots_refusal(home: Path, feed_server: tuple[Path, str]) -> None:  # noqa: F811
    root, base = feed_server
    build_site(root, base)
    cli(home, "partners", "add", "amis", "--url", f"{base}/asso/index.html", "--format", "schemaorg")
    assert json.loads(cli(home, "crawl", "amis", "--json").stdout)[0]["seen"] == 3
    # A page that is gone (404) is a warning; its opportunity is retired at the end of the run.
    (root / "asso" / "missions" / "b.html").unlink()
    run = json.loads(cli(home, "crawl", "amis", "--json").stdout)[0]
    assert (run["status"], run["seen"], run["removed"]) == ("succeeded", 2, 1), run
    assert any("gone" in e["message"] for e in run["errors"])
    # robots.txt now forbids the whole site: the run fails with that reason and removes nothing.
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    out = cli(home, "crawl", "amis")
    assert out.returncode == 1 and "robots.txt forbids" in out.stdout, out.stdout
    assert search_json(home)["total"] == 2
