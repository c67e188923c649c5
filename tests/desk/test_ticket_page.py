"""The ticket page: what it shows, each action with and without HTMX, conflicts."""

from __future__ import annotations

import re

import pytest

from servicedesk import hookimpl
from servicedesk.extensions import db
from servicedesk.models import Attachment, Role
from servicedesk.services import canned, tickets
from servicedesk.slots import MenuLink, Metric, Panel, TicketAction
from servicedesk.testing import counting_queries


@pytest.fixture
def setup(make_user, make_ticket):
    agent = make_user(name="Wang Fang", departments=("intake",))
    new = make_ticket(
        subject="Pump PX-200 leaks",
        body="Oil under the pump since Monday.",
        name="Liu Yang",
        email="liu@jinghua.example.cn",
        company="Jinghua Pumps",
        phone="0512-1234567",
    )
    return agent, new.ticket


def page_of(client, ticket) -> str:
    response = client.get(f"/desk/tickets/{ticket.reference}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_shows_header_customer_and_thread(client, auth, setup, make_ticket):
    agent, ticket = setup
    other = make_ticket(subject="Older question", email="liu@jinghua.example.cn").ticket
    make_ticket(subject="Claims matter", email="liu@jinghua.example.cn", department="claims")
    tickets.reply(ticket.id, agent, "A technician calls today.", version=None)
    tickets.add_note(ticket.id, agent, "Check the seal batch.", version=None)
    auth.login(agent)
    page = page_of(client, ticket)
    assert '<h1 id="ticket-subject" class="h4 fw-semibold mb-2">Pump PX-200 leaks</h1>' in page
    assert '<dd data-sd-fact="department">Intake</dd>' in page
    assert "Jinghua Pumps" in page and "liu@jinghua.example.cn" in page
    # Their other tickets, but only those the agent may see.
    assert other.reference in page and "Claims matter" not in page
    assert re.search(r'class="sd-msg sd-msg-customer".*Oil under the pump', page, re.S)
    assert re.search(r'class="sd-msg sd-msg-reply".*A technician calls today', page, re.S)
    note = page[page.index('class="sd-msg sd-msg-note"') :]
    assert "Internal note — not visible to the customer" in note[:1500]
    assert "Check the seal batch." in note


def test_timeline_in_words_with_names(client, auth, setup, make_user):
    agent, ticket = setup
    supervisor = make_user(name="Sun Mei", role=Role.SUPERVISOR, departments=("intake", "sales"))
    tickets.assign(ticket.id, agent, agent.id, version=None)
    tickets.route(ticket.id, agent, "sales", version=None, reason="Quote wanted")
    tickets.set_priority(ticket.id, supervisor, "urgent", version=None)
    auth.login(supervisor)
    page = page_of(client, ticket)
    timeline = page[page.index('id="ticket-timeline"') :]
    for line in (
        "The customer opened the ticket in Intake",
        "Wang Fang assigned the ticket to Wang Fang",
        "Wang Fang changed the status from New to Open",
        'Wang Fang routed from Intake to Sales: <span class="sd-reason">Quote wanted</span>',
        "Wang Fang unassigned Wang Fang",
        "Sun Mei changed the priority from Normal to Urgent",
    ):
        assert line in timeline


def test_route_offers_allowed_targets_and_all_for_supervisors(client, auth, setup, make_user):
    agent, ticket = setup
    auth.login(agent)
    form = page_of(client, ticket).split('id="route-department"')[1].split("</select>")[0]
    assert 'value="sales"' in form and 'value="general_affairs"' in form
    assert 'value="claims"' not in form
    auth.logout()
    auth.login(make_user(role=Role.SUPERVISOR, departments=("intake",)))
    form = page_of(client, ticket).split('id="route-department"')[1].split("</select>")[0]
    assert 'value="claims"' in form and "Other departments (supervisors)" in form


def test_reply_with_htmx_swaps_the_changed_parts(client, auth, setup, htmx_headers):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/messages",
        data={"kind": "reply", "body": "We are on it.", "version": ticket.version},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for part in (
        "ticket-alerts",
        "ticket-header",
        "ticket-thread",
        "ticket-side",
        "ticket-timeline",
        "ticket-composer",
    ):
        assert re.search(rf'id="{part}"[^>]*hx-swap-oob="true"', page), part
    assert "Reply sent." in page and "We are on it." in page
    assert "<html" not in page


def test_assign_keeps_the_draft_and_moves_its_version(client, auth, setup, htmx_headers):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/assign",
        data={"assignee": "me", "version": ticket.version},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert 'id="ticket-thread"' not in page and 'id="ticket-composer"' not in page
    db.session.refresh(ticket)
    assert (
        f'name="version" id="composer-version" value="{ticket.version}" hx-swap-oob="true"' in page
    )
    assert '<dd data-sd-fact="assignee">Wang Fang</dd>' in page


def test_without_javascript_an_action_redirects_back(client, auth, setup):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/priority",
        data={"priority": "3", "version": ticket.version},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/desk/tickets/{ticket.reference}"
    assert "Priority changed." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_route_out_of_reach_goes_back_to_the_queue(client, auth, setup, htmx_headers):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/route",
        data={"department": "sales", "reason": "Quote", "version": ticket.version},
        headers=htmx_headers,
    )
    assert response.headers["HX-Redirect"] == "/desk/"


def test_conflict_keeps_the_draft_and_shows_the_fresh_ticket(client, auth, setup, make_user):
    agent, ticket = setup
    colleague = make_user(name="Zhou Min", departments=("intake",))
    seen = ticket.version
    tickets.reply(ticket.id, colleague, "Colleague was faster.", version=seen)
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/messages",
        data={"kind": "note", "body": "My long draft\n第二行", "version": seen},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "was changed by someone else" in page
    assert ">My long draft\n第二行</textarea>" in page
    assert "Colleague was faster." in page
    assert 'id="kind-note" value="note" checked' in page
    db.session.refresh(ticket)
    assert f'id="composer-version" value="{ticket.version}"' in page
    assert tickets.get_ticket(ticket.id, agent).messages[-1].body == "Colleague was faster."


