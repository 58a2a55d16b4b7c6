"""Issue 16 on the console and the partner portal: CRLF in ``next``, private pages never cached,
the verbose health view only for signed-in operators."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.helpers import EMAIL, PASSWORD, logged_in, token_from


@pytest.mark.parametrize(
    "next_url", ["/admin/\r\nSet-Cookie: x=1", "/admin/moderation\n", "/admin/\x00", "/admin\\\\evil.example"]
)
def test_login_ignores_a_next_with_control_characters(client: FlaskClient, next_url: str) -> None:
    token = token_from(client.get("/admin/login", query_string={"next": next_url}).get_data(as_text=True))
    response = client.post(
        "/admin/login", data={"csrf_token": token, "email": EMAIL, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_login_still_follows_a_console_next(client: FlaskClient) -> None:
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login",
        data={"csrf_token": token, "email": EMAIL, "password": PASSWORD, "next": "/admin/moderation"},
    )
    assert response.headers["Location"] == "/admin/moderation"


@pytest.mark.parametrize(
    "path",
    ["/admin/login", "/admin/", "/partners/login", "/partners/signup", "/partners/me", "/partners/postings"],
)
def test_console_and_partner_pages_are_never_cached(client: FlaskClient, path: str) -> None:
    if path == "/admin/":
        logged_in(client)
    assert client.get(path).headers.get("Cache-Control") == "no-store"


def test_verbose_health_is_for_operators(client: FlaskClient) -> None:
    anonymous = client.get("/admin/health")
    assert anonymous.status_code == 302 and "/admin/login" in anonymous.headers["Location"]
    logged_in(client)
    response = client.get("/admin/health")
    assert response.status_code in (200, 503) and response.headers["Cache-Control"] == "no-store"
    checks = response.get_json()["checks"]
    assert "sqlite" in str(checks["search"]["detail"])  # the index file's path and generation
    assert set(checks) == {"database", "search", "scheduler"}
