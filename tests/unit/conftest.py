"""Helpers shared by the service-layer tests.

Row counts and ticket snapshots are read through a *separate* connection, so
they show what was committed, not what the test's own session holds.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from servicedesk.extensions import db

COUNTED_TABLES = (
    "tickets",
    "messages",
    "ticket_events",
    "contacts",
    "customers",
    "users",
    "memberships",
    "ticket_counters",
)


def committed_counts() -> dict[str, int]:
    """Rows per table as another connection sees them."""
    tables = db.metadata.tables
    with db.engine.connect() as connection:
        return {
            name: connection.scalar(select(func.count()).select_from(tables[name]))
            for name in COUNTED_TABLES
        }


def committed_ticket(ticket_id: int) -> dict[str, Any]:
    """The ticket row, its event count and message count, as committed."""
    tables = db.metadata.tables
    tickets, events, messages = tables["tickets"], tables["ticket_events"], tables["messages"]
    with db.engine.connect() as connection:
        row = connection.execute(select(tickets).where(tickets.c.id == ticket_id)).mappings().one()
        state = dict(row)
        state["events"] = connection.scalar(
            select(func.count()).select_from(events).where(events.c.ticket_id == ticket_id)
        )
        state["messages"] = connection.scalar(
            select(func.count()).select_from(messages).where(messages.c.ticket_id == ticket_id)
        )
    return state


def event_rows(ticket_id: int) -> list[tuple[Any, ...]]:
    """The committed audit trail, oldest first:
    (kind, actor_id, actor_label, old_value, new_value, detail) per event."""
    events = db.metadata.tables["ticket_events"]
    columns = ("kind", "actor_id", "actor_label", "old_value", "new_value", "detail")
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(*(events.c[name] for name in columns))
            .where(events.c.ticket_id == ticket_id)
            .order_by(events.c.id)
        )
        return [tuple(row) for row in rows]


def assert_session_clean() -> None:
    """Nothing is left pending that a later commit could write by accident."""
    assert not db.session.new, db.session.new
    assert not db.session.dirty, db.session.dirty
    assert not db.session.deleted, db.session.deleted


@pytest.fixture
def counts() -> Any:
    """``counts() -> {table: rows}`` as committed."""
    return committed_counts


@pytest.fixture
def ticket_row() -> Any:
    """``ticket_row(id) -> dict``: the committed ticket with ``events`` and ``messages``."""
    return committed_ticket


@pytest.fixture
def events_of() -> Any:
    """``events_of(id) -> [(kind, actor_id, actor_label, old, new, detail), ...]``."""
    return event_rows


@pytest.fixture
def session_clean() -> Any:
    """``session_clean()`` asserts the session holds no pending writes."""
    return assert_session_clean
