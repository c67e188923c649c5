"""The request form as a customer meets it: labelled, accessible, forgiving."""

from __future__ import annotations

import re

from servicedesk.services.tickets import CUSTOMER_FIELDS
from servicedesk.web.public.forms import REQUEST_FIELDS

LABELS = {
    "kind": "Kind of request",
    "name": "Your name",
    "company": "Company",
    "email": "Email address",
    "phone": "Phone",
    "product_ref": "Product, order or serial number",
    "subject": "Subject",
    "body": "Description",
    "attachments": "Attachments",
}


def test_every_field_the_service_takes_is_on_the_form():
    assert [spec.name for spec in REQUEST_FIELDS] == list(CUSTOMER_FIELDS)


def test_the_form_is_on_the_home_page_with_a_label_for_every_field(client):
    page = client.get("/").get_data(as_text=True)
    assert '<form method="post" action="/#request" enctype="multipart/form-data"' in page
    for name, label in LABELS.items():
        assert re.search(rf'<label class="form-label" for="f-{name}">{re.escape(label)}\b', page)
        assert re.search(rf'<(input|select|textarea)[^>]* id="f-{name}" name="{name}"', page)
    assert 'name="attachments" multiple' in page
    assert (
        '<button type="submit" class="btn btn-accent btn-lg fw-semibold px-4">Send request' in page
    )
    # The contact card stays.
    assert "Contact the service centre</h2>" in page


def test_optional_fields_say_so_and_required_ones_are_marked(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("company", "phone", "product_ref", "attachments"):
        label = re.search(rf'<label class="form-label" for="f-{name}">(.*?)</label>', page).group(1)
        assert "(optional)" in label
    for name in ("name", "email", "subject", "body"):
        field = re.search(rf'<(input|textarea)[^>]* id="f-{name}"[^>]*>', page).group(0)
        assert " required" in field


def test_help_texts_are_tied_to_their_fields(client):
    page = client.get("/").get_data(as_text=True)
    email = re.search(r'<input[^>]* id="f-email"[^>]*>', page).group(0)
    assert 'aria-describedby="f-email-help"' in email
    assert '<div class="form-text" id="f-email-help">We send your reference number' in page


def test_a_refused_form_keeps_everything_typed(portal, valid, png):
    typed = valid | {"email": "wang.fang@", "body": "Line one\nLine two <b>bold</b>"}
    response = portal.submit(files=[(png, "photo.png")], **typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name in ("name", "company", "email", "phone", "product_ref", "subject"):
        assert f'value="{typed[name]}"' in page.replace("&#34;", '"')
    assert "Line one\nLine two &lt;b&gt;bold&lt;/b&gt;</textarea>" in page
    assert '<option value="repair" selected>' in page
    assert "Please attach your files again" in page


def test_errors_are_announced_and_tied_to_their_fields(portal):
    page = portal.submit(email="nobody", subject="").get_data(as_text=True)
    summary = re.search(r'<div class="alert alert-danger sdp-error-summary"(.*?)</div>', page, re.S)
    assert 'role="alert"' in summary.group(0)
    assert (
        '<a class="alert-link" href="#f-email">Email address</a>: Enter a valid email address.'
        in (summary.group(0))
    )
    email = re.search(r'<input[^>]* id="f-email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="f-email-help f-email-error"' in email
    assert 'class="form-control is-invalid"' in email
    assert 'id="f-email-error">Enter a valid email address.</div>' in page
    # Fields without a problem are not marked.
    name = re.search(r'<input[^>]* id="f-name"[^>]*>', page).group(0)
    assert "aria-invalid" not in name


def test_the_fields_validate_inline_with_htmx(client):
    page = client.get("/").get_data(as_text=True)
    wrapper = re.search(r'<div class="sdp-field mb-3" id="field-subject"[^>]*>', page).group(0)
    assert 'hx-post="/validate/subject"' in wrapper
    assert 'hx-trigger="change"' in wrapper
    assert 'hx-target="this"' in wrapper
    assert 'hx-swap="outerHTML"' in wrapper
    # Only this field (and the kind) is sent: no files on every keystroke.
    assert 'hx-params="subject,kind"' in wrapper


def test_inline_validation_returns_the_field_with_its_error(portal):
    response = portal.validate("subject", subject="x" * 201)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.startswith('<div class="sdp-field mb-3" id="field-subject"')
    assert "<html" not in html
    assert 'role="alert">At most 200 characters (got 201).</div>' in html
    assert 'aria-invalid="true"' in html
    assert f'value="{"x" * 201}"' in html


def test_inline_validation_of_a_good_value_clears_the_error(portal):
    html = portal.validate("email", email="Buyer@Example.com").get_data(as_text=True)
    assert "invalid-feedback" not in html
    assert 'value="Buyer@Example.com"' in html  # as typed; the service normalises later


def test_inline_validation_of_an_unknown_field_is_404(portal):
    assert portal.validate("status", status="closed").status_code == 404
    assert portal.validate("kind", kind="x").status_code == 404  # a select needs no check


def test_inline_validation_needs_the_csrf_header(client):
    assert client.post("/validate/subject", data={"subject": "x"}).status_code == 400


def test_a_kind_can_be_chosen_by_link(client):
    page = client.get("/?kind=complaint").get_data(as_text=True)
    assert '<option value="complaint" selected>' in page
    page = client.get("/?kind=<script>").get_data(as_text=True)
    assert "selected>" in page.split('id="f-kind"')[1].split("</select>")[0]
    assert '<option value="" selected>' in page


def test_the_form_works_in_chinese(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-Hans-CN">' in page
    assert '<option value="complaint">投诉</option>' in page
