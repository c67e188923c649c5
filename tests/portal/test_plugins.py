"""Plugins on the public form: extra fields, where a ticket starts, tracking panels."""

from __future__ import annotations

import re

import pytest
from jinja2 import ChoiceLoader, DictLoader
from marshmallow import fields, validate
from sqlalchemy import select

from servicedesk import hookimpl
from servicedesk.extensions import db
from servicedesk.models import Ticket, TicketEvent
from servicedesk.slots import FormField, Panel


class CalibrationPlugin:
    """A department plugin: a serial number for repairs, and its own routing."""

    @hookimpl
    def request_kinds(self, app):
        return {"calibration": "Calibration certificate"}

    @hookimpl
    def public_form_fields(self, app, request):
        return [
            FormField(
                name="serial_number",
                label="Serial number",
                field=fields.String(
                    required=True,
                    validate=validate.Regexp(r"^[A-Z]{2}-\d{4}$", error="Use the form AB-1234."),
                ),
                help="On the type plate.",
                kinds=("repair", "calibration"),
                position=10,
            ),
            FormField(
                name="units",
                label="Number of units",
                field=fields.Integer(validate=validate.Range(min=1, max=1000)),
                position=20,
            ),
        ]

    @hookimpl
    def choose_department(self, app, kind, contact, customer, extra):
        return "after_sales" if kind == "repair" else None

    @hookimpl
    def tracking_panels(self, app, ticket, actor, request):
        return [
            Panel(
                key="calibration-status",
                title="Calibration",
                template="calibration/panel.html",
                context={"serial": ticket.extra.get("serial_number", "-")},
            )
        ]


@pytest.fixture
def app_plugins():
    return [CalibrationPlugin()]


@pytest.fixture
def panel_templates(app):
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"calibration/panel.html": "<p class=cal>Serial {{ serial }}</p>"}),
            app.jinja_env.loader,
        ]
    )


def latest() -> Ticket:
    db.session.expire_all()
    return db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()


def test_plugin_kinds_and_fields_are_on_the_form(client):
    page = client.get("/").get_data(as_text=True)
    assert '<option value="calibration">Calibration certificate</option>' in page
    assert 'data-kinds="repair calibration"' in page
    assert '<label class="form-label" for="f-serial_number">Serial number' in page
    assert 'id="f-serial_number-help">On the type plate.</div>' in page
    assert '<label class="form-label" for="f-units">Number of units' in page


def test_plugin_values_are_validated_by_their_field_and_stored_in_extra(portal):
    response = portal.submit(serial_number="AB-1234", units="3")
    assert response.status_code == 303
    ticket = latest()
    assert ticket.extra == {"serial_number": "AB-1234", "units": 3}
    assert ticket.department.code == "after_sales"  # choose_department decided


def test_a_bad_plugin_value_is_shown_beside_its_field(portal, state):
    before = state()
    response = portal.submit(serial_number="12345", units="many")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-serial_number-error">Use the form AB-1234.</div>' in page
    assert 'id="f-units-error">Not a valid integer.</div>' in page
    assert 'value="12345"' in page  # kept as typed
    assert state() == before


def test_a_required_plugin_field_is_required_only_for_its_kinds(portal):
    response = portal.submit(kind="repair")
    assert response.status_code == 422
    assert 'id="f-serial_number-error">This field is required.</div>' in response.get_data(
        as_text=True
    )

    # Not a repair: the serial number neither required nor stored, even if posted.
    assert portal.submit(kind="enquiry", serial_number="garbage").status_code == 303
    ticket = latest()
    assert ticket.extra == {}
    assert ticket.department.code == "intake"


def test_plugin_field_is_checked_inline_only_for_its_kinds(portal):
    partial = portal.validate("serial_number", kind="repair", serial_number="x")
    assert 'role="alert">Use the form AB-1234.</div>' in partial.get_data(as_text=True)
    other = portal.validate("serial_number", kind="sales", serial_number="x")
    assert "invalid-feedback" not in other.get_data(as_text=True)


def test_tracking_panel_is_rendered_with_its_template(portal, panel_templates):
    _reference, path = portal.file_request(serial_number="CD-5678")
    page = portal.client.get(path).get_data(as_text=True)
    assert re.search(r'<h2 id="panel-calibration-status"[^>]*>Calibration</h2>', page)
    assert "<p class=cal>Serial CD-5678</p>" in page


class BrokenPlugin:
    @hookimpl
    def choose_department(self, app, kind, contact, customer, extra):
        raise RuntimeError("routing table offline")

    @hookimpl
    def public_form_fields(self, app, request):
        raise RuntimeError("field service offline")

    @hookimpl
    def tracking_panels(self, app, ticket, actor, request):
        return [Panel(key="broken", title="Broken", template="no/such/template.html")]

    @hookimpl
    def ticket_event(self, ticket, event):
        raise RuntimeError(f"survey service offline ({event.kind})")


@pytest.mark.parametrize("app_plugins", [[BrokenPlugin()]])
def test_a_failing_plugin_costs_the_customer_nothing(portal, caplog):
    assert portal.client.get("/").status_code == 200
    reference, path = portal.file_request()
    assert latest().department.code == "intake"
    page = portal.client.get(path)
    assert page.status_code == 200
    assert reference in page.get_data(as_text=True)
    assert "routing table offline" in caplog.text
    assert "field service offline" in caplog.text
    # The lifecycle hook failed after the commit: the ticket stands, and staff
    # see on its audit trail that a plugin's step did not happen.
    assert "survey service offline (created)" in caplog.text
    kinds = [event.kind for event in db.session.scalars(select(TicketEvent))]
    assert kinds == ["created", "plugin_error"]


class NowhereRouter:
    @hookimpl
    def choose_department(self, app, kind, contact, customer, extra):
        return "no_such_department"


@pytest.mark.parametrize("app_plugins", [[NowhereRouter()]])
def test_a_department_that_does_not_exist_falls_back_to_intake(portal):
    portal.file_request()
    assert latest().department.code == "intake"


class GreedyPlugin:
    """Fields whose names are taken or not allowed: left out, with a warning."""

    @hookimpl
    def public_form_fields(self, app, request):
        return [
            FormField(name=name, label=f"Field {name}", field=fields.String())
            for name in ("subject", "website", "attachments", "Bad Name", "po_number")
        ]


@pytest.mark.parametrize("app_plugins", [[GreedyPlugin()]])
def test_plugin_fields_cannot_take_the_forms_own_names(portal, caplog):
    page = portal.client.get("/").get_data(as_text=True)
    assert page.count('id="f-subject"') == 1
    assert page.count('id="f-website"') == 1
    assert "Field Bad Name" not in page
    assert '<label class="form-label" for="f-po_number">Field po_number' in page
    assert "'subject' left out" in caplog.text
    assert portal.submit(po_number="PO-77").status_code == 303
    assert latest().extra == {"po_number": "PO-77"}
