"""Plugins in the workflow: steps placed by data, vetoes, escalation, ticket data."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext
from sqlalchemy import select

from servicedesk import create_app, hookimpl
from servicedesk.extensions import db
from servicedesk.models import Department, OutboxMessage, Priority, Role, Route, TicketEvent
from servicedesk.policy import SYSTEM
from servicedesk.services import tickets
from servicedesk.services.errors import ValidationError, Vetoed
from servicedesk.workflow import graph
from servicedesk.workflow.seed import seed_workflow
from servicedesk.workflow.steps import Step


class Inspection:
    """Adds quality inspection between after-sales and claims, and guards claims."""

    name = "inspection"

    @hookimpl
    def department_steps(self):
        return [
            Step(
                code="inspection",
                name_en="Quality inspection",
                name_zh="质量检验部",
                after="after_sales",
                before="claims",
                routes=(("inspection", "after_sales"),),
            )
        ]

    @hookimpl
    def veto_transition(self, ticket, event):
        if (
            event.kind == "routed"
            and event.new_value == "claims"
            and event.old_value != "inspection"
        ):
            return lazy_gettext("Returned goods go through quality inspection before claims.")
        return None

    @hookimpl
    def ticket_data(self, ticket):
        return {"batch": ticket.extra.get("batch")}


@pytest.fixture
def app_plugins():
    return [Inspection()]


def department(code: str) -> Department:
    return db.session.scalar(select(Department).filter_by(code=code))


def codes(departments) -> list[str]:
    return [d.code for d in departments]


def edges() -> set[tuple[str | None, str | None]]:
    return {
        (
            route.from_department.code if route.from_department else None,
            route.to_department.code if route.to_department else None,
        )
        for route in db.session.scalars(select(Route))
    }


def test_a_step_is_placed_between_the_departments_it_names(app):
    inspection = department("inspection")
    assert (inspection.name_en, inspection.name_zh, inspection.owner) == (
        "Quality inspection",
        "质量检验部",
        "inspection",
    )
    order = codes(graph.active_departments())
    assert order.index("after_sales") < order.index("inspection") < order.index("claims")
    assert {
        ("after_sales", "inspection"),
        ("inspection", "claims"),
        ("inspection", "after_sales"),
    } <= edges()
    assert seed_workflow() == 0  # seeding again adds nothing


def test_a_ticket_walks_through_the_step(app, make_user, make_ticket):
    agent = make_user(departments=("after_sales", "inspection", "claims"))
    ticket = make_ticket(kind="claim").ticket
    tickets.route(ticket.id, SYSTEM, "follow_up", version=None)
    tickets.route(ticket.id, SYSTEM, "after_sales", version=None)
    assert "inspection" in codes(graph.allowed_targets(department("after_sales")))
    tickets.route(ticket.id, agent, "inspection", version=None)
    tickets.route(ticket.id, agent, "claims", version=None, reason="Defect confirmed")
    assert tickets.get_ticket(ticket.id, agent).department.code == "claims"


def test_a_veto_stops_the_change_with_its_reason_and_writes_nothing(app, make_user, make_ticket):
    supervisor = make_user(role=Role.SUPERVISOR, departments=("intake", "claims"))
    ticket = make_ticket(kind="claim").ticket
    before = db.session.scalars(select(TicketEvent.id)).all()
    with pytest.raises(Vetoed) as refused:
        tickets.route(ticket.id, supervisor, "claims", version=None)
    assert refused.value.message == "Returned goods go through quality inspection before claims."
    assert refused.value.errors == {"department": [refused.value.message]}
    db.session.expire_all()
    assert tickets.get_ticket(ticket.id, supervisor).department.code == "intake"
    assert db.session.scalars(select(TicketEvent.id)).all() == before


def test_the_desk_shows_the_veto_next_to_the_form(client, auth, make_user, make_ticket):
    supervisor = make_user(role=Role.SUPERVISOR, departments=("intake",))
    ticket = make_ticket(kind="claim").ticket
    auth.login(supervisor)
    response = client.post(
        f"/desk/tickets/{ticket.reference}/route",
        data={"department": "claims", "version": ticket.version},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Returned goods go through quality inspection before claims." in response.text


def test_a_disabled_plugins_step_disappears_and_its_veto_with_it(app, make_user, make_ticket):
    """The same database, served by an app without the plugin."""
    ticket = make_ticket(kind="claim").ticket
    bare = create_app(dict(app.config), load_entrypoints=False)
    with bare.app_context():
        assert "inspection" not in codes(graph.active_departments())
        assert "inspection" not in codes(
            graph.allowed_targets(db.session.get(Department, department("after_sales").id))
        )
        with pytest.raises(ValidationError, match="No such department: inspection"):
            tickets.route(ticket.id, SYSTEM, "inspection", version=None)
        tickets.route(ticket.id, SYSTEM, "claims", version=None)  # no veto any more
        assert tickets.get_ticket(ticket.id, SYSTEM).department.code == "claims"
        db.session.remove()


def test_escalation_records_raises_moves_and_mails(app, make_user, make_ticket):
    agent = make_user(name="Wang Fang", departments=("intake",))
    supervisor = make_user(role=Role.SUPERVISOR, name="Zhao Lei", departments=("intake",))
    make_user(role=Role.SUPERVISOR, departments=("sales",))  # another department's
    ticket = make_ticket().ticket
    tickets.assign(ticket.id, agent, agent.id, version=None)
    tickets.escalate(
        ticket.id,
        SYSTEM,
        level="breach",
        reason="Resolution target passed",
        priority="urgent",
        department="key_accounts",
    )
    ticket = tickets.get_ticket(ticket.id, SYSTEM)
    assert (ticket.priority, ticket.department.code, ticket.assignee) == (
        Priority.URGENT,
        "key_accounts",
        None,
    )
    trail = [
        (e.kind, e.old_value, e.new_value, e.detail)
        for e in db.session.scalars(select(TicketEvent).order_by(TicketEvent.id))
    ][-4:]
    assert trail == [
        ("escalated", None, "breach", "Resolution target passed"),
        ("priority", "normal", "urgent", None),
        ("routed", "intake", "key_accounts", "Resolution target passed"),
        ("assigned", str(agent.id), None, None),
    ]
    mails = db.session.scalars(select(OutboxMessage).filter_by(kind="escalation")).all()
    assert sorted(m.recipient for m in mails) == sorted([agent.email, supervisor.email])
    assert all("was escalated (breach)" in m.body_text for m in mails)
    assert all("Resolution target passed" in m.body_text for m in mails)


def test_escalation_never_lowers_the_priority_and_needs_a_reason(app, make_ticket):
    ticket = make_ticket().ticket
    tickets.set_priority(ticket.id, SYSTEM, "urgent", version=None)
    tickets.escalate(ticket.id, SYSTEM, level="manual", reason="Line stopped", priority="high")
    assert tickets.get_ticket(ticket.id, SYSTEM).priority == Priority.URGENT
    with pytest.raises(ValidationError, match="Say why"):
        tickets.escalate(ticket.id, SYSTEM, level="manual", reason="  ")


def test_ticket_json_carries_each_plugins_data_under_its_name(client, auth, make_user, make_ticket):
    agent = make_user(departments=("intake",))
    ticket = make_ticket(extra={"batch": "LOT-2026-17"}).ticket
    auth.login(agent)
    data = client.get(f"/desk/tickets/{ticket.reference}.json").get_json()
    assert data["reference"] == ticket.reference
    assert (data["department"], data["status"], data["priority"]) == ("intake", "new", "normal")
    assert data["plugins"] == {"inspection": {"batch": "LOT-2026-17"}}
    auth.logout()
    assert client.get(f"/desk/tickets/{ticket.reference}.json").status_code in (302, 401)


def test_admin_page_lists_plugins_with_their_hooks(client, auth, make_user):
    auth.login(make_user(role=Role.ADMIN))
    page = client.get("/desk/admin/plugins").get_data(as_text=True)
    row = page.split("<code>inspection</code>")[1].split("</tr>")[0]
    for hook in ("department_steps", "veto_transition", "ticket_data"):
        assert f'<code class="me-2 d-inline-block">{hook}</code>' in row
    assert "registered" in row
    assert "servicedesk.tiers" in page  # the core's own rule, a plugin too
