"""CSV from a spreadsheet: French or English headers, detected delimiter and encoding."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawlers.formats import detect_format, parse_feed
from crawlers.formats.base import FeedError, ParseProblem, RawOpportunity
from crawlers.validate import validate_bytes
from tests.conftest import FILES

FRENCH = (FILES / "missions-fr.csv").read_text(encoding="utf-8")

ENGLISH = (
    "id,title,url,organization,city,postal_code,country,latitude,longitude,remote,start,end\n"
    'x1,"Beach clean, Leeds",https://tide.example/1,Tidemark,Leeds,,GB,53.8,-1.55,no,2027-05-01T09:00:00+01:00,'
    "2027-05-01T12:00:00+01:00\n"
)


def items(data: bytes) -> tuple[list[RawOpportunity], list[ParseProblem]]:
    entries = list(parse_feed(data)[1])
    return [e for e in entries if isinstance(e, RawOpportunity)], [
        e for e in entries if isinstance(e, ParseProblem)
    ]


def test_french_headers_semicolons() -> None:
    data = FRENCH.encode()
    assert detect_format(data) == "csv"
    rows, problems = items(data)
    assert [p.message for p in problems] == ["unknown columns ignored: Couleur (see docs/formats.md)"]
    first, second, third = rows
    assert (first.source_id, first.title, first.url, first.line) == (
        "AB-1",
        "Distribution alimentaire",
        "https://asso.example/m/1",
        2,
    )
    assert first.organization_name == "Restos du Cœur 35"
    assert first.categories == ["Solidarité", "Alimentation"] and first.skills == ["Accueil", "Logistique"]
    loc = first.locations[0]
    assert (loc.street, loc.city, loc.postal_code, loc.country) == ("2 rue de Brest", "Rennes", "35000", "FR")
    assert first.remote is False and second.remote is True and not second.locations
    assert (first.start, first.end, first.min_age, first.commitment_hours_per_week) == (
        "le 3 mars 2026 à 14h",
        "30/06/2026",
        "16",
        "3",
    )
    assert first.schedule == "le samedi matin" and first.open_ended is False and second.open_ended is True
    assert third.title is None and third.line == 5

    result = validate_bytes(data)
    # validate is strict: the first mission ended on 30/06/2026, an error a partner must see.
    assert (result["format"], result["items"], result["valid"]) == ("csv", 3, 1)
    assert [(e["item"], e["line"], e["field"]) for e in result["errors"]] == [
        ("AB-1", 2, "end"),
        ("AB-3", 5, "title"),
    ]


def test_normalized_csv_row() -> None:
    from crawlers.normalize import NormalizeContext, normalize

    rows, _ = items(FRENCH.encode())
    opp, _ = normalize(rows[0], NormalizeContext(partner="restos"))
    assert opp is not None
    assert opp.start is not None and opp.start.replace(tzinfo=None) == datetime(2026, 3, 3, 14)
    assert opp.start.utcoffset().total_seconds() == 3600  # Europe/Paris in March
    assert opp.end is not None and opp.end.replace(tzinfo=None) == datetime(2026, 6, 30, 23, 59, 59)
    assert opp.locations[0].region == "Bretagne" and opp.locations[0].lat is not None
    assert "solidarite-insertion" in opp.causes


def test_english_headers_commas_quotes_and_windows_1252() -> None:
    rows, problems = items(ENGLISH.encode())
    assert not problems and rows[0].title == "Beach clean, Leeds" and rows[0].locations[0].lat == "53.8"
    latin = FRENCH.encode("cp1252")
    rows, problems = items(latin)
    assert "Windows-1252" in problems[0].message and rows[0].organization_name == "Restos du Cœur 35"


def test_csv_without_title_column_is_unreadable() -> None:
    with pytest.raises(FeedError, match="no title column"):
        list(parse_feed(b"id,name\n1,x\n", "csv")[1])
