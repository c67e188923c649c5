"""The public home page and the shared layout."""

from __future__ import annotations

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department
from servicedesk.workflow.seed import DEPARTMENTS


def test_home_page_presents_the_centre(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "<title>Customer Service Centre · ServiceDesk</title>" in page
    assert "Support for the industrial products we supply" in page
    assert 'id="request-heading" class="h3 sd-section-title mb-2">File a request</h2>' in page
    assert 'href="/desk/login">Staff sign-in</a>' in page


def test_home_page_lists_every_active_department_and_kind_of_request(client):
    page = client.get("/").get_data(as_text=True)
    for spec in DEPARTMENTS:
        assert f"<h3>{spec.name_en}</h3>" in page
    for label in ("Enquiry", "Repair or technical support", "Complaint", "Claim"):
        assert f"<h3>{label}</h3>" in page


def test_inactive_departments_are_not_listed(app, client):
    db.session.scalar(db.select(Department).filter_by(code="training")).active = False
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<h3>Training</h3>" not in page
    assert "<h3>Claims</h3>" in page


def test_kinds_added_by_a_plugin_are_listed(app, client):
    from servicedesk.state import app_state

    app_state(app).kinds["calibration"] = "Calibration certificate"
    page = client.get("/").get_data(as_text=True)
    assert "<h3>Calibration certificate</h3>" in page


def test_layout_loads_vendored_assets_and_sends_csrf_header_with_htmx(client):
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/js/htmx.min.js" defer></script>' in page
    assert 'href="/static/css/bootstrap.min.css"' in page
    assert 'hx-headers=\'{"X-CSRFToken": ' in page
    assert '<meta name="viewport"' in page


def test_vendored_htmx_is_version_2(client):
    script = client.get("/static/js/htmx.min.js")
    assert script.status_code == 200
    assert b'version:"2.0.' in script.data


def test_anonymous_navbar_offers_sign_in_and_languages(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/desk/login">Sign in</a>' in page
    assert "Sign out" not in page
    assert 'value="en" lang="en"' in page
    assert ">简体中文</button>" in page


def test_the_kept_form_follows_the_language_and_the_departments(client):
    english = client.get("/").get_data(as_text=True)
    assert "Sales" in english
    chinese = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "销售部" in chinese and "Sales</h3>" not in chinese
    sales = db.session.scalar(select(Department).where(Department.code == "sales"))
    sales.name_en = "Sales and Orders"
    db.session.commit()
    assert "Sales and Orders" in client.get("/").get_data(as_text=True)
    chosen = client.get("/?kind=repair").get_data(as_text=True)
    assert '<option value="repair" selected>' in chosen
    assert '<option value="repair" selected>' not in client.get("/").get_data(as_text=True)
