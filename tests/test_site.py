"""The public site (search page, opportunity page, outbound redirect) on a real SQLite index.

Its fixtures (the site on the sample catalogue of tests/site_samples.py) are in tests/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import search_app
from search_app import create_app
from search_app.security import CONTENT_SECURITY_POLICY
from tests.helpers import FailingBackend, page, titles
from tests.site_samples import BEACH, EXPIRED, GARDEN, HOMEWORK, LIVE, MEALS, TRANSLATION
from volunteer_hub.core.config import load_settings
from volunteer_hub.core.opportunity import Opportunity


def inline_scripts(html: str) -> list[str]:
    """Script elements the browser would execute from the page itself (CSP forbids them).

    Allowed: external files from /static/ (no body) and JSON-LD data blocks, which are never run.
    """
    bad = []
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if 'type="application/ld+json"' in attrs:
            continue
        if re.fullmatch(r' src="/static/(vendor/[a-z]+/)?[a-z]+\.js" defer', attrs) and not body.strip():
            continue
        bad.append(attrs + body)
    return bad + (["unclosed"] if html.count("<script") != html.count("</script>") else [])


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


# -- search page ----------------------------------------------------------------------------
def test_home_lists_live_opportunities_in_french_by_default(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<html lang="fr">' in html
    assert "5 missions" in html
    # The home lists the newest missions in France (the French site's country: no remote one).
    assert sorted(titles(html)) == sorted(o.title for o in LIVE if not o.remote)
    assert "À distance" in page(client, "/?remote=1")  # the remote opportunity
    assert "En continu" in html  # the open-ended one
    assert "Environnement" in html and "Solidarité et insertion" in html  # cause labels


def test_keyword_search_folds_accents(client: FlaskClient) -> None:
    html = page(client, "/?q=dechets")
    assert titles(html) == ["Ramassage de déchets sur la plage"]
    assert "1 mission" in html
    assert page(client, "/?q=D%C3%89CHET").count('class="card"') == 1


def test_expired_opportunities_are_never_shown(client: FlaskClient) -> None:
    assert EXPIRED.title not in page(client, "/")
    assert EXPIRED.title not in page(client, "/?q=plage")
    assert EXPIRED.title not in page(client, "/?q=termine")
    assert client.get(f"/o/{EXPIRED.id}").status_code == 410  # "no longer available"
    assert client.get(f"/go/{EXPIRED.id}").status_code == 410


def test_cause_region_and_remote_filters(client: FlaskClient) -> None:
    assert sorted(titles(page(client, "/?cause=environnement"))) == sorted([BEACH.title, GARDEN.title])
    in_brittany = sorted([BEACH.title, HOMEWORK.title, GARDEN.title])
    assert sorted(titles(page(client, "/?where=bretagne"))) == in_brittany
    assert sorted(titles(page(client, "/?region=BRETAGNE"))) == in_brittany
    assert len(titles(page(client, "/?where=Bretagne&cause=education"))) == 1
    assert titles(page(client, "/?remote=1")) == [TRANSLATION.title]
    assert titles(page(client, "/?region=Auvergne-Rh%C3%B4ne-Alpes")) == [MEALS.title]


def test_where_accepts_a_place(client: FlaskClient) -> None:
    html = page(client, "/?where=48.1113,-1.68&radius_km=5")
    assert sorted(titles(html)) == sorted([HOMEWORK.title, GARDEN.title])
    assert "km" in html


def test_facets_show_counts_and_toggle_filters(client: FlaskClient) -> None:
    html = page(client, "/")
    facet = re.search(
        r'href="([^"]*cause=environnement[^"]*)"[^>]*>\s*'
        r'<span class="facet-label">Environnement</span>\s*<span class="facet-count">2</span>',
        html,
    )
    assert facet, "cause facet with its count"
    assert re.search(r'<span class="facet-label">Bretagne</span>\s*<span class="facet-count">3</span>', html)

    filtered = page(client, facet.group(1).replace("&amp;", "&"))
    assert sorted(titles(filtered)) == sorted([BEACH.title, GARDEN.title])
    selected = re.search(r'class="facet-link is-selected" href="([^"]*)"', filtered)
    assert selected and "cause=" not in selected.group(1)
    assert len(titles(page(client, selected.group(1).replace("&amp;", "&") + "?lang=en"))) == len(LIVE)


def test_region_from_where_can_be_removed_with_its_facet(client: FlaskClient) -> None:
    html = page(client, "/?where=Bretagne")
    selected = re.search(r'class="facet-link is-selected" href="([^"]*)"', html)
    assert selected and "where" not in selected.group(1) and "region" not in selected.group(1)


def test_pagination(client: FlaskClient) -> None:
    first = page(client, "/?per_page=2")
    assert "Page 1 sur 3" in first
    assert "/?per_page=2&page=2" in hrefs(first)
    seen = titles(first)
    for number in (2, 3):
        seen += titles(page(client, f"/?per_page=2&page={number}"))
    assert sorted(seen) == sorted(o.title for o in LIVE)
    past = page(client, "/?per_page=2&page=9")
    assert titles(past) == [] and "/?per_page=2" in hrefs(past)


def test_empty_state_helps(client: FlaskClient) -> None:
    html = page(client, "/?q=zzzzzz")
    assert "Aucune mission ne correspond à votre recherche" in html
    assert "/?remote=1&q=zzzzzz" in hrefs(html) or "/?q=zzzzzz&remote=1" in hrefs(html)


def test_invalid_parameters_are_explained(client: FlaskClient) -> None:
    response = client.get("/?date_from=2025-02-30")
    assert response.status_code == 400
    assert "AAAA-MM-JJ" in response.get_data(as_text=True)
    response = client.get("/?where=Nulle-Part-Sur-Mer-Imaginaire")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Où : nous ne connaissons pas ce lieu" in unescape(html) and 'aria-invalid="true"' in html


def test_site_forgives_nearest_without_a_place(client: FlaskClient) -> None:
    assert len(titles(page(client, "/?sort=nearest"))) == len(LIVE)


def test_date_filter_shows_a_removable_chip(client: FlaskClient) -> None:
    day = BEACH.start.date().isoformat()  # type: ignore[union-attr]
    html = page(client, f"/?date_from={day}&date_to={day}&lang=en")
    assert BEACH.title in titles(html) and GARDEN.title not in titles(html)
    chip = re.search(r'<a class="chip" href="([^"]*)" rel="nofollow">([^<]*)<', html)
    assert chip and chip.group(1) == "/" and " – " in chip.group(2)


def test_form_keeps_the_search(client: FlaskClient) -> None:
    html = page(client, "/?q=plage&cause=environnement&remote=0&per_page=5")
    assert 'name="q" type="search" value="plage"' in html
    assert '<option value="environnement" selected>' in html
    assert '<input type="hidden" name="per_page" value="5">' in html


# -- languages ------------------------------------------------------------------------------
def test_english_through_lang_parameter_then_cookie(client: FlaskClient) -> None:
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "5 opportunities" in html
    assert "Remote" in html and "Ongoing" in html and "Environment" in html
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert "5 opportunities" in page(client, "/")  # the cookie remembers the choice
    assert "5 missions" in page(client, "/?lang=fr")


def test_english_through_accept_language(client: FlaskClient) -> None:
    assert "5 opportunities" in page(client, "/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "5 missions" in page(client, "/", headers={"Accept-Language": "de-DE,fr;q=0.5,en;q=0.4"})
    assert "5 missions" in page(client, "/", headers={"Accept-Language": "de-DE"})


def test_language_switch_keeps_the_search(client: FlaskClient) -> None:
    html = page(client, "/?q=plage&cause=environnement")
    assert "/?q=plage&cause=environnement&lang=en" in hrefs(html)
    html = page(client, f"/o/{BEACH.id}?lang=en")
    assert f"/o/{BEACH.id}?lang=fr" in hrefs(html)


# -- opportunity page -----------------------------------------------------------------------
def test_detail_page(client: FlaskClient) -> None:
    html = page(client, f"/o/{BEACH.id}")
    assert "<h1" in html and BEACH.title in html
    assert "<p>Venez nous aider à <strong>nettoyer</strong> la plage du Sillon.</p>" in html
    assert inline_scripts(html) == [] and "onclick" not in html and "steal()" not in html
    assert '<a href="/org/les-amis-du-littoral">Les Amis du Littoral</a>' in html
    assert '<a href="https://amis-littoral.example.org/" rel="nofollow noopener">site web</a>' in html
    assert "Je m'engage" in unescape(html)
    buttons = re.findall(r'<a class="button button-primary button-apply[^"]*" href="([^"]+)"', html)
    assert buttons and set(buttons) == {f"/go/{BEACH.id}"}
    assert "Bonne humeur, Bottes" in html and "16 ans" in html
    assert "Réseau Littoral Breton" in html  # source partner's name from the database
    assert "Environnement" in html and "Saint-Malo (35400)" in html


def test_detail_page_in_english_and_unsafe_links(client: FlaskClient) -> None:
    html = page(client, f"/o/{HOMEWORK.id}?lang=en")
    assert "Apply on the partner's site" in unescape(html) and "Ongoing" in html and "Education" in html
    assert "javascript:" not in html  # the organization's bogus URL is not linked
    assert "volunteer-bridge" in html  # unknown partner: its id


def test_unknown_opportunity_is_a_404_page(client: FlaskClient) -> None:
    for url in ("/o/nope-0000", "/go/nope-0000", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


# -- outbound redirect ----------------------------------------------------------------------
def test_go_redirects_to_the_stored_url_only(client: FlaskClient) -> None:
    response = client.get(f"/go/{BEACH.id}?url=https://evil.example/phish&next=https://evil.example/")
    assert response.status_code == 302
    assert response.headers["Location"] == BEACH.url
    assert response.headers["Cache-Control"] == "no-store"


def test_go_calls_the_click_hook(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    clicked: list[str] = []
    monkeypatch.setattr("search_app.public.record_click", lambda opp: clicked.append(opp.id))
    client.get(f"/go/{MEALS.id}")
    assert clicked == [MEALS.id]


def test_head_on_go_is_not_a_click(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    clicked: list[str] = []
    monkeypatch.setattr("search_app.public.record_click", lambda opp: clicked.append(opp.id))
    assert client.head(f"/go/{MEALS.id}").status_code == 302
    assert clicked == []


def test_robots_keep_crawlers_off_redirects(client: FlaskClient) -> None:
    assert "Disallow: /go/" in client.get("/robots.txt").get_data(as_text=True)


def test_go_survives_a_failing_click_hook(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_opp: Opportunity) -> None:
        raise RuntimeError("counter down")

    monkeypatch.setattr("search_app.public.record_click", broken)
    assert client.get(f"/go/{MEALS.id}").headers["Location"] == MEALS.url


# -- headers, errors ------------------------------------------------------------------------
OSM = "https://tile.openstreetmap.org"


def test_security_headers_everywhere(client: FlaskClient) -> None:
    urls = ("/", f"/o/{BEACH.id}", "/missing", "/static/site.css", "/api/v1/opportunities", f"/go/{BEACH.id}")
    for url in urls:
        response = client.get(url)
        # Pages with a map may also show images from the map's tile server, nothing else.
        map_policy = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {OSM}")
        assert response.headers["Content-Security-Policy"] in (CONTENT_SECURITY_POLICY, map_policy), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    for url in ("/", "/?q=plage", f"/o/{BEACH.id}", "/missing", "/?date_from=x"):
        html = client.get(url).get_data(as_text=True)
        assert inline_scripts(html) == [] and "<style" not in html and " style=" not in html, url
        assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html


def test_backend_outage_is_a_friendly_503(tmp_path: Path) -> None:
    settings = load_settings({"VOLUNTEER_HUB_HOME": str(tmp_path / "home")})
    app = create_app({"SETTINGS": settings, "BACKEND": FailingBackend(), "TESTING": True})
    response = app.test_client().get("/?q=plage")
    assert response.status_code == 503
    assert "La recherche fait une pause" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


# -- translations ---------------------------------------------------------------------------
def _entries(catalog: Iterable[Message]) -> dict[object, object]:
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_french_catalog_is_complete_and_compiled() -> None:
    root = Path(search_app.__file__).parent
    messages = root / "translations" / "fr" / "LC_MESSAGES"
    with open(messages / "messages.po", "rb") as po_file, open(messages / "messages.mo", "rb") as mo_file:
        po, mo = read_po(po_file), read_mo(mo_file)
    assert not any(m.fuzzy for m in po if m.id), "fuzzy translations"
    translations = _entries(po)
    assert all(all(s) if isinstance(s, tuple) else s for s in translations.values()), "untranslated strings"
    used = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            root, method_map=[("**.py", "python"), ("templates/**.html", "jinja2")]
        )
    }
    known = {k if isinstance(k, str) else k[0] for k in translations}  # type: ignore[index]
    assert used <= known, f"not in messages.po (run pybabel extract/update): {sorted(used - known)}"
    assert _entries(mo) == translations, "messages.mo is stale: run pybabel compile"
