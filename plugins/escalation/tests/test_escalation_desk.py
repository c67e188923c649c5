"""Escalating by hand from the desk's ticket page, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

import servicedesk_plugins.escalation
from servicedesk import hookimpl
from servicedesk.extensions import db
from servicedesk.services import tickets
from servicedesk_plugins.escalation.models import EscalationRecord

REASON = "The customer threatens to cancel the framework contract."
HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(make_user):
    return {
        "agent": make_user(role="agent", departments=("intake",)),
        "supervisor": make_user(role="supervisor", departments=("intake",)),
        "outsider": make_user(role="agent", departments=("claims",)),
    }


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(kind="complaint").ticket


def url(ticket):
    return f"/escalation/tickets/{ticket.reference}"


def version_of(ticket):
    db.session.expire_all()
    return db.session.get(type(ticket), ticket.id).version


def records_of(ticket):
    db.session.expire_all()
    return [
        (r.level, r.reason, r.actor_label)
        for r in db.session.query(EscalationRecord)
        .filter_by(ticket_id=ticket.id)
        .order_by(EscalationRecord.id)
    ]


def test_an_agent_escalates_from_the_ticket_page(client, auth, people, ticket, observe):
    auth.login(people["agent"])
    page = client.get(f"/desk/tickets/{ticket.reference}").get_data(as_text=True)
    assert 'data-panel="escalation.history"' in page
    assert "Not escalated yet." in page
    assert f'action="{url(ticket)}"' in page

    response = client.post(url(ticket), data={"reason": REASON, "version": version_of(ticket)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/desk/tickets/{ticket.reference}")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Ticket {ticket.reference} escalated." in page
    assert REASON in page and "By hand" in page
    assert observe.escalations(ticket.id) == [("manual", people["agent"].name)]
    assert records_of(ticket) == [("manual", REASON, people["agent"].name)]
    # The department's supervisor is told.
    assert observe.mails(ticket.id) == [people["supervisor"].email]

    # Escalating again is allowed: each escalation is recorded, newest shown first.
    again = "No answer from after-sales for two days."
    client.post(url(ticket), data={"reason": again, "version": version_of(ticket)})
    assert [r[1] for r in records_of(ticket)] == [REASON, again]
    page = client.get(f"/desk/tickets/{ticket.reference}").get_data(as_text=True)
    panel = page[page.index('id="escalation-panel"') :]
    assert panel.index(again) < panel.index(REASON)
    assert len(observe.escalations(ticket.id)) == 2


def test_htmx_refreshes_the_ticket_page_after_escalating(client, auth, people, ticket):
    auth.login(people["agent"])
    response = client.post(
        url(ticket), data={"reason": REASON, "version": version_of(ticket)}, headers=HTMX
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/desk/tickets/{ticket.reference}"


def test_without_a_reason_nothing_is_escalated(client, auth, people, ticket, observe):
    auth.login(people["agent"])
    # Without JavaScript: the panel on a page of its own, with the message.
    response = client.post(url(ticket), data={"reason": "  ", "version": version_of(ticket)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Say why you escalate this ticket." in page
    assert "<html" in page and f"Back to ticket {ticket.reference}" in page

    # With HTMX: only the panel comes back, to be swapped in place.
    response = client.post(url(ticket), data={"reason": "", "version": "1"}, headers=HTMX)
    assert response.status_code == 422
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="escalation-panel"')
    assert "Say why you escalate this ticket." in fragment
    assert 'aria-invalid="true"' in fragment

    assert observe.escalations(ticket.id) == []
    assert records_of(ticket) == []
    assert observe.mails(ticket.id) == []


def test_a_stale_page_is_refused_and_keeps_the_reason(client, auth, people, ticket, observe):
    auth.login(people["agent"])
    seen = version_of(ticket)
    tickets.add_note(ticket.id, people["supervisor"], "Called the customer.", version=None)
    response = client.post(url(ticket), data={"reason": REASON, "version": seen}, headers=HTMX)
    assert response.status_code == 409
    fragment = response.get_data(as_text=True)
    assert "was changed by someone else" in fragment
    assert REASON in fragment  # what was typed is not lost
    # The form now carries the fresh version: sending again is a deliberate choice.
    assert f'name="version" value="{version_of(ticket)}"' in fragment
    assert records_of(ticket) == [] and observe.escalations(ticket.id) == []


def test_a_too_long_reason_is_refused(client, auth, people, ticket):
    auth.login(people["agent"])
    response = client.post(url(ticket), data={"reason": "x" * 2001, "version": "1"})
    assert response.status_code == 422
    assert "At most 2000 characters." in response.get_data(as_text=True)
    assert records_of(ticket) == []


def test_only_staff_who_see_the_ticket_may_escalate(client, auth, people, ticket):
    signed_out = client.post(url(ticket), data={"reason": REASON})
    assert signed_out.status_code == 302 and "/desk/login" in signed_out.headers["Location"]
    auth.login(people["outsider"])
    assert client.get(url(ticket)).status_code == 404
    assert client.post(url(ticket), data={"reason": REASON}).status_code == 404
    assert client.post("/escalation/tickets/NO-SUCH", data={"reason": REASON}).status_code == 404
    assert records_of(ticket) == []


class VetoEscalations:
    @hookimpl
    def veto_transition(self, event):
        if event.kind == "escalated":
            return "General affairs is closed for the audit: call the director."
        return None


class TestAVeto:
    @pytest.fixture
    def app_plugins(self):
        return [servicedesk_plugins.escalation, VetoEscalations()]

    def test_is_shown_and_nothing_is_written(self, client, auth, people, ticket, observe):
        auth.login(people["agent"])
        response = client.post(url(ticket), data={"reason": REASON, "version": "1"})
        assert response.status_code == 422
        assert "General affairs is closed for the audit" in response.get_data(as_text=True)
        assert records_of(ticket) == [] and observe.escalations(ticket.id) == []
        assert observe.mails(ticket.id) == []


class TestWithCsrfProtection:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_panel_form_carries_its_token(self, client, people, ticket, observe):
        login = client.get("/desk/login").get_data(as_text=True)
        client.post(
            "/desk/login",
            data={
                "email": people["agent"].email,
                "password": "correct horse battery",
                "csrf_token": token_in(login),
            },
        )
        page = client.get(f"/desk/tickets/{ticket.reference}").get_data(as_text=True)
        panel = page[page.index('id="escalation-panel"') :]
        data = {"reason": REASON, "version": version_of(ticket)}
        assert client.post(url(ticket), data=data).status_code == 400
        response = client.post(url(ticket), data=data | {"csrf_token": token_in(panel)})
        assert response.status_code == 303
        assert observe.escalations(ticket.id) == [("manual", people["agent"].name)]


def token_in(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
