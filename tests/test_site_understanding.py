"""The site shows how it understood a search: marked words, widened words, corrections, suggestions."""

from __future__ import annotations

from html import unescape

from flask.testing import FlaskClient

from search_app.highlight import highlight
from tests.helpers import page, titles
from volunteer_hub.core.understanding import plan_query


def test_vocabulary_widens_the_search_and_says_so(client: FlaskClient) -> None:
    html = page(client, "/?q=tutoring&lang=en")
    assert titles(html) == ["Homework help for teenagers"]
    assert "Also showing results for: tutor, homework, homework help" in unescape(html)
    assert "exact=1" in html
    assert "<mark>homework</mark>" in html  # the summary says why it matched


def test_exact_words_only_on_request(client: FlaskClient) -> None:
    html = page(client, "/?q=tutoring&exact=1&lang=en")
    assert titles(html) == []
    assert "Also showing results for" not in html
    assert "Exact words only" in html and "Include similar words" in html


def test_a_misspelled_search_shows_the_corrected_results_in_french(client: FlaskClient) -> None:
    html = unescape(page(client, "/?q=jardinnage&lang=fr"))
    assert titles(html) == ["Jardin partagé du quartier"]
    assert "Résultats pour « jardinage » : aucun résultat pour « jardinnage »." in html


def test_a_cause_named_in_english_finds_its_listings(client: FlaskClient) -> None:
    html = page(client, "/?q=environment&lang=en")
    assert set(titles(html)) == {"Ramassage de déchets sur la plage", "Jardin partagé du quartier"}


def test_marked_words_are_escaped() -> None:
    plan = plan_query("seniors")
    marked = highlight('<b onclick="x()">Seniors</b> & co', plan)
    assert str(marked) == "&lt;b onclick=&#34;x()&#34;&gt;<mark>Seniors</mark>&lt;/b&gt; &amp; co"
    assert str(highlight("Visites aux personnes âgées isolées", plan)) == (
        "Visites aux <mark>personnes âgées</mark> isolées"
    )
    assert str(highlight("<i>rien</i>", None)) == "&lt;i&gt;rien&lt;/i&gt;"


def test_suggestions_as_you_type(client: FlaskClient) -> None:
    response = client.get("/suggest?q=sans&lang=fr")
    assert response.status_code == 200
    assert "sans-abri" in response.get_json()["suggestions"]
    assert "Environment" in client.get("/suggest?q=envi&lang=en").get_json()["suggestions"]
    assert client.get("/suggest?q=").get_json()["suggestions"] == []
    assert client.get("/suggest?q=" + "é" * 5000).status_code == 200


def test_the_form_offers_suggestions_and_works_without_javascript(client: FlaskClient) -> None:
    html = page(client, "/")
    assert 'list="q-suggestions"' in html and '<datalist id="q-suggestions">' in html
    assert "suggest.js" in html
    # A plain GET of the form finds the same listings the script would lead to.
    assert titles(page(client, "/?q=food+bank")) == []  # nothing about food banks in the samples
    assert titles(page(client, "/?q=repas+chaud")) == ["Distribution de repas chauds"]


def test_api_exact_parameter(client: FlaskClient) -> None:
    widened = client.get("/api/v1/opportunities?q=tutoring").get_json()
    exact = client.get("/api/v1/opportunities?q=tutoring&exact=true").get_json()
    assert widened["total"] == 1 and exact["total"] == 0
    assert client.get("/api/v1/opportunities?q=tutoring&exact=maybe").status_code == 400
