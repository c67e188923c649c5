"""One complaint walked through the whole centre by the service layer.

intake -> sales -> follow_up -> after_sales -> follow_up -> after_sales -> claims
-> resolved -> closed, by agents who belong to each department, with the audit
trail checked row by row and every timestamp pinned with ``clock.at``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import MessageKind, Role, Status, Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import ValidationError

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def fresh(ticket_id: int) -> Ticket:
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket is not None
    return ticket


@pytest.fixture
def staff(make_user):
    def agent(name: str, department: str, role: str = Role.AGENT):
        return make_user(role=role, departments=(department,), name=name)

    return {
        "intake": agent("Li Na", "intake"),
        "sales": agent("Zhao Lei", "sales"),
        "follow_up": agent("Chen Jing", "follow_up"),
        "after_sales": agent("Wang Fang", "after_sales"),
        "claims": agent("Liu Yang", "claims"),
    }


def test_complaint_walks_the_whole_route(staff, make_ticket, events_of):
    ia, sa, fa, aa, ca = (staff[d] for d in staff)
    reason_sales = "Customer wants a replacement order."
    reason_follow = "Replacement shipped; ask the customer how it works."
    reason_repair = "Still jams: needs a technician."
    reason_loop = "Technician visited; follow up with the customer."
    reason_again = "Customer reports the same fault."
    reason_claims = "Cannot be repaired on site; customer asks for compensation."
    reason_resolve = "Refund of 1,200 CNY approved."
    reason_close = "Customer confirmed receipt of the refund."

    # 0. The customer files the complaint through the public form.
    with clock.at(at(0)):
        new = make_ticket(
            subject="PX-200 printer jams on every job",
            body="Since Monday the PX-200 jams on every job.",
            email="Wang.Wei@Acme.example.com",
            name="Wang Wei",
            company="Acme Industrial",
            kind="complaint",
        )
    tid, token = new.ticket.id, new.token
    t = fresh(tid)
    assert (t.status, t.version, t.department.code, t.assignee_id) == ("new", 1, "intake", None)
    assert t.created_at == t.updated_at == at(0)
    assert (t.first_response_at, t.resolved_at, t.closed_at) == (None, None, None)
    assert t.contact.email == "wang.wei@acme.example.com"
    assert t.customer is not None and t.customer.name == "Acme Industrial"

    # 1. Intake takes it: assignment opens a new ticket.
    with clock.at(at(1)):
        tickets.assign(tid, ia, ia.id, version=1)
    t = fresh(tid)
    assert (t.status, t.version, t.assignee_id, t.updated_at) == ("open", 2, ia.id, at(1))

    # 2. First public reply sets first_response_at.
    with clock.at(at(2)):
        tickets.reply(tid, ia, "We are looking into it.", version=2)
    t = fresh(tid)
    assert (t.version, t.first_response_at, t.updated_at) == (3, at(2), at(2))

    # 3. Intake -> sales: the assignee is cleared, the status stays open.
    with clock.at(at(3)):
        tickets.route(tid, ia, "sales", version=3, reason=reason_sales)
    t = fresh(tid)
    assert (t.department.code, t.assignee_id, t.status, t.version) == ("sales", None, "open", 4)

    # 4-6. Sales takes it, notes the order, hands it to follow-up.
    with clock.at(at(4)):
        tickets.assign(tid, sa, sa.id, version=4)
    with clock.at(at(5)):
        tickets.add_note(tid, sa, "Replacement PX-200 shipped on order 4471.", version=5)
    with clock.at(at(6)):
        tickets.route(tid, sa, "follow_up", version=6, reason=reason_follow)
    t = fresh(tid)
    assert (t.department.code, t.assignee_id, t.version) == ("follow_up", None, 7)
    assert t.first_response_at == at(2)  # a note is not a response

    # 7. Follow-up asks the customer and waits for the answer.
    with clock.at(at(7)):
        tickets.reply(tid, fa, "How does the replacement work?", version=7, status="pending")
    t = fresh(tid)
    assert (t.status, t.version, t.first_response_at) == ("pending", 8, at(2))

    # 8. The customer answers through the tracking token: pending -> open.
    ticket, customer = tickets.open_with_token(token)
    assert ticket.id == tid
    with clock.at(at(8)):
        tickets.add_customer_message(tid, customer, "It still jams.")
    t = fresh(tid)
    assert (t.status, t.version) == ("open", 9)

    # 9-13. Follow-up <-> after-sales loop, then claims.
    with clock.at(at(9)):
        tickets.route(tid, fa, "after_sales", version=9, reason=reason_repair)
    with clock.at(at(10)):
        tickets.assign(tid, aa, aa.id, version=10)
    with clock.at(at(11)):
        tickets.route(tid, aa, "follow_up", version=11, reason=reason_loop)
    with clock.at(at(12)):
        tickets.route(tid, fa, "after_sales", version=12, reason=reason_again)
    with clock.at(at(13)):
        tickets.route(tid, aa, "claims", version=13, reason=reason_claims)
    t = fresh(tid)
    assert (t.department.code, t.assignee_id, t.status, t.version) == ("claims", None, "open", 14)

    # 14-17. Claims takes it, answers, resolves and closes.
    with clock.at(at(14)):
        tickets.assign(tid, ca, ca.id, version=14)
    with clock.at(at(15)):
        tickets.reply(tid, ca, "We will refund the printer.", version=15)
    with clock.at(at(16)):
        tickets.resolve(tid, ca, version=16, reason=reason_resolve)
    t = fresh(tid)
    assert (t.status, t.version, t.resolved_at, t.closed_at) == ("resolved", 17, at(16), None)
    with clock.at(at(17)):
        tickets.close(tid, ca, version=17, reason=reason_close)

    t = fresh(tid)
    assert t.status == Status.CLOSED
    assert t.version == 18
    assert t.department.code == "claims"
    assert t.assignee_id == ca.id
    assert t.created_at == at(0)
    assert t.updated_at == at(17)
    assert t.first_response_at == at(2)
    assert t.resolved_at == at(16)
    assert t.closed_at == at(17)

    assert [(m.kind, m.author_id, m.created_at) for m in t.messages] == [
        (MessageKind.CUSTOMER, None, at(0)),
        (MessageKind.REPLY, ia.id, at(2)),
        (MessageKind.NOTE, sa.id, at(5)),
        (MessageKind.REPLY, fa.id, at(7)),
        (MessageKind.CUSTOMER, None, at(8)),
        (MessageKind.REPLY, ca.id, at(15)),
    ]
    assert [m.is_public for m in t.messages] == [True, True, False, True, True, True]
    assert t.messages[4].contact_id == t.contact_id

    def by(user):
        return (user.id, user.name)

    def row(kind, who, old=None, new=None, detail=None):
        actor_id, label = who
        return (kind, actor_id, label, old, new, detail)

    public = (None, "customer")
    cust = (None, "Wang Wei")
    expected = [
        row("created", public, None, "intake"),
        row("assigned", by(ia), None, str(ia.id)),
        row("status", by(ia), "new", "open"),
        row("replied", by(ia)),
        row("routed", by(ia), "intake", "sales", reason_sales),
        row("assigned", by(ia), str(ia.id), None),
        row("assigned", by(sa), None, str(sa.id)),
        row("noted", by(sa)),
        row("routed", by(sa), "sales", "follow_up", reason_follow),
        row("assigned", by(sa), str(sa.id), None),
        row("replied", by(fa)),
        row("status", by(fa), "open", "pending"),
        row("customer_replied", cust),
        row("status", cust, "pending", "open", None),
        row("routed", by(fa), "follow_up", "after_sales", reason_repair),
        row("assigned", by(aa), None, str(aa.id)),
        row("routed", by(aa), "after_sales", "follow_up", reason_loop),
        row("assigned", by(aa), str(aa.id), None),
        row("routed", by(fa), "follow_up", "after_sales", reason_again),
        row("routed", by(aa), "after_sales", "claims", reason_claims),
        row("assigned", by(ca), None, str(ca.id)),
        row("replied", by(ca)),
        row("status", by(ca), "open", "resolved", reason_resolve),
        row("status", by(ca), "resolved", "closed", reason_close),
    ]
    actual = events_of(tid)
    for number, (got, want) in enumerate(zip(actual, expected, strict=False)):
        assert got == want, f"event #{number}"
    assert len(actual) == len(expected)

    # A closed ticket takes no more messages until it is reopened.
    with pytest.raises(ValidationError) as refused:
        tickets.add_customer_message(tid, customer, "One more thing")
    assert "body" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        tickets.reply(tid, ca, "Anything else?", version=18)
    assert "body" in refused.value.errors
    assert fresh(tid).version == 18
    assert len(events_of(tid)) == len(expected)


def test_event_times_follow_the_clock(staff, make_ticket):
    from servicedesk.models import TicketEvent

    ia = staff["intake"]
    with clock.at(at(0)):
        tid = make_ticket().ticket.id
    with clock.at(at(5)):
        tickets.assign(tid, ia, ia.id, version=1)
    db.session.expire_all()
    times = db.session.scalars(
        db.select(TicketEvent.created_at)
        .where(TicketEvent.ticket_id == tid)
        .order_by(TicketEvent.id)
    ).all()
    assert times == [at(0), at(5), at(5)]


def test_first_public_reply_opens_a_new_ticket(staff, make_ticket, events_of):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    with clock.at(at(1)):
        tickets.add_note(tid, ia, "Internal: check the warranty first.", version=1)
    t = fresh(tid)
    # A note is internal: no response time, the ticket stays new.
    assert (t.status, t.first_response_at, t.version) == ("new", None, 2)
    with clock.at(at(2)):
        tickets.reply(tid, ia, "Thank you, we are on it.", version=2)
    t = fresh(tid)
    assert (t.status, t.first_response_at, t.version, t.assignee_id) == ("open", at(2), 3, None)
    with clock.at(at(3)):
        tickets.reply(tid, ia, "A technician comes on Friday.", version=3)
    assert fresh(tid).first_response_at == at(2)  # only the first reply counts
    assert [e[0] for e in events_of(tid)] == [
        "created",
        "noted",
        "replied",
        "status",
        "replied",
    ]
    assert events_of(tid)[3][3:5] == ("new", "open")


def test_unassign_keeps_status(staff, make_ticket, events_of):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    tickets.assign(tid, ia, ia.id, version=1)
    tickets.assign(tid, ia, None, version=2)
    t = fresh(tid)
    assert (t.assignee_id, t.status, t.version) == (None, "open", 3)
    assert events_of(tid)[-1] == ("assigned", ia.id, ia.name, str(ia.id), None, None)


def test_resolved_ticket_reopens_when_the_customer_writes(staff, make_ticket, events_of):
    ia = staff["intake"]
    with clock.at(at(0)):
        new = make_ticket(name="Zhang San")
    tid = new.ticket.id
    with clock.at(at(1)):
        tickets.resolve(tid, ia, version=1, reason="Answered by phone.")
    t = fresh(tid)
    assert (t.status, t.resolved_at) == ("resolved", at(1))
    _, customer = tickets.open_with_token(new.token)
    with clock.at(at(2)):
        tickets.add_customer_message(tid, customer, "Sorry, it is not solved.")
    t = fresh(tid)
    assert (t.status, t.resolved_at, t.closed_at, t.version) == ("open", None, None, 3)
    assert events_of(tid)[-2:] == [
        ("customer_replied", None, "Zhang San", None, None, None),
        ("status", None, "Zhang San", "resolved", "open", None),
    ]


def test_reopen_a_closed_ticket(staff, make_ticket, events_of):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    with clock.at(at(1)):
        tickets.resolve(tid, ia, version=1)
    with clock.at(at(2)):
        tickets.close(tid, ia, version=2, reason="   ")  # a blank reason is no reason
    t = fresh(tid)
    assert (t.status, t.resolved_at, t.closed_at) == ("closed", at(1), at(2))
    with clock.at(at(3)):
        tickets.reopen(tid, ia, version=3, reason="Customer called back.")
    t = fresh(tid)
    assert (t.status, t.resolved_at, t.closed_at, t.version, t.updated_at) == (
        "open",
        None,
        None,
        4,
        at(3),
    )
    assert events_of(tid)[1:] == [
        ("status", ia.id, ia.name, "new", "resolved", None),
        ("status", ia.id, ia.name, "resolved", "closed", None),
        ("status", ia.id, ia.name, "closed", "open", "Customer called back."),
    ]
    # Reopening an open ticket is refused and writes nothing.
    with pytest.raises(ValidationError) as refused:
        tickets.reopen(tid, ia, version=4)
    assert "status" in refused.value.errors
    assert fresh(tid).version == 4


def test_reopen_a_resolved_ticket_via_reopen(staff, make_ticket):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    tickets.resolve(tid, ia, version=1)
    tickets.reopen(tid, ia, version=2)
    t = fresh(tid)
    assert (t.status, t.resolved_at, t.version) == ("open", None, 3)


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("open", "new"),
        ("open", "open"),
        ("resolved", "pending"),
        ("resolved", "resolved"),
        ("closed", "resolved"),
        ("closed", "pending"),
        ("closed", "closed"),
    ],
)
def test_forbidden_status_moves_write_nothing(staff, make_ticket, ticket_row, start, target):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    path = {"open": ["open"], "resolved": ["resolved"], "closed": ["resolved", "closed"]}[start]
    for version, status in enumerate(path, start=1):
        tickets.set_status(tid, ia, status, version=version)
    before = ticket_row(tid)
    with pytest.raises(ValidationError) as refused:
        tickets.set_status(tid, ia, target, version=before["version"])
    assert list(refused.value.errors) == ["status"]
    assert ticket_row(tid) == before


def test_reply_cannot_smuggle_a_forbidden_status(staff, make_ticket, ticket_row):
    """``reply(status=...)`` obeys the same transition table as ``set_status``."""
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    tickets.assign(tid, ia, ia.id, version=1)
    before = ticket_row(tid)
    with pytest.raises(ValidationError) as refused:
        tickets.reply(tid, ia, "Back to the start", version=2, status="new")
    assert list(refused.value.errors) == ["status"]
    assert ticket_row(tid) == before
    tickets.resolve(tid, ia, version=2)
    before = ticket_row(tid)
    with pytest.raises(ValidationError):
        tickets.reply(tid, ia, "Waiting for you", version=3, status="pending")
    assert ticket_row(tid) == before
    # An allowed move through reply works: resolved -> open.
    tickets.reply(tid, ia, "Let us try again", version=3, status="open")
    assert fresh(tid).status == "open"


# --------------------------------------------------------------------------
# Routing off the graph
# --------------------------------------------------------------------------


def test_disallowed_route_is_refused_and_changes_nothing(staff, make_ticket, ticket_row):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    tickets.assign(tid, ia, ia.id, version=1)
    db.session.expire_all()
    before = ticket_row(tid)

    with pytest.raises(ValidationError) as refused:
        tickets.route(tid, ia, "claims", version=2, reason="Wants money back")

    assert list(refused.value.errors) == ["department"]
    message = str(refused.value)
    for name in ("Intake", "Claims", "Sales", "General affairs", "Key accounts"):
        assert name in message
    for name in ("Follow-up", "After-sales service", "Information", "Training"):
        assert name not in message
    db.session.expire_all()
    after = ticket_row(tid)
    assert after == before
    assert (after["department_id"], after["version"], after["assignee_id"]) == (
        before["department_id"],
        2,
        ia.id,
    )
    t = fresh(tid)
    assert (t.department.code, t.version, t.assignee_id) == ("intake", 2, ia.id)


def test_route_to_own_department_is_refused(staff, make_ticket, ticket_row):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    before = ticket_row(tid)
    with pytest.raises(ValidationError) as refused:
        tickets.route(tid, ia, "intake", version=1)
    assert list(refused.value.errors) == ["department"]
    assert ticket_row(tid) == before


def test_supervisor_may_route_off_the_graph(make_user, make_ticket, events_of):
    supervisor = make_user(role=Role.SUPERVISOR, departments=("intake",))
    tid = make_ticket().ticket.id
    tickets.route(tid, supervisor, "claims", version=1, reason="Key customer, fast track")
    t = fresh(tid)
    assert (t.department.code, t.version) == ("claims", 2)
    assert events_of(tid)[-1] == (
        "routed",
        supervisor.id,
        supervisor.name,
        "intake",
        "claims",
        "Key customer, fast track",
    )


def test_agent_may_not_route_off_the_graph_but_may_on_it(staff, make_ticket, ticket_row):
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    for target in ("claims", "after_sales", "follow_up", "information", "training"):
        before = ticket_row(tid)
        with pytest.raises(ValidationError):
            tickets.route(tid, ia, target, version=1)
        assert ticket_row(tid) == before
    tickets.route(tid, ia, "general_affairs", version=1)
    assert fresh(tid).department.code == "general_affairs"


def test_supervisor_of_another_department_may_not_route(make_user, make_ticket, ticket_row):
    from servicedesk.services.errors import NotFound

    supervisor = make_user(role=Role.SUPERVISOR, departments=("claims",))
    tid = make_ticket().ticket.id
    before = ticket_row(tid)
    with pytest.raises(NotFound):
        tickets.route(tid, supervisor, "claims", version=1)
    assert ticket_row(tid) == before


def test_services_work_outside_a_request(staff, make_ticket, ticket_row):
    """As in a `flask` CLI command or a background job: an app context, no request."""
    import flask

    assert not flask.has_request_context()
    ia = staff["intake"]
    tid = make_ticket().ticket.id
    with pytest.raises(ValidationError) as refused:
        tickets.route(tid, ia, "claims", version=1)
    assert "Allowed: Sales, General affairs, Key accounts." in str(refused.value)
    tickets.route(tid, ia, "sales", version=1, reason="Order question")
    assert ticket_row(tid)["version"] == 2
