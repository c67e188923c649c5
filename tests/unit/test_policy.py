"""Who may do what: ``servicedesk.policy`` as a table, then through the services."""

from __future__ import annotations

from typing import Any

import pytest

from servicedesk.models import Department, Role, Ticket, User
from servicedesk.policy import SYSTEM, Action, CustomerActor, actor_label, can, can_be_assigned
from servicedesk.services import tickets
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError

# --------------------------------------------------------------------------
# The decision table (no database: plain objects)
# --------------------------------------------------------------------------

INTAKE = Department(id=1, code="intake", name_en="Intake", name_zh="客户咨询部")
SALES = Department(id=2, code="sales", name_en="Sales", name_zh="销售部")
TICKET = Ticket(id=10, department_id=INTAKE.id)


def staff(role: str, *departments: Department, active: bool = True) -> User:
    return User(name=f"{role} user", role=role, active=active, departments=list(departments))


ACTORS: dict[str, Any] = {
    "admin": staff(Role.ADMIN),
    "supervisor, member": staff(Role.SUPERVISOR, INTAKE),
    "supervisor, other dept": staff(Role.SUPERVISOR, SALES),
    "agent, member": staff(Role.AGENT, INTAKE),
    "agent, two depts": staff(Role.AGENT, SALES, INTAKE),
    "agent, other dept": staff(Role.AGENT, SALES),
    "agent, no dept": staff(Role.AGENT),
    "inactive agent, member": staff(Role.AGENT, INTAKE, active=False),
    "inactive supervisor": staff(Role.SUPERVISOR, INTAKE, active=False),
    "inactive admin": staff(Role.ADMIN, active=False),
    "customer, own ticket": CustomerActor(ticket_id=TICKET.id, name="Wang Wei"),
    "customer, other ticket": CustomerActor(ticket_id=TICKET.id + 1),
    "anonymous": None,
    "system": SYSTEM,
}

COLUMNS = (
    Action.VIEW,
    Action.CUSTOMER_REPLY,
    Action.REPLY,
    Action.NOTE,
    Action.ASSIGN,
    Action.ROUTE,
    Action.ROUTE_OFF_GRAPH,
    Action.ASSIGN_ANYONE,
    Action.SET_STATUS,
    Action.SET_PRIORITY,
    Action.ESCALATE,
    Action.CREATE,
    Action.ADMINISTER,
)

# On a ticket in intake. Y = allowed, . = refused.
# Columns: view, customer_reply, reply, note, assign, route, route_off_graph,
# assign_anyone, set_status, set_priority, escalate, create, administer.
#                              vw  cr  rp  nt  as  ro  off any st  pr  esc new adm
ON_TICKET = {
    "admin":                  "Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    "supervisor, member":     "Y   .   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   .",
    "supervisor, other dept": ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, member":          "Y   .   Y   Y   Y   Y   .   .   Y   Y   Y   Y   .",
    "agent, two depts":       "Y   .   Y   Y   Y   Y   .   .   Y   Y   Y   Y   .",
    "agent, other dept":      ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, no dept":         ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "inactive agent, member": ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "inactive supervisor":    ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "inactive admin":         ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "customer, own ticket":   "Y   Y   .   .   .   .   .   .   .   .   .   .   .",
    "customer, other ticket": ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "anonymous":              ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "system":                 "Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
}  # fmt: skip

# Without a ticket (ticket=None): only creating and administering make sense.
#                              vw  cr  rp  nt  as  ro  off any st  pr  esc new adm
WITHOUT_TICKET = {
    "admin":                  "Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
    "supervisor, member":     ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "supervisor, other dept": ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, member":          ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, two depts":       ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, other dept":      ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "agent, no dept":         ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "inactive agent, member": ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "inactive supervisor":    ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "inactive admin":         ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "customer, own ticket":   ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "customer, other ticket": ".   .   .   .   .   .   .   .   .   .   .   .   .",
    "anonymous":              ".   .   .   .   .   .   .   .   .   .   .   Y   .",
    "system":                 "Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y   Y",
}  # fmt: skip


def _cells(table: dict[str, str], ticket: Ticket | None) -> list[Any]:
    cases = []
    for actor, row in table.items():
        marks = row.split()
        assert len(marks) == len(COLUMNS), actor
        for action, mark in zip(COLUMNS, marks, strict=True):
            cases.append(
                pytest.param(actor, action, ticket, mark == "Y", id=f"{actor} | {action.value}")
            )
    return cases


