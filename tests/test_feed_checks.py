"""Feeds read by structure, never read as a silent zero, and ``validate`` strict (issue 12, items 4 and 8)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawlers.formats import detect_format, parse_feed
from crawlers.formats.base import FeedError, ParseProblem, RawOpportunity
from crawlers.report import RunReport
from crawlers.validate import validate_bytes
from tests.conftest import FIXTURES
from tests.helpers import cli, fpxml, search_json

ITEMS = [(f"v-{n}", f"Mission {n}") for n in range(5)]


def validate(*args: str, allow_private: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", **{k: v for k, v in __import__("os").environ.items()
                                       if k == "PYTHONPATH" or k == "HOME"}}  # fmt: skip
    if allow_private:
        env["VOLUNTEER_HUB_ALLOW_PRIVATE_URLS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", "validate", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def items_of(data: bytes) -> list[RawOpportunity]:
    return [e for e in parse_feed(data)[1] if isinstance(e, RawOpportunity)]


def one_item(**fields: str) -> str:
    """An FPXML feed with one item whose dates/place are ``fields`` (startDate, endDate, postalCode)."""
    dates = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if k in ("startDate", "endDate"))
    text = fpxml([("d-1", "Collecte")])
    if "postalCode" in fields:
        code = fields["postalCode"]
        text = text.replace("<postalCode>35000</postalCode>", f"<postalCode>{code}</postalCode>")
    if dates:
        text = text.replace("</locations>", f"</locations><dateTimeDurations><dateTimeDuration>{dates}"
                            "</dateTimeDuration></dateTimeDurations>")  # fmt: skip
    return text


# -- detection by structure -----------------------------------------------------------------------
def test_fpxml_naming_idealist_in_its_feed_id_is_fpxml() -> None:
    text = fpxml(ITEMS).replace(
        "<providerID>1</providerID>",
        "<providerID>1</providerID><feedID>http://www.idealist.org/feed</feedID>",
    )
    # The same feed with its root written with a prefix: no "<FootprintFeed" substring at all,
    # but "<feed" (of <feedID>) and "idealist.org" are there.
    prefixed = text.replace("<FootprintFeed", '<fp:FootprintFeed xmlns:fp="urn:fp"')
    for name in ("FootprintFeed>", "VolunteerOpportunities>"):
        prefixed = prefixed.replace(f"</{name}", f"</fp:{name}").replace(f"<{name}", f"<fp:{name}")
    for data in (text.encode(), prefixed.encode()):
        assert detect_format(data) == "fpxml"
        result = validate_bytes(data)
        assert (result["format"], result["items"], result["valid"]) == ("fpxml", 5, 5)


def test_detection_ignores_words_in_the_content() -> None:
    # An RSS item whose HTML description shows "<VolunteerOpportunities>" is still RSS.
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>Tri</title>'
           b"<description><![CDATA[<p>Send us <VolunteerOpportunities> or <db:event> XML</p>]]></description>"
           b"<link>https://a.example/1</link></item></channel></rss>")  # fmt: skip
    assert detect_format(rss) == "rss"
    html = b'<!doctype html><html><head><script>const x = "<rss";</script></head><body></body></html>'
    assert detect_format(html) == "schemaorg"


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared fixtures not available")
def test_real_fixtures_detected_by_structure() -> None:
    from crawlers.formats.xmlsafe import decompress

    expected = {"idealist-small-sample.xml": "idealist", "okay_data.xml": "fpxml",
                "volunteermatch-sample1.xml": "volunteermatch", "usaservice.org-sample.xml.gz": "usaservice",
                "americorps-sample.xml.gz": "networkforgood", "sampleData0.1.xml": "fpxml"}  # fmt: skip
    for name, fmt in expected.items():
        assert detect_format(decompress((FIXTURES / name).read_bytes())) == fmt, name


# -- no silent zero -------------------------------------------------------------------------------
def test_feed_without_opportunities_fails_validate(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(fpxml([]))
    out = validate(str(path), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 1
    assert "the feed has no opportunities" in result["errors"][0]["message"]
    assert "<VolunteerOpportunity>" in result["errors"][0]["message"]


def test_html_maintenance_page_and_truncated_rss_fail_validate(tmp_path: Path) -> None:
    page = tmp_path / "down.html"
    page.write_text("<!DOCTYPE html><html><head><title>Maintenance</title></head>"
                    "<body><h1>Back soon</h1></body></html>")  # fmt: skip
    out = validate(str(page))
    assert out.returncode == 1 and "no opportunities" in out.stdout, out.stdout + out.stderr

    rss = tmp_path / "cut.rss"
    items = "".join(f"<item><title>M {n}</title><link>https://a.example/{n}</link></item>" for n in range(3))
    head = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n'
    rss.write_text(f"{head}{items}\n<item><title>Mis")
    out = validate(str(rss), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 1, result
    broken = [e for e in result["errors"] if e["field"] == "feed"]
    assert broken and "malformed" in broken[0]["message"] and broken[0]["line"] == 4


def test_crawl_of_an_empty_feed_fails_and_retires_nothing(home: Path, feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    feed = root / "feed.xml"
    feed.write_text(fpxml(ITEMS))
    cli(home, "partners", "add", "p0", "--url", f"{base}/feed.xml")
    assert json.loads(cli(home, "crawl", "p0", "--json").stdout)[0]["status"] == "succeeded"
    # Every item now rejected (no link): zero opportunities, with 5 rejected items.
    feed.write_text(fpxml(ITEMS).replace("<detailURL>", "<x>").replace("</detailURL>", "</x>"))
    run = json.loads(cli(home, "crawl", "p0", "--force", "--json").stdout)[0]
    assert run["status"] == "failed" and run["removed"] == 0
    assert "no opportunities" in run["message"] and run["rejected"] == 5
    feed.write_text(fpxml([]))
    run = json.loads(cli(home, "crawl", "p0", "--force", "--json").stdout)[0]
    assert run["status"] == "failed" and "no opportunities" in run["message"]
    assert search_json(home)["total"] == 5


# -- what All for Good's pipeline recovered -----------------------------------------------------
def test_control_characters_and_repeated_declarations_are_repaired_with_the_line() -> None:
    text = fpxml(ITEMS).replace("<title>Mission 3</title>", "<title>Mission\x0b 3\x01</title>")
    text = text.replace("<VolunteerOpportunities>", '<VolunteerOpportunities>\n<?xml version="1.0"?>\n', 1)
    result = validate_bytes(text.encode())
    assert (result["items"], result["valid"]) == (5, 5), result["errors"]
    messages = {w["message"].split(" ")[1]: w for w in result["warnings"] if w["field"] == "feed"}
    assert messages["repeated"]["line"] == 2 and "line 2" in messages["repeated"]["message"]
    control = next(w for w in result["warnings"] if "control character" in w["message"])
    assert control["line"] > 2 and f"line {control['line']}" in control["message"]


def test_truncated_document_fails_the_crawl_with_no_retirement(
    home: Path, feed_server: tuple[Path, str]
) -> None:
    root, base = feed_server
    feed = root / "feed.xml"
    feed.write_text(fpxml(ITEMS))
    cli(home, "partners", "add", "cut", "--url", f"{base}/feed.xml")
    cli(home, "crawl", "cut")
    text = fpxml(ITEMS[:3])
    feed.write_text(text[: text.rindex("</VolunteerOpportunity>")])
    run = json.loads(cli(home, "crawl", "cut", "--force", "--json").stdout)[0]
    assert run["status"] == "failed" and run["removed"] == 0 and "line" in run["message"]
    assert search_json(home)["total"] == 5


# -- spreadsheet cell feeds and self links -----------------------------------------------------------
CELLS = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xmlns:gs='http://schemas.google.com/spreadsheets/2006'>
<title>Sheet1</title>
<entry><id>https://spreadsheets.google.com/feeds/cells/k/od6/public/basic/R1C1</id><title>A1</title>
<content>Title</content><link rel='self' href='https://spreadsheets.google.com/feeds/cells/k/od6/R1C1'/>
<gs:cell row='1' col='1' inputValue='Title'>Title</gs:cell></entry>
<entry><id>https://spreadsheets.google.com/feeds/cells/k/od6/public/basic/R1C3</id><title>C1</title>
<content>Where</content><gs:cell row='1' col='3' inputValue='Where'>Where</gs:cell></entry>
</feed>"""


