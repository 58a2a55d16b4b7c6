"""``/partners`` is the organizations' landing page: what they get, sign up, sign in, the format guide."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_partners_is_a_landing_page_with_sign_up_sign_in_and_formats(client: FlaskClient) -> None:
    for url in ("/partners", "/partners/"):
        response = client.get(url + "?lang=en")
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "What you get" in html
        for target in ('href="/partners/signup"', 'href="/partners/login"', 'href="/partners/formats"'):
            assert target in html, target


def test_partners_landing_in_french_and_linked_from_every_page(client: FlaskClient) -> None:
    html = client.get("/partners?lang=fr").get_data(as_text=True)
    assert "Ce que vous obtenez" in html and "Inscrire votre organisation" in html
    assert 'href="/partners/"' in client.get("/?lang=fr").get_data(as_text=True)
