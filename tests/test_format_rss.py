"""RSS/Atom: event dates (ev:startdate/ev:enddate, "Dates : ..." / "When: ..." lines) and several places."""

from __future__ import annotations

from datetime import datetime

from crawlers.formats import parse_feed
from crawlers.formats.base import RawOpportunity
from crawlers.formats.textdates import parse_date_range, parse_text_date
from crawlers.validate import validate_bytes
from volunteer_hub.cli.demo import DEMO_DIR

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:ev="http://purl.org/rss/1.0/modules/event/"
 xmlns:georss="http://www.georss.org/georss">
<channel><title>T</title><link>https://p.example/</link><description>d</description>
<item><title>Collecte</title><link>https://p.example/1</link><guid>g1</guid>
<description><![CDATA[<p>Lieu : Rennes (35000)</p><p>Lieu : Brest (29200)</p>
<p>Date : samedi 13 février 2027, de 10 h à 18 h</p>]]></description>
<ev:startdate>2027-02-13</ev:startdate><ev:enddate>2027-02-13</ev:enddate>
<georss:point>48.11 -1.68</georss:point></item>
<item><title>Accueil</title><link>https://p.example/2</link><guid>g2</guid>
<description><![CDATA[<p>Lieux : Lyon (69001) ; à distance</p>
<p>Dates : à partir du mardi 1er décembre 2026, mission sans date de fin</p>]]></description></item>
<item><title>Beach clean</title><link>https://p.example/3</link><guid>g3</guid>
<description><![CDATA[<p>Where: Leeds</p>
<p>When: Saturday 20 February 2027, 09:00–16:00</p>]]></description></item>
</channel></rss>"""


def raws(data: bytes) -> list[RawOpportunity]:
    return [r for r in parse_feed(data)[1] if isinstance(r, RawOpportunity)]


def test_event_dates_and_several_places() -> None:
    first, second, third = raws(RSS.encode())
    assert first.start == datetime(2027, 2, 13, 10, 0) and first.end == datetime(2027, 2, 13, 18, 0)
    assert [(loc.city, loc.postal_code) for loc in first.locations] == [
        ("Rennes", "35000"),
        ("Brest", "29200"),
    ]
    assert (first.locations[0].lat, first.locations[0].lon) == (48.11, -1.68)
    assert first.locations[1].lat is None
    assert second.start == datetime(2026, 12, 1) and second.end is None and second.open_ended is True
    assert second.remote is True and [loc.city for loc in second.locations] == ["Lyon"]
    assert third.start == datetime(2027, 2, 20, 9) and third.end == datetime(2027, 2, 20, 16)
    assert third.locations[0].city == "Leeds"


def test_demo_feeds_all_have_dates() -> None:
    for name in ("agir-ensemble.rss", "tidemark.atom.xml"):
        items = raws((DEMO_DIR / name).read_bytes())
        assert items and all(r.start for r in items), name
        result = validate_bytes((DEMO_DIR / name).read_bytes())
        assert result["valid"] == result["items"] == len(items)


def test_normalized_end_date_lasts_the_whole_day() -> None:
    from crawlers.normalize import NormalizeContext, normalize

    items = raws(RSS.encode())
    opp, _ = normalize(items[1], NormalizeContext(partner="p"))
    assert opp is not None and opp.open_ended and opp.remote
    assert opp.start is not None and opp.start.isoformat() == "2026-12-01T00:00:00+01:00"


def test_text_dates() -> None:
    assert parse_text_date("le 3 mars 2026 à 14h") == datetime(2026, 3, 3, 14)
    assert parse_text_date("June 3, 2026 at 2:30 pm") == datetime(2026, 6, 3, 14, 30)
    assert parse_text_date("sometime soon") is None
    r = parse_date_range("du 3 au 5 mars 2026")
    assert r is not None and (r.start, r.end) == (datetime(2026, 3, 3), datetime(2026, 3, 5))
    r = parse_date_range("Monday 14 June 2027 to Sunday 20 June 2027")
    assert r is not None and (r.start, r.end) == (datetime(2027, 6, 14), datetime(2027, 6, 20))


def test_items_carry_their_line_numbers() -> None:
    items = raws(RSS.encode())
    lines = RSS.splitlines()
    assert [lines[i.line - 1].startswith("<item>") for i in items] == [True, True, True]