def test_spreadsheet_cell_feed_is_never_read_as_opportunities() -> None:
    with pytest.raises(FeedError, match="a spreadsheet cell feed"):
        parse_feed(CELLS.encode())
    with pytest.raises(FeedError, match="not a list of opportunities"):
        parse_feed(CELLS.encode(), "rss")


def test_atom_self_link_is_not_a_detail_url() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><id>urn:1</id><title>Tri</title><link rel="self" href="https://api.example/v1/1"/></entry>
<entry><id>urn:2</id><title>Tri</title><link rel="self" href="https://api.example/v1/2"/>
<link rel="alternate" href="https://site.example/2"/></entry></feed>"""
    assert [i.url for i in items_of(atom)] == [None, "https://site.example/2"]


# -- the crawl report counts items ---------------------------------------------------------------
def test_rejected_counts_items_not_reasons() -> None:
    report = RunReport("p")
    one_item_problems = [
        ParseProblem("no title", field="title"),
        ParseProblem("no link", field="url"),
        ParseProblem("no id", field="id"),
        ParseProblem("hmm", severity="warning"),
    ]
    report.add_item_problems(one_item_problems)
    report.add_item_problems([ParseProblem("hmm", severity="warning")])
    assert report.rejected == 1 and sum(report.rejected_by_reason.values()) == 3 and report.warnings == 2


# -- validate strict ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"startDate": "2099-06-10", "endDate": "2099-06-01"}, "end", "before the start"),
        ({"startDate": "31/02/2099"}, "start", "not a real date"),
        ({"startDate": "2099-13-45"}, "start", "not a real date"),
        ({"postalCode": "99999"}, "locations", "not a French postcode"),
        ({"startDate": "2020-06-01", "endDate": "2020-06-02"}, "end", "already over"),
    ],
)
def test_validate_is_strict(fields: dict[str, str], field: str, words: str) -> None:
    result = validate_bytes(one_item(**fields).encode())
    assert result["valid"] == 0
    errors = [e for e in result["errors"] if e["field"] == field]
    assert errors and words in errors[0]["message"] and errors[0]["line"] > 1, result


def test_a_good_item_stays_valid() -> None:
    result = validate_bytes(one_item(startDate="2099-06-01", endDate="2099-06-10").encode())
    assert (result["valid"], result["errors"]) == (1, [])


def test_crawl_keeps_what_validate_refuses_but_drops_a_backwards_end() -> None:
    from crawlers.normalize import NormalizeContext, normalize

    (raw,) = items_of(one_item(startDate="2099-06-10", endDate="2099-06-01").encode())
    opp, problems = normalize(raw, NormalizeContext(partner="p"))
    assert opp is not None and opp.end is None and [p.severity for p in problems] == ["warning"]
    (raw,) = items_of(one_item(startDate="2020-06-01").encode())
    opp, _ = normalize(raw, NormalizeContext(partner="p"))
    assert opp is not None  # stored as expired by the crawl, never shown


def test_local_url_refusal_names_the_setting(feed_server: tuple[Path, str]) -> None:
    root, base = feed_server
    (root / "feed.xml").write_text(fpxml(ITEMS))
    out = validate(f"{base}/feed.xml", allow_private=False)
    assert out.returncode == 2 and "VOLUNTEER_HUB_ALLOW_PRIVATE_URLS" in out.stderr
    assert validate(f"{base}/feed.xml").returncode == 0