def test_conflict_with_htmx_keeps_other_drafts_alone(client, auth, setup, make_user, htmx_headers):
    agent, ticket = setup
    seen = ticket.version
    tickets.set_priority(ticket.id, make_user(departments=("intake",)), "high", version=seen)
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/route",
        data={"department": "sales", "reason": "Typed reason", "version": seen},
        headers=htmx_headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Typed reason</textarea>" in page
    assert 'id="ticket-composer"' not in page  # the composer's draft is not touched
    assert 'id="composer-version"' in page


def test_refused_input_is_kept_with_its_message(client, auth, setup, htmx_headers):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/messages",
        data={"kind": "reply", "body": "   ", "version": ticket.version},
        headers=htmx_headers,
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/route",
        data={"department": "claims", "reason": "Skip ahead", "version": ticket.version},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot be routed to Claims" in page and "Skip ahead</textarea>" in page


def test_missing_version_is_refused(client, auth, setup):
    agent, ticket = setup
    auth.login(agent)
    response = client.post(f"/desk/tickets/{ticket.reference}/assign", data={"assignee": "me"})
    assert response.status_code == 422


def test_canned_response_is_filled_in(client, auth, setup, htmx_headers):
    agent, ticket = setup
    response = canned.create(
        agent, title="Greeting", body="Dear {customer_name}, about {reference}: {agent_name}"
    )
    auth.login(agent)
    result = client.post(
        f"/desk/tickets/{ticket.reference}/canned",
        data={
            "canned": str(response.id),
            "body": "Hello",
            "kind": "note",
            "version": ticket.version,
        },
        headers=htmx_headers,
    )
    page = result.get_data(as_text=True)
    assert f"Hello\n\nDear Liu Yang, about {ticket.reference}: Wang Fang</textarea>" in page
    assert 'id="kind-note" value="note" checked' in page
    db.session.refresh(ticket)
    assert ticket.version == 1  # inserting changes nothing


def test_attachment_download(client, auth, setup, make_user, app, tmp_path):
    agent, ticket = setup
    app.config["ATTACHMENT_DIR"] = str(tmp_path)
    message = ticket.messages[0]
    attachment = Attachment(
        storage_key="ab" + "c" * 30,
        filename="铭牌 photo.png",
        size=5,
        content_type="image/png",
        sha256="0" * 64,
    )
    message.attachments.append(attachment)
    db.session.commit()
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / ("c" * 30)).write_bytes(b"\x89PNG\r")
    auth.login(agent)
    assert f'href="/desk/attachments/{attachment.id}"' in page_of(client, ticket)
    response = client.get(f"/desk/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=UTF-8''%E9%93%AD%E7%89%8C%20photo.png" in response.headers["Content-Disposition"]
    )
    auth.logout()
    auth.login(make_user(departments=("claims",)))
    assert client.get(f"/desk/attachments/{attachment.id}").status_code == 404
    assert client.get("/desk/attachments/99999999999").status_code == 404


class DeskPlugin:
    @hookimpl
    def ticket_panels(self, ticket):
        return [Panel("warranty", "Warranty", "desk_test/panel.html", {"months": 18})]

    @hookimpl
    def ticket_actions(self, ticket):
        return TicketAction("survey", "Send survey", f"/plugin/survey/{ticket.id}", style="success")

    @hookimpl
    def menu_links(self, actor):
        return [MenuLink("reports", "Reports", "/plugin/reports")]

    @hookimpl
    def dashboard_metrics(self, actor):
        return [Metric("csat", "Satisfaction", "92%")]


@pytest.fixture
def app_plugins():
    return [DeskPlugin()]


@pytest.fixture(autouse=True)
def panel_template(app):
    from jinja2 import ChoiceLoader, DictLoader

    template = "<p>{{ months }} months for {{ ticket.reference }}</p>"
    app.jinja_env.loader = ChoiceLoader(
        [app.jinja_env.loader, DictLoader({"desk_test/panel.html": template})]
    )


def test_plugin_slots(client, auth, setup):
    agent, ticket = setup
    auth.login(agent)
    page = page_of(client, ticket)
    assert f"<p>18 months for {ticket.reference}</p>" in page
    action = page[page.index(f'action="/plugin/survey/{ticket.id}"') :][:400]
    assert 'name="csrf_token"' in action and "btn-success" in action and "Send survey" in action
    assert '<a class="nav-link" href="/plugin/reports">Reports</a>' in page
    desk = client.get("/desk/").get_data(as_text=True)
    assert (
        '<span class="sd-metric-value">92%</span><span class="sd-metric-label">Satisfaction</span>'
        in desk
    )


def test_ticket_page_query_count_does_not_grow(client, auth, setup, make_user):
    agent, ticket = setup
    auth.login(agent)
    page_of(client, ticket)  # the first page of a visit also records "last seen"
    with counting_queries() as before:
        page_of(client, ticket)
    colleagues = [make_user(departments=("intake",)) for _ in range(3)]
    for colleague in colleagues:
        tickets.add_note(ticket.id, colleague, "A note", version=None)
        tickets.assign(ticket.id, agent, colleague.id, version=None)
    db.session.refresh(ticket)  # reading the test's own expired copy is not the page's query
    # New colleagues change the staff list: the next page reloads it once.
    page_of(client, ticket)
    with counting_queries() as after:
        page_of(client, ticket)
    assert len(after) == len(before)
