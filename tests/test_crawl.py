"""End-to-end crawls through the real CLI and Scrapy, against feeds served on 127.0.0.1.

Each crawl runs as its own ``volunteer-hub crawl`` process, as in production (Twisted's
reactor starts once per process).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import cli, fpxml, search_json
from volunteer_hub.cli.demo import DEMO_DIR


def test_demo_feeds_crawl_index_and_search(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    for spec in json.loads((DEMO_DIR / "partners.json").read_text()):
        shutil.copy(DEMO_DIR / spec["path"], root / spec["path"])
        fmt = {"atom": "rss"}.get(spec["format"], spec["format"])
        added = cli(
            home,
            "partners",
            "add",
            spec["id"],
            "--url",
            f"{base}/{spec['path']}",
            "--format",
            fmt,
            "--country",
            "FR",
        )
        assert added.returncode == 0, added.stderr
    out = cli(home, "crawl", "--all")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "succeeded" in out.stdout

    everything = search_json(home, "--per-page", "100")
    assert everything["total"] >= 60
    partners = {item["partner"] for item in everything["items"]}
    assert len(partners) >= 3
    # Accent-insensitive keyword search over crawled French content.
    dechets = search_json(home, "dechets")
    assert dechets["total"] >= 1
    assert any("déchet" in (i["title"] + i["description"]).lower() for i in dechets["items"])
    # Two partners publish the winter evening service in Orléans: listed once, with both sources.
    repas = search_json(home, "repas soir plan hiver")
    assert repas["total"] == 1, [i["partner"] for i in repas["items"]]
    listed = repas["items"][0]
    sources = {listed["partner"], *(s["partner"] for s in listed["other_sources"])}
    assert sources == {"passerelles-benevoles", "agir-ensemble"}
    # Region filter by name resolves to the slug; every hit has a place in that region.
    bretagne = search_json(home, "--region", "Bretagne")
    assert bretagne["total"] >= 1
    for item in bretagne["items"]:
        assert any(loc["region"] == "Bretagne" for loc in item["locations"])
    # The hostile demo item was sanitized on the way in.
    assert all(
        "<script" not in i["description"] and "onclick" not in i["description"] for i in everything["items"]
    )
    # The link back goes to the partner's own page.
    assert all(i["url"].startswith("https://") for i in everything["items"])


def test_recrawl_broken_feed_shrink_guard_and_removal(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    feed = root / "feed.xml"
    items = [(f"opp-{n}", f"Tri à la banque alimentaire n°{n}") for n in range(10)]
    feed.write_text(fpxml(items))
    assert cli(home, "partners", "add", "banque", "--url", f"{base}/feed.xml").returncode == 0

    first = cli(home, "crawl", "banque", "--json")
    assert first.returncode == 0, first.stderr
    run = json.loads(first.stdout)[0]
    assert (run["status"], run["seen"], run["new"], run["indexed"]) == ("succeeded", 10, 10, 10)
    assert search_json(home, "banque alimentaire")["total"] == 10

    # Unchanged recrawl: nothing new, nothing duplicated.
    again = json.loads(cli(home, "crawl", "banque", "--force", "--json").stdout)[0]
    assert (again["new"], again["unchanged"]) == (0, 10)
    assert search_json(home)["total"] == 10

    # A broken feed fails the run (exit 1) and loses nothing.
    feed.write_text(fpxml(items)[:-200])
    broken = cli(home, "crawl", "banque", "--force")
    assert broken.returncode == 1
    assert "failed" in broken.stdout and "malformed" in broken.stdout
    assert search_json(home)["total"] == 10

    # A feed that suddenly shrinks to 3 items is guarded: nothing removed.
    feed.write_text(fpxml(items[:3]))
    shrunk = json.loads(cli(home, "crawl", "banque", "--force", "--json").stdout)[0]
    assert shrunk["status"] == "shrink-guarded" and shrunk["removed"] == 0
    assert search_json(home)["total"] == 10

    # A normal change (one item withdrawn) removes exactly that item.
    feed.write_text(fpxml(items[1:]))
    normal = json.loads(cli(home, "crawl", "banque", "--force", "--json").stdout)[0]
    assert (normal["status"], normal["removed"]) == ("succeeded", 1)
    result = search_json(home, "--per-page", "50")
    assert result["total"] == 9
    assert "opp-0" not in {i["source_id"] for i in result["items"]}


def test_unchanged_feed_costs_one_304(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a", "Mission A")]))
    cli(home, "partners", "add", "p304", "--url", f"{base}/feed.xml")
    assert json.loads(cli(home, "crawl", "p304", "--json").stdout)[0]["status"] == "succeeded"
    second = cli(home, "crawl", "p304", "--json")
    run = json.loads(second.stdout)[0]
    assert second.returncode == 0
    assert (run["status"], run["http_status"]) == ("not-modified", 304)
    assert search_json(home)["total"] == 1


def test_private_addresses_refused_by_default(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml([("a", "Mission A")]))
    cli(home, "partners", "add", "local", "--url", f"{base}/feed.xml", allow_private=False)
    out = cli(home, "crawl", "local", allow_private=False)
    assert out.returncode == 1
    assert "private, loopback" in out.stdout
    assert search_json(home)["total"] == 0


def test_unreachable_feed_reports_failure(home: Path) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    cli(home, "partners", "add", "gone", "--url", "http://127.0.0.1:9/feed.xml")
    out = cli(home, "crawl", "gone")
    assert out.returncode == 1
    assert "could not fetch the feed" in out.stdout


def test_demo_command_crawls_and_is_idempotent(home: Path) -> None:
    first = cli(home, "demo", "--no-serve", "--feeds-port", "0")
    assert first.returncode == 0, first.stdout + first.stderr
    total = search_json(home, "--per-page", "100")["total"]
    assert total >= 60
    again = cli(home, "demo", "--no-serve", "--feeds-port", "0")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "new 0" in again.stdout
    assert search_json(home, "--per-page", "100")["total"] == total