def test_the_table_covers_every_action_and_actor():
    assert set(COLUMNS) == set(Action)
    assert set(ON_TICKET) == set(ACTORS) == set(WITHOUT_TICKET)


@pytest.mark.parametrize(("actor", "action", "ticket", "allowed"), _cells(ON_TICKET, TICKET))
def test_can_on_a_ticket(actor, action, ticket, allowed):
    assert can(ACTORS[actor], action, ticket) is allowed


@pytest.mark.parametrize(("actor", "action", "ticket", "allowed"), _cells(WITHOUT_TICKET, None))
def test_can_without_a_ticket(actor, action, ticket, allowed):
    assert can(ACTORS[actor], action, ticket) is allowed


MEMBER = staff(Role.AGENT, INTAKE)
MEMBER_OF_TWO = staff(Role.AGENT, SALES, INTAKE)
OUTSIDER = staff(Role.AGENT, SALES)
INACTIVE_MEMBER = staff(Role.AGENT, INTAKE, active=False)

# Who may give the intake ticket to whom.
#  actor                     member  two-depts  outsider  inactive member
ASSIGNMENTS = {
    "agent, member":          ("Y",    "Y",       ".",      "."),
    "supervisor, member":     ("Y",    "Y",       "Y",      "."),
    "supervisor, other dept": ("Y",    "Y",       ".",      "."),
    "admin":                  ("Y",    "Y",       "Y",      "."),
    "system":                 ("Y",    "Y",       "Y",      "."),
    "inactive supervisor":    ("Y",    "Y",       ".",      "."),
}  # fmt: skip
ASSIGNEES = {
    "member": MEMBER,
    "two-depts": MEMBER_OF_TWO,
    "outsider": OUTSIDER,
    "inactive member": INACTIVE_MEMBER,
}


@pytest.mark.parametrize(
    ("actor", "assignee", "allowed"),
    [
        pytest.param(actor, assignee, mark == "Y", id=f"{actor} -> {assignee}")
        for actor, marks in ASSIGNMENTS.items()
        for assignee, mark in zip(ASSIGNEES, marks, strict=True)
    ],
)
def test_can_be_assigned(actor, assignee, allowed):
    """Only who may be given the ticket; whether the actor may assign at all is ``can``."""
    assert can_be_assigned(ACTORS[actor], TICKET, ASSIGNEES[assignee]) is allowed


@pytest.mark.parametrize(
    ("actor", "label"),
    [
        (staff(Role.AGENT), "agent user"),
        (CustomerActor(ticket_id=1, name="Wang Wei"), "Wang Wei"),
        (CustomerActor(ticket_id=1), "customer"),
        (None, "customer"),
        (SYSTEM, "system"),
    ],
)
def test_actor_label(actor, label):
    assert actor_label(actor) == label


# --------------------------------------------------------------------------
# The same rules, enforced by the services (with the database)
# --------------------------------------------------------------------------

CALLS = {
    "get_ticket": lambda tid, who: tickets.get_ticket(tid, who),
    "add_customer_message": lambda tid, who: tickets.add_customer_message(tid, who, "Hello"),
    "reply": lambda tid, who: tickets.reply(tid, who, "Hello", version=1),
    "add_note": lambda tid, who: tickets.add_note(tid, who, "Note", version=1),
    "route": lambda tid, who: tickets.route(tid, who, "sales", version=1),
    "assign": lambda tid, who: tickets.assign(tid, who, None, version=1),
    "set_status": lambda tid, who: tickets.set_status(tid, who, "pending", version=1),
    "set_priority": lambda tid, who: tickets.set_priority(tid, who, "high", version=1),
    "resolve": lambda tid, who: tickets.resolve(tid, who, version=1),
    "reopen": lambda tid, who: tickets.reopen(tid, who, version=1),
    "close": lambda tid, who: tickets.close(tid, who, version=1),
}

# What each kind of outsider gets: NotFound when it may not even see the
# ticket (so ids cannot be probed), PermissionDenied when it may see but not act.
OUTSIDERS = {
    "agent of another department": NotFound,
    "supervisor of another department": NotFound,
    "inactive member": NotFound,
    "customer of another ticket": NotFound,
    "anonymous": NotFound,
}
STAFF_ONLY = [c for c in CALLS if c not in ("get_ticket", "add_customer_message")]


