"""The lifecycle seam: plugins hear every ticket event, after it is committed,
and a failing plugin never undoes the change or breaks the caller."""

from __future__ import annotations

from typing import Any

import pytest
from flask import current_app
from sqlalchemy import func, select, text

import servicedesk
from servicedesk.extensions import db
from servicedesk.models import Ticket
from servicedesk.services import tickets
from servicedesk.services.errors import Conflict, ValidationError
from servicedesk.services.tickets import NewTicket
from servicedesk.state import app_state


class Recorder:
    """Notes each event it is told about, and whether it was committed by then."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, ...]] = []

    @servicedesk.hookimpl
    def ticket_event(self, ticket: Any, actor: Any, event: Any) -> None:
        events = db.metadata.tables["ticket_events"]
        # Another connection only sees committed rows.
        with db.engine.connect() as connection:
            committed = connection.scalar(
                select(func.count()).select_from(events).where(events.c.id == event.id)
            )
        self.seen.append(
            (ticket.id, event.kind, event.old_value, event.new_value, actor, committed == 1)
        )


class Broken:
    """A plugin with a bug."""

    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    @servicedesk.hookimpl
    def ticket_event(self, event: Any) -> None:
        self.calls += 1
        raise RuntimeError(f"plugin bug on {event.kind}")


class BadQuery:
    """A plugin whose database work fails (on PostgreSQL this aborts the transaction)."""

    def __init__(self) -> None:
        self.calls = 0

    @servicedesk.hookimpl
    def ticket_event(self, ticket: Any) -> None:
        self.calls += 1
        db.session.execute(text("SELECT * FROM no_such_table"))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def broken() -> Broken:
    return Broken()


@pytest.fixture
def bad_query() -> BadQuery:
    return BadQuery()


@pytest.fixture
def plugin_order() -> tuple[str, ...]:
    """Which plugins the app gets, in registration (and calling) order."""
    return ("broken", "recorder")


@pytest.fixture
def app_plugins(plugin_order, broken, bad_query, recorder) -> list[object]:
    available = {"broken": broken, "bad_query": bad_query, "recorder": recorder}
    return [available[name] for name in plugin_order]


def test_plugins_hear_every_event_after_commit(broken, recorder, make_user, make_ticket, events_of):
    """``broken`` is called first and raises every time: the recorder still hears all."""
    agent = make_user(departments=("intake",))
    new = make_ticket()
    tid = new.ticket.id
    _, customer = tickets.open_with_token(new.token)
    tickets.assign(tid, agent, agent.id, version=1)
    tickets.reply(tid, agent, "We are on it.", version=2, status="pending")
    tickets.add_customer_message(tid, customer, "Thanks, any news?")
    tickets.set_priority(tid, agent, "high", version=4)
    tickets.add_note(tid, agent, "Checked stock.", version=5)
    tickets.route(tid, agent, "sales", version=6, reason="Needs a quote")

    everything = events_of(tid)
    trail = [row for row in everything if row[0] != "plugin_error"]
    failures = [row for row in everything if row[0] == "plugin_error"]
    heard = [(kind, old, new) for (_, kind, old, new, _, _) in recorder.seen]
    assert heard == [(kind, old, new) for (kind, _, _, old, new, _) in trail]
    assert [kind for kind, _, _ in heard] == [
        "created",
        "assigned",
        "status",
        "replied",
        "status",
        "customer_replied",
        "status",
        "priority",
        "noted",
        "routed",
        "assigned",
    ]
    assert broken.calls == len(trail) == 11
    # Each failure is on the audit trail, naming the plugin and the hook.
    assert len(failures) == 11
    assert {(label, new) for (_, _, label, _, new, _) in failures} == {("broken", "ticket_event")}
    assert all(seen[0] == tid for seen in recorder.seen)
    assert all(committed for *_, committed in recorder.seen), "told before the commit"
    actors = [seen[4] for seen in recorder.seen]
    assert actors[0] is None  # the public form
    assert actors[1] is agent
    assert actors[5] == actors[6] == customer


def test_refused_changes_are_not_announced(recorder, make_user, make_ticket):
    agent = make_user(departments=("intake",))
    tid = make_ticket().ticket.id
    recorder.seen.clear()
    with pytest.raises(ValidationError):
        tickets.route(tid, agent, "claims", version=1)
    with pytest.raises(Conflict):
        tickets.add_note(tid, agent, "Late", version=7)
    assert recorder.seen == []


@pytest.mark.parametrize(
    "plugin_order", [("broken", "recorder"), ("recorder", "bad_query")], ids=["raises", "bad-sql"]
)
def test_a_failing_plugin_neither_undoes_the_change_nor_breaks_the_call(
    plugin_order, broken, bad_query, recorder, make_user, make_ticket, counts, ticket_row
):
    failing = broken if "broken" in plugin_order else bad_query
    new = make_ticket(subject="Valve leaks")
    assert isinstance(new, NewTicket)
    assert failing.calls == 1
    assert counts()["tickets"] == 1
    assert ticket_row(new.ticket.id)["subject"] == "Valve leaks"
    assert new.ticket.reference.startswith("SD-")
    assert len(new.token) >= 20

    # The session is still usable (on PostgreSQL the failed query aborted its
    # transaction): the next calls work and are announced too.
    agent = make_user(departments=("intake",))
    tickets.assign(new.ticket.id, agent, agent.id, version=1)
    tickets.resolve(new.ticket.id, agent, version=2)
    assert ticket_row(new.ticket.id)["status"] == "resolved"
    assert failing.calls == 4
    assert [seen[1] for seen in recorder.seen] == ["created", "assigned", "status", "status"]
    db.session.expire_all()
    assert db.session.get(Ticket, new.ticket.id).status == "resolved"


def test_a_plugin_cannot_sneak_changes_into_the_next_commit(make_user, make_ticket):
    """Uncommitted changes a hook leaves behind are dropped, not written by the next call."""

    class Meddler:
        @servicedesk.hookimpl
        def ticket_event(self, ticket: Any) -> None:
            ticket.subject = "changed by a plugin"

    app_state(current_app).plugin_manager.register(Meddler())
    agent = make_user(departments=("intake",))
    tid = make_ticket(subject="Original").ticket.id
    tickets.add_note(tid, agent, "A note", version=1)
    db.session.expire_all()
    assert db.session.get(Ticket, tid).subject == "Original"


@pytest.mark.parametrize("plugin_order", [("bad_query", "recorder")])
def test_a_plugin_after_a_failing_query_still_hears_the_event(
    plugin_order, bad_query, recorder, make_ticket
):
    make_ticket()
    assert bad_query.calls == 1
    assert [seen[1] for seen in recorder.seen] == ["created"]
