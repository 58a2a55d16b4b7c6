"""French locale details a reader notices: causes in French alphabetical order, "1er" for the
first of the month."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient

from search_app.display import day_text
from volunteer_hub.core.textfold import collation_key


def test_causes_in_french_alphabetical_order(client: FlaskClient) -> None:
    html = client.get("/?lang=fr").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="cause".*?</select>', html, re.S)
    assert select
    labels = [
        label for label in re.findall(r"<option[^>]*>([^<]+)</option>", select.group(0)) if label.strip()
    ]
    assert labels.index("Culture et loisirs") < labels.index("Éducation") < labels.index("Emploi")
    assert labels[-1] != "Éducation"


def test_collation_key_sorts_accents_with_their_letter() -> None:
    words = ["Vivre ensemble", "Éducation", "emploi", "Écologie", "Culture"]
    assert sorted(words, key=collation_key) == [
        "Culture",
        "Écologie",
        "Éducation",
        "emploi",
        "Vivre ensemble",
    ]


def test_first_of_the_month_is_1er_in_french(app: Flask) -> None:
    with app.test_request_context("/?lang=fr"):
        assert day_text(date(2026, 4, 1)) == "1er avr. 2026"
        assert day_text(datetime(2026, 4, 1, 9, tzinfo=UTC), "long") == "1er avril 2026"
        assert day_text(date(2026, 4, 11)) == "11 avr. 2026"  # not "11er"
    with app.test_request_context("/?lang=en"):
        assert day_text(date(2026, 4, 1)) == "Apr 1, 2026"


def test_date_chip_says_1er(client: FlaskClient) -> None:
    html = client.get("/?lang=fr&date_from=2027-04-01&date_to=2027-04-21").get_data(as_text=True)
    assert "1er avr. 2027" in html