@pytest.fixture
def people(make_user, make_ticket):
    mine = make_ticket()
    other = make_ticket()
    inactive = make_user(departments=("intake",))
    inactive.active = False
    from servicedesk.extensions import db

    db.session.commit()
    _, own_customer = tickets.open_with_token(mine.token)
    _, other_customer = tickets.open_with_token(other.token)
    return {
        "ticket_id": mine.ticket.id,
        "agent of another department": make_user(departments=("sales",)),
        "supervisor of another department": make_user(
            role=Role.SUPERVISOR, departments=("sales", "claims")
        ),
        "inactive member": inactive,
        "customer of another ticket": other_customer,
        "anonymous": None,
        "customer": own_customer,
        "member": make_user(departments=("intake",)),
    }


def _refused_without_writes(people, counts, ticket_row, call, who, error):
    tid = people["ticket_id"]
    before, row = counts(), ticket_row(tid)
    with pytest.raises(error) as info:
        CALLS[call](tid, who)
    assert type(info.value) is error
    assert counts() == before
    assert ticket_row(tid) == row


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_and_nothing_is_written(
    people, counts, ticket_row, session_clean, subtests, outsider
):
    for call in CALLS:
        with subtests.test(call=call):
            _refused_without_writes(
                people, counts, ticket_row, call, people[outsider], OUTSIDERS[outsider]
            )
            session_clean()


def test_customer_may_see_but_not_work_the_ticket(people, counts, ticket_row, subtests):
    for call in STAFF_ONLY:
        with subtests.test(call=call):
            _refused_without_writes(
                people, counts, ticket_row, call, people["customer"], PermissionDenied
            )


def test_member_may_not_write_as_the_customer(people, counts, ticket_row):
    _refused_without_writes(
        people, counts, ticket_row, "add_customer_message", people["member"], PermissionDenied
    )


def test_customer_sees_own_ticket_and_writes_to_it(people, ticket_row, events_of):
    tid = people["ticket_id"]
    assert tickets.get_ticket(tid, people["customer"]).id == tid
    tickets.add_customer_message(tid, people["customer"], "Any news?")
    assert ticket_row(tid)["messages"] == 2
    assert events_of(tid)[-1][0] == "customer_replied"


def test_customer_cannot_find_by_reference(people):
    ticket = tickets.get_ticket(people["ticket_id"], people["member"])
    with pytest.raises(NotFound):
        tickets.find_by_reference(ticket.reference, people["customer"])
    assert tickets.find_by_reference(ticket.reference.lower(), people["member"]).id == ticket.id
    with pytest.raises(NotFound):
        tickets.find_by_reference(ticket.reference, people["agent of another department"])


@pytest.mark.parametrize(
    "actor",
    ["inactive member", "customer", "customer of another ticket"],
)
def test_who_may_not_create_tickets(people, counts, actor, make_ticket):
    before = counts()
    with pytest.raises(PermissionDenied):
        make_ticket(actor=people[actor])
    assert counts() == before


def test_staff_records_a_phone_call_as_a_ticket(people, events_of):
    member = people["member"]
    new = tickets.create_ticket(
        subject="Caller asks for a quote",
        body="Quote for 20 pumps, model CP-9.",
        email="caller@plant.example.com",
        name="Caller",
        kind="sales",
        channel="phone",
        actor=member,
    )
    assert new.ticket.channel == "phone"
    assert new.ticket.messages[0].author_id == member.id
    assert events_of(new.ticket.id) == [("created", member.id, member.name, None, "intake", None)]


def test_system_acts_with_its_own_label(people, events_of):
    tid = people["ticket_id"]
    tickets.close(tid, SYSTEM, version=1, reason="No answer for 30 days.")
    assert events_of(tid)[-1] == (
        "status",
        None,
        "system",
        "new",
        "closed",
        "No answer for 30 days.",
    )


def test_assignment_rules_through_the_service(people, make_user, ticket_row):
    tid = people["ticket_id"]
    member = people["member"]
    outsider = people["agent of another department"]
    supervisor = make_user(role=Role.SUPERVISOR, departments=("intake",))
    before = ticket_row(tid)
    with pytest.raises(ValidationError) as refused:
        tickets.assign(tid, member, outsider.id, version=1)
    assert list(refused.value.errors) == ["assignee"]
    assert ticket_row(tid) == before
    tickets.assign(tid, supervisor, outsider.id, version=1)
    assert ticket_row(tid)["assignee_id"] == outsider.id
