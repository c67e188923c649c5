"""The desk home: the queue of the signed-in user's departments (more in tests/desk/)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from servicedesk.models import Role
from servicedesk.services import tickets
from servicedesk.testing import counting_queries


def test_desk_shows_who_is_signed_in_and_their_departments(client, auth, make_user):
    auth.login(make_user(name="Chen Jie", role=Role.SUPERVISOR, departments=("intake", "claims")))
    page = client.get("/desk/").get_data(as_text=True)
    assert "Signed in as <strong>Chen Jie</strong> (Supervisor)" in page
    assert '<span class="badge sd-dept-badge">Intake</span>' in page
    assert '<span class="badge sd-dept-badge">Claims</span>' in page


def test_agent_sees_only_tickets_of_their_departments(client, auth, make_user, make_ticket):
    make_ticket(subject="Pump PX-200 leaks oil")
    make_ticket(subject="Compensation for the broken gearbox", department="claims")
    auth.login(make_user(departments=("intake",)))
    page = client.get("/desk/").get_data(as_text=True)
    assert "Pump PX-200 leaks oil" in page
    assert "Compensation for the broken gearbox" not in page


def test_routed_ticket_leaves_the_old_departments_desk(client, auth, make_user, make_ticket):
    agent = make_user(departments=("intake",))
    ticket = make_ticket(subject="Quote for 40 bearing kits").ticket
    tickets.route(ticket.id, agent, "sales", version=ticket.version)
    auth.login(agent)
    page = client.get("/desk/").get_data(as_text=True)
    assert "Quote for 40 bearing kits" not in page
    assert "Nothing in this queue." in page


def test_admin_sees_every_department(client, auth, make_user, make_ticket):
    make_ticket(subject="Compensation for the broken gearbox", department="claims")
    auth.login(make_user(role=Role.ADMIN, departments=()))
    page = client.get("/desk/").get_data(as_text=True)
    assert "Compensation for the broken gearbox" in page
    assert 'data-queue-count="all"' in page


def test_ticket_row_shows_translated_labels_and_local_time(
    app, client, auth, make_user, make_ticket
):
    agent = make_user(name="Zhao Lei", departments=("intake",))
    ticket = make_ticket(subject="Gearbox noise", kind="repair", priority=3).ticket
    tickets.assign(ticket.id, agent, agent.id, version=ticket.version)
    auth.login(agent)
    page = client.get("/desk/").get_data(as_text=True)
    row = page[page.index(ticket.reference) : page.index("</tr>", page.index(ticket.reference))]
    assert "Gearbox noise" in row
    assert "<td>Repair or technical support</td>" in row
    assert '<span class="badge sd-badge sd-status-open">Open</span>' in row
    assert '<span class="badge sd-badge sd-priority-urgent">Urgent</span>' in row
    assert "<td>Intake</td>" in row
    assert "<td>Zhao Lei</td>" in row
    shown = format_datetime(
        ticket.updated_at, "short", tzinfo=ZoneInfo(app.config["TIMEZONE"]), locale="en"
    )
    assert f">{shown}</time>" in row


def test_unassigned_ticket_says_so(client, auth, make_user, make_ticket):
    make_ticket()
    auth.login(make_user())
    page = client.get("/desk/").get_data(as_text=True)
    assert "Unassigned</span>" in page
    assert '<span class="badge sd-badge sd-status-new">New</span>' in page


def test_customer_text_is_escaped(client, auth, make_user, make_ticket):
    make_ticket(subject="<script>alert(1)</script>", name="<b>Evil</b>")
    auth.login(make_user())
    page = client.get("/desk/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_user_name_is_escaped(client, auth, make_user):
    auth.login(make_user(name="<img src=x onerror=alert(1)>"))
    page = client.get("/desk/").get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page


def test_htmx_refresh_gets_only_the_ticket_panel(client, auth, make_user, make_ticket):
    make_ticket(subject="Pump PX-200 leaks oil")
    auth.login(make_user())
    response = client.get("/desk/", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<section id="queue-list"')
    assert "Pump PX-200 leaks oil" in page
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_desk_query_count_does_not_grow_with_tickets(app, client, auth, make_user, make_ticket):
    agents = [make_user(departments=("intake",)) for _ in range(4)]
    auth.login(agents[0])

    def queries_for_desk() -> int:
        with counting_queries() as statements:
            assert client.get("/desk/").status_code == 200
        return len(statements)

    first = make_ticket().ticket
    tickets.assign(first.id, agents[0], agents[0].id, version=first.version)
    queries_for_desk()  # the first page of a visit also records "last seen"
    few = queries_for_desk()
    for agent in agents[1:]:
        ticket = make_ticket().ticket
        tickets.assign(ticket.id, agent, agent.id, version=ticket.version)
    assert queries_for_desk() == few
