"""The quality inspection plugin, tested with ServiceDesk's own fixtures (conftest.py)."""

import re

import pytest
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import Department, Route, Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import Vetoed

REQUEST = {
    "kind": "claim",
    "name": "Wang Fang",
    "email": "wang.fang@pumps.example.cn",
    "subject": "Seals of the last delivery leak",
    "body": "Twelve of the forty seals we received leak after a day.",
}


def department(code):
    return db.session.scalar(select(Department).filter_by(code=code))


def panel(client, ticket):
    """The inspection panel of the desk's ticket page, as HTML."""
    page = client.get(f"/desk/tickets/{ticket.reference}").text
    found = re.search(r'<section[^>]*data-panel="inspection".*?</section>', page, re.DOTALL)
    return found.group(0) if found else None


# The workflow step --------------------------------------------------------


def test_the_step_sits_between_after_sales_and_claims(app):
    inspection = department("inspection")
    assert (inspection.name_en, inspection.name_zh, inspection.owner) == (
        "Quality inspection",
        "质量检验部",
        "inspection",
    )
    assert department("after_sales").position < inspection.position
    assert inspection.position < department("claims").position
    edges = {
        (route.from_department.code, route.to_department.code)
        for route in db.session.scalars(select(Route))
        if inspection in (route.from_department, route.to_department)
    }
    assert edges == {
        ("after_sales", "inspection"),
        ("inspection", "claims"),
        ("inspection", "after_sales"),  # the way back
    }


# The batch number on the public form ------------------------------------


def test_the_form_asks_for_the_batch_number_of_goods(client):
    page = client.get("/").text
    assert "Batch or lot number" in page
    assert 'data-kinds="repair complaint claim"' in page


def test_the_batch_number_is_kept_on_the_ticket_in_capitals(client):
    response = client.post("/", data=REQUEST | {"batch": " lot-2024-0173 "})
    assert response.status_code == 303
    assert db.session.scalars(select(Ticket)).one().extra == {"batch": "LOT-2024-0173"}


@pytest.mark.parametrize("batch", ["LOT 2024", "#0173", "L", "LOT--2024"])
def test_a_malformed_batch_number_is_refused_with_a_clear_message(client, batch):
    response = client.post("/", data=REQUEST | {"batch": batch})
    assert response.status_code == 422
    assert "Enter the batch number as printed on the label" in response.text
    assert db.session.scalars(select(Ticket)).all() == []


def test_other_kinds_of_request_ignore_the_batch_number(client):
    response = client.post("/", data=REQUEST | {"kind": "enquiry", "batch": "#0173"})
    assert response.status_code == 303
    assert db.session.scalars(select(Ticket)).one().extra == {}


# The desk panel ---------------------------------------------------------


def test_the_panel_follows_the_ticket_through_inspection(client, auth, make_user, make_ticket):
    agent = make_user(name="Chen Jie", departments=("after_sales", "inspection"))
    ticket = make_ticket(kind="claim", department="after_sales", extra={"batch": "LOT-2024-0173"})
    ticket = ticket.ticket
    auth.login(agent)
    html = panel(client, ticket)
    assert "LOT-2024-0173" in html
    assert "Not inspected" in html

    tickets.route(ticket.id, agent, "inspection", version=None)
    html = panel(client, ticket)
    assert "In inspection" in html
    assert "None recorded yet" in html

    tickets.add_note(ticket.id, agent, "Cracked seal lip: material defect.", version=None)
    tickets.route(ticket.id, agent, "after_sales", version=None)
    html = panel(client, ticket)
    assert "Inspected" in html
    assert "Noted by Chen Jie" in html


def test_no_panel_on_tickets_that_are_not_about_goods(client, auth, make_user, make_ticket):
    agent = make_user()
    ticket = make_ticket(kind="enquiry").ticket
    auth.login(agent)
    assert panel(client, ticket) is None


# No claim without a verdict ---------------------------------------------


def test_claims_take_a_ticket_from_inspection_only_with_a_verdict(app, make_user, make_ticket):
    agent = make_user(departments=("after_sales", "inspection", "claims"))
    ticket = make_ticket(kind="claim", department="after_sales").ticket
    tickets.route(ticket.id, agent, "inspection", version=None)
    with pytest.raises(Vetoed, match="Write the inspection verdict as an internal note"):
        tickets.route(ticket.id, agent, "claims", version=None)

    tickets.add_note(ticket.id, agent, "Housing cracked: material defect.", version=None)
    tickets.route(ticket.id, agent, "claims", version=None)
    assert tickets.get_ticket(ticket.id, agent).department.code == "claims"


def test_a_verdict_from_an_earlier_inspection_does_not_count(app, make_user, make_ticket):
    agent = make_user(departments=("after_sales", "inspection", "claims"))
    ticket = make_ticket(kind="claim", department="after_sales").ticket
    tickets.route(ticket.id, agent, "inspection", version=None)
    tickets.add_note(ticket.id, agent, "No defect found.", version=None)
    tickets.route(ticket.id, agent, "after_sales", version=None)
    tickets.route(ticket.id, agent, "inspection", version=None)
    with pytest.raises(Vetoed):
        tickets.route(ticket.id, agent, "claims", version=None)
