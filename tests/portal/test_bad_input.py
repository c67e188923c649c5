"""Bad input on the public form: a clear answer, never a 500, nothing half-stored.

Each test compares every table a submission writes (tickets, messages,
contacts, customers, attachments, outbox, audit events) and the files on disk
before and after.
"""

from __future__ import annotations

import io
import re

import pytest


@pytest.fixture
def refused(portal, state):
    """``refused(status=422, **form)``: submit, expect ``status``, prove nothing was stored."""

    def submit(status: int = 422, **form):
        before = state()
        response = portal.submit(**form)
        assert response.status_code == status, response.get_data(as_text=True)[:3000]
        assert state() == before
        return response.get_data(as_text=True)

    return submit


def field_error(page: str, name: str) -> str:
    match = re.search(
        rf'<div class="invalid-feedback d-block" id="f-{name}-error"[^>]*>(.*?)</div>', page
    )
    assert match, f"no error shown for {name}"
    return match.group(1)


def test_missing_required_fields(refused):
    page = refused(name=None, email=None, subject=None, body=None)
    for name in ("name", "email", "subject", "body"):
        assert field_error(page, name) == "This field is required."
        assert f'id="f-{name}"' in page
    assert '<div class="alert alert-danger sdp-error-summary" role="alert"' in page


def test_an_empty_post_with_only_the_token(portal, state):
    before = state()
    token = portal.token()
    response = portal.client.post("/", data={"csrf_token": token})
    assert response.status_code == 422
    assert state() == before
    assert field_error(response.get_data(as_text=True), "kind") == (
        "Choose the kind of request from the list."
    )


def test_blank_fields_count_as_missing(refused):
    page = refused(name="   ", subject="\t", body="\n\n")
    for name in ("name", "subject", "body"):
        assert field_error(page, name) == "This field is required."


def test_an_unknown_kind(refused):
    page = refused(kind="free_money")
    assert field_error(page, "kind") == "Choose the kind of request from the list."


def test_ten_thousand_character_subject(refused):
    page = refused(subject="x" * 10_000)
    assert field_error(page, "subject") == "At most 200 characters (got 10000)."


def test_one_megabyte_description(refused):
    page = refused(body="y" * 1_000_000)
    assert field_error(page, "body") == "At most 50000 characters (got 1000000)."


@pytest.mark.parametrize("name", ["name", "company", "subject", "body", "product_ref", "phone"])
def test_nul_bytes(refused, name):
    page = refused(**{name: "before\x00after"})
    assert field_error(page, name) == "Must not contain NUL characters."


def test_missing_csrf_token(portal, state, valid):
    before = state()
    response = portal.client.post("/", data=valid)
    assert response.status_code == 400
    assert "Your form expired, please try again." in response.get_data(as_text=True)
    assert state() == before


def test_wrong_csrf_token(portal, state, valid):
    portal.token()
    before = state()
    response = portal.client.post("/", data=valid | {"csrf_token": "forged." + "A" * 40})
    assert response.status_code == 400
    assert "Your form expired, please try again." in response.get_data(as_text=True)
    assert state() == before


def test_another_sessions_csrf_token(app, portal, state, valid):
    other = app.test_client()
    stolen = re.search(
        r'name="csrf_token" value="([^"]+)"', other.get("/").get_data(as_text=True)
    ).group(1)
    portal.token()
    before = state()
    response = portal.client.post("/", data=valid | {"csrf_token": stolen})
    assert response.status_code == 400
    assert state() == before


def test_an_oversized_file(refused, png):
    ten_megabytes_and_one = png + b"\x00" * (10 * 1024 * 1024 + 1 - len(png))
    page = refused(files=[(ten_megabytes_and_one, "scan.png")])
    assert field_error(page, "attachments") == (
        "“scan.png” is too large: each file may be at most 10 MB."
    )


def test_too_many_files(refused, png):
    page = refused(files=[(png, f"photo{i}.png") for i in range(6)])
    assert field_error(page, "attachments") == "Attach at most 5 files."


def test_html_renamed_png(refused):
    page = refused(files=[(b"<!DOCTYPE html><script>alert(1)</script>", "photo.png")])
    message = field_error(page, "attachments")
    assert message.startswith("“photo.png” is a web page, SVG or XML file, whatever its name says.")


def test_svg_renamed_png(refused):
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    page = refused(files=[(svg, "chart.png")])
    assert "“chart.png” is a web page, SVG or XML file" in field_error(page, "attachments")


def test_svg_without_xml_header_renamed_txt(refused):
    page = refused(files=[(b"\n  <svg onload=alert(1)>", "notes.txt")])
    assert "is a web page, SVG or XML file" in field_error(page, "attachments")


def test_an_executable(refused):
    page = refused(files=[(b"MZ\x90\x00\x03" + b"\x00" * 200, "invoice.pdf")])
    assert "“invoice.pdf” is not a type of file we accept." in field_error(page, "attachments")


def test_script_and_onerror_payloads_are_echoed_as_text(refused):
    page = refused(
        email="not an address",
        subject="<script>alert(1)</script>",
        body="<img src=x onerror=alert(1)>",
        name='"><svg onload=alert(1)>',
    )
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert "<svg onload" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "&lt;img src=x onerror=alert(1)&gt;</textarea>" in page
    assert 'value="&#34;&gt;&lt;svg onload=alert(1)&gt;"' in page


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("name", "Eve\r\nBcc: victim@example.com"),
        ("subject", "Hello\nBcc: victim@example.com"),
        ("email", "eve@example.com\r\nBcc: victim@example.com"),
        ("company", "ACME\rX-Injected: 1"),
    ],
)
def test_line_breaks_in_one_line_fields(refused, name, value):
    page = refused(**{name: value})
    assert field_error(page, name) in (
        "Must be a single line of text.",
        "Enter a valid email address.",
    )


def test_a_body_larger_than_the_server_accepts_gets_the_413_page(portal, state, app):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    before = state()
    token = portal.token()
    response = portal.client.post(
        "/",
        data={"csrf_token": token, "attachments": (io.BytesIO(b"x" * 60_000), "big.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Files too large</h1>" in page
    assert "Each file may be at most 10 MB, and all files together at most 25 MB." in page
    assert state() == before
