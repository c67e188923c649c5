"""Forms and HTMX requests carry the CSRF token; requests without it are refused."""

from __future__ import annotations

import re

import pytest

from servicedesk.testing import PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_login_without_token_is_refused_with_a_friendly_page(client, make_user):
    user = make_user()
    response = client.post("/desk/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your form expired, please try again." in page
    assert client.get("/desk/").status_code == 302


def test_login_with_the_forms_token_works(client, make_user):
    user = make_user()
    token = _token(client.get("/desk/login").get_data(as_text=True))
    response = client.post(
        "/desk/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/desk/"


def test_sign_in_rotates_the_csrf_token(client, make_user):
    user = make_user()
    before = _token(client.get("/desk/login").get_data(as_text=True))
    client.post(
        "/desk/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before}
    )
    # The token is derived from this session value; a new one is drawn on the next form.
    with client.session_transaction() as session:
        assert "csrf_token" not in session
    assert _token(client.get("/desk/").get_data(as_text=True)) != before


def test_logout_without_token_keeps_the_user_signed_in(client, make_user):
    user = make_user()
    token = _token(client.get("/desk/login").get_data(as_text=True))
    client.post(
        "/desk/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert client.post("/desk/logout").status_code == 400
    assert client.get("/desk/").status_code == 200


def test_language_switch_needs_the_token(client):
    assert client.post("/language", data={"locale": "zh_Hans_CN", "next": "/"}).status_code == 400


def test_htmx_header_from_the_layout_passes_the_check(client):
    page = client.get("/").get_data(as_text=True)
    header = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert header
    response = client.post(
        "/language",
        data={"locale": "zh_Hans_CN", "next": "/"},
        headers={"X-CSRFToken": header.group(1), "HX-Request": "true"},
    )
    assert response.status_code == 302


def test_the_kept_home_page_gives_every_visitor_their_own_token(app, client):
    first = _token(client.get("/").get_data(as_text=True))
    other = app.test_client()
    second = _token(other.get("/").get_data(as_text=True))
    assert first != second
    assert "sd-csrf-placeholder" not in client.get("/").get_data(as_text=True)
    # Each visitor's token is accepted for their own session only.
    form = {
        "kind": "enquiry",
        "name": "Li Wei",
        "email": "li.wei@plant.example.com",
        "subject": "Spare seals",
        "body": "Do you stock seals for the PX-200?",
    }
    assert client.post("/", data=form | {"csrf_token": first}).status_code == 303
    assert other.post("/", data=form | {"csrf_token": first}).status_code == 400
