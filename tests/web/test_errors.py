"""Error pages: friendly, translated, in the site's layout."""

from __future__ import annotations

import pytest
from flask import abort


@pytest.fixture
def failing_routes(app):
    # Registered before the first request, which Flask requires.
    app.add_url_rule("/_test/abort/<int:code>", "abort_with", lambda code: abort(code))

    def crash() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/_test/crash", "crash", crash)
    return app


def test_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<title>Page not found · ServiceDesk</title>" in page
    assert "The page you asked for does not exist or has moved." in page
    assert 'href="/">Go to the home page</a>' in page


def test_405_page_keeps_the_allow_header(client):
    response = client.get("/desk/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "Not allowed</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("code", "title"), [(400, "Bad request"), (403, "Access denied"), (429, "Too many requests")]
)
def test_other_client_error_pages(failing_routes, client, code, title):
    response = client.get(f"/_test/abort/{code}")
    assert response.status_code == code
    assert f"{title}</h1>" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_500_page(failing_routes, client):
    failing_routes.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/_test/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong</h1>" in page
    assert "boom" not in page
