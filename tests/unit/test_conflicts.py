"""Two people change one ticket: the second is told, and nothing of theirs is written.

Two paths lead to ``Conflict``:

* the version the caller saw (``version=``) is older than the loaded ticket's;
* the session's copy of the ticket is itself stale (another session committed
  after it was loaded), so SQLAlchemy's ``version_id_col`` UPDATE matches no
  row and raises ``StaleDataError``, which the service turns into ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, event

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Priority, Ticket, User
from servicedesk.services import tickets
from servicedesk.services.errors import Conflict, NotFound

T1 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
T2 = datetime(2026, 5, 4, 8, 5, tzinfo=UTC)


@pytest.fixture
def agents(make_user):
    return (
        make_user(departments=("intake",), name="Agent A"),
        make_user(departments=("intake",), name="Agent B"),
    )


@contextmanager
def other_session(app):
    """A second request: its own app context, so its own SQLAlchemy session."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def ticket_updates(app):
    """The UPDATE statements sent for the tickets table, as they are sent."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE TICKETS"):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield sent
    event.remove(db.engine, "before_cursor_execute", record)


# What the second agent tries, given (ticket id, actor, version they saw).
SECOND_WRITES: dict[str, Callable] = {
    "reply": lambda tid, who, v: tickets.reply(tid, who, "My answer", version=v),
    "add_note": lambda tid, who, v: tickets.add_note(tid, who, "My note", version=v),
    "route": lambda tid, who, v: tickets.route(tid, who, "general_affairs", version=v),
    "assign": lambda tid, who, v: tickets.assign(tid, who, who.id, version=v),
    "set_status": lambda tid, who, v: tickets.set_status(tid, who, "pending", version=v),
    "set_priority": lambda tid, who, v: tickets.set_priority(tid, who, "urgent", version=v),
    "resolve": lambda tid, who, v: tickets.resolve(tid, who, version=v, reason="Done"),
    "close": lambda tid, who, v: tickets.close(tid, who, version=v),
}


@pytest.mark.parametrize("second", SECOND_WRITES)
def test_second_writer_with_an_old_version_gets_conflict(
    second, agents, make_ticket, ticket_row, events_of, session_clean, ticket_updates
):
    a, b = agents
    new = make_ticket()
    tid = new.ticket.id
    seen_by_a = seen_by_b = tickets.get_ticket(tid, b).version
    assert seen_by_a == 1

    with clock.at(T1):
        tickets.set_priority(tid, a, "high", version=seen_by_a, reason="Production line down")
    after_first = ticket_row(tid)
    trail = events_of(tid)

    ticket_updates.clear()
    with clock.at(T2), pytest.raises(Conflict) as conflict:
        SECOND_WRITES[second](tid, b, seen_by_b)

    assert ticket_updates == []  # refused before any write was tried
    assert conflict.value.current_version == 2
    assert new.ticket.reference in str(conflict.value)
    # The first change is all there; the second wrote nothing.
    assert ticket_row(tid) == after_first
    assert after_first["priority"] == Priority.HIGH
    assert after_first["version"] == 2
    assert after_first["updated_at"].replace(tzinfo=UTC) == T1
    assert after_first["messages"] == 1
    assert events_of(tid) == trail
    assert trail[-1] == ("priority", a.id, "Agent A", "normal", "high", "Production line down")
    session_clean()

    # With the version the conflict reported, the second agent succeeds.
    SECOND_WRITES[second](tid, b, conflict.value.current_version)
    assert ticket_row(tid)["version"] == 3


def test_reopen_with_an_old_version_gets_conflict(agents, make_ticket, ticket_row):
    a, b = agents
    tid = make_ticket().ticket.id
    tickets.resolve(tid, a, version=1)
    tickets.set_priority(tid, a, "low", version=2)
    before = ticket_row(tid)
    with pytest.raises(Conflict):
        tickets.reopen(tid, b, version=2)
    assert ticket_row(tid) == before


@pytest.mark.parametrize("second", SECOND_WRITES)
@pytest.mark.parametrize("passes_version", [True, False], ids=["version-seen", "no-version"])
def test_stale_session_state_is_caught_by_the_version_column(
    second,
    passes_version,
    app,
    agents,
    make_ticket,
    ticket_row,
    events_of,
    session_clean,
    ticket_updates,
):
    """B loaded the ticket; A commits through another session; B's write must fail.

    B passes the version it saw, which still matches B's (stale) copy, or no
    version at all: only the ``UPDATE ... WHERE version = 1`` can notice.
    """
    a, b = agents
    tid = make_ticket().ticket.id
    # B's session now holds version 1 (kept referenced: the identity map is weak).
    ticket_b = tickets.get_ticket(tid, b)
    assert ticket_b.version == 1

    with other_session(app), clock.at(T1):
        a_there = db.session.get(User, a.id)
        tickets.set_priority(tid, a_there, "high", version=1, reason="Line down")
    after_first = ticket_row(tid)
    trail = events_of(tid)
    assert after_first["version"] == 2

    # B's session was not told: its copy still says version 1.
    assert tickets.get_ticket(tid, b).version == 1

    ticket_updates.clear()
    with clock.at(T2), pytest.raises(Conflict) as conflict:
        SECOND_WRITES[second](tid, b, 1 if passes_version else None)

    # The service let the write through to the database, where the
    # "AND version = 1" clause matched no row (StaleDataError -> Conflict).
    assert len(ticket_updates) == 1
    assert "version" in ticket_updates[0].split("WHERE", 1)[1]
    assert conflict.value.current_version == 2
    assert ticket_row(tid) == after_first
    assert events_of(tid) == trail
    assert trail[-1] == ("priority", a.id, "Agent A", "normal", "high", "Line down")
    session_clean()
    # B's session now holds the fresh ticket.
    assert db.session.get(Ticket, tid).version == 2


def test_customer_message_racing_a_staff_change_is_a_conflict(app, agents, make_ticket, ticket_row):
    """The race hits even when the caller passes no version (customer messages)."""
    a, _ = agents
    new = make_ticket()
    tid = new.ticket.id
    _, customer = tickets.open_with_token(new.token)
    held = db.session.get(Ticket, tid)  # loaded into this session, and kept
    assert held.status == "new"

    with other_session(app):
        tickets.resolve(tid, db.session.get(User, a.id), version=1)
    before = ticket_row(tid)

    with pytest.raises(Conflict):
        tickets.add_customer_message(tid, customer, "Are you there?")
    assert ticket_row(tid) == before

    # Tried again (a new request), the message lands and reopens the ticket.
    db.session.expire_all()
    tickets.add_customer_message(tid, customer, "Are you there?")
    after = ticket_row(tid)
    assert (after["status"], after["messages"], after["version"]) == ("open", 2, 3)


def test_ticket_deleted_under_a_writer_is_not_found(app, agents, make_ticket, session_clean):
    a, _ = agents
    tid = make_ticket().ticket.id
    held = tickets.get_ticket(tid, a)  # kept referenced: the identity map is weak
    assert held.version == 1
    with db.engine.begin() as connection:
        connection.execute(delete(Ticket.__table__).where(Ticket.__table__.c.id == tid))
    with pytest.raises(NotFound):
        tickets.add_note(tid, a, "Anyone?", version=1)
    session_clean()


def test_create_race_for_one_new_address_reuses_the_winners_contact(
    make_ticket, monkeypatch, counts
):
    """Two first requests from one address: the loser reuses the winner's contact."""
    from servicedesk.services import customers

    real_insert = customers._insert_contact

    def winner_first(email, **fields):
        # Another request inserts the same address between our SELECT and INSERT.
        contacts = db.metadata.tables["contacts"]
        with db.engine.begin() as connection:
            connection.execute(
                contacts.insert().values(email=email, name="The winner", created_at=clock.now())
            )
        return real_insert(email, **fields)

    monkeypatch.setattr(customers, "_insert_contact", winner_first)
    ticket = make_ticket(email="race@plant.example.com", name="The loser").ticket
    db.session.expire_all()
    assert ticket.contact.email == "race@plant.example.com"
    assert ticket.contact.name == "The winner"
    assert counts()["contacts"] == 1


def test_reopen_from_a_stale_page_is_a_conflict_not_a_status_error(agents, make_ticket, ticket_row):
    """A saw the ticket resolved (v2); B reopened it meanwhile. A's reopen is a conflict."""
    a, b = agents
    tid = make_ticket().ticket.id
    tickets.resolve(tid, a, version=1)
    tickets.reopen(tid, b, version=2)
    before = ticket_row(tid)
    with pytest.raises(Conflict) as conflict:
        tickets.reopen(tid, a, version=2)
    assert conflict.value.current_version == 3
    assert ticket_row(tid) == before
