"""``demo_data``: the demo's history escalated as the scan would have, plus one by hand."""

from __future__ import annotations

import re

import pytest
from escalation_helpers import shanghai
from sqlalchemy import select

import servicedesk_plugins.escalation as escalation
from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import OutboxMessage, Priority, TicketEvent
from servicedesk.services import tickets
from servicedesk_plugins.escalation import demo

# Ordinary enquiries filed Monday 09:00 have 8 business hours to the first
# response: at risk at 15:24, breached at 17:00. The scan runs every minute.
CREATED = shanghai(2026, 11, 23, 9)
WARNED = shanghai(2026, 11, 23, 15, 25)
BREACHED = shanghai(2026, 11, 23, 17, 1)
# The demo's present.
NOW = shanghai(2026, 11, 25, 12)


@pytest.fixture
def history(sla, make_ticket, make_user):
    """Monday's tickets, left in the state the demo's history leaves them."""
    supervisor = make_user(role="supervisor", departments=("intake",), name="Sun Hao")
    agent = make_user(role="agent", departments=("intake",))
    with clock.at(CREATED):
        quiet = make_ticket(kind="enquiry", subject="Quote for 40 bearings").ticket
        noted = make_ticket(kind="enquiry", subject="Spare belt for the PX-200").ticket
        busy = make_ticket(kind="enquiry", subject="Where is my invoice?").ticket
        complaint = make_ticket(
            kind="complaint", subject="Wrong model delivered", company="Steel Works Ltd"
        ).ticket
    # Someone looked at one ticket after its warning, at another after its breach.
    with clock.at(shanghai(2026, 11, 23, 16)):
        tickets.add_note(noted.id, agent, "Asked the warehouse.", version=None)
    with clock.at(shanghai(2026, 11, 24, 10)):
        tickets.add_note(busy.id, agent, "Finance is looking for it.", version=None)
    # Filed this morning: its targets are still ahead.
    with clock.at(shanghai(2026, 11, 25, 9)):
        fresh = make_ticket(kind="enquiry", subject="Opening hours at Easter").ticket
    found = {"quiet": quiet, "noted": noted, "busy": busy, "complaint": complaint, "fresh": fresh}
    return supervisor, found


def trail(ticket_id):
    """The ticket's escalations as the audit trail shows them: (level, who, when)."""
    db.session.expire_all()
    events = db.session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "escalated")
        .order_by(TicketEvent.id)
    )
    return [(e.new_value, e.actor_label, e.created_at) for e in events]


def test_the_demo_history_is_escalated_when_the_scan_would_have(history, observe):
    supervisor, found = history

    done = escalation.demo_data(now=NOW)
    assert done is None  # the hook returns nothing; the records are committed

    # Untouched since it was filed: warned at 15:25 and escalated at breach at
    # 17:01, its priority raised then, and its people mailed then.
    assert trail(found["quiet"].id) == [
        ("warning", "system", WARNED),
        ("breach", "system", BREACHED),
    ]
    (raised,) = observe.events(found["quiet"].id, "priority")
    assert (raised.old_value, raised.new_value, raised.created_at) == ("normal", "high", BREACHED)
    assert observe.ticket(found["quiet"].id).priority == Priority.HIGH
    mailed = db.session.scalars(
        select(OutboxMessage.created_at).where(
            OutboxMessage.ticket_id == found["quiet"].id, OutboxMessage.kind == "escalation"
        )
    )
    assert set(mailed) == {WARNED, BREACHED}

    # A note at 16:00 came after the warning would have: the warning cannot go
    # before it, and a breach makes it moot; the breach is replayed at 17:01.
    assert trail(found["noted"].id) == [("breach", "system", BREACHED)]
    # Worked on after its breach: left to the scan at the demo's present.
    assert trail(found["busy"].id) == [("breach", "system", NOW)]
    assert trail(found["fresh"].id) == []

    # The supervisor pushed the complaint by hand on Tuesday morning, in
    # office hours after the scan's breach mail.
    complaint = trail(found["complaint"].id)
    assert complaint == [
        ("warning", "system", WARNED),
        ("breach", "system", BREACHED),
        ("manual", "Sun Hao", shanghai(2026, 11, 24, 9, 30)),
    ]
    (manual,) = [e for e in observe.events(found["complaint"].id, "escalated") if e.actor_id]
    assert manual.actor_id == supervisor.id
    assert manual.detail.startswith("Steel Works Ltd called me about this complaint")
    assert "still open after 1 day." in manual.detail

    # Every audit trail still reads in time order.
    for ticket in found.values():
        events = db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
        moments = [e.created_at for e in events]
        assert moments == sorted(moments), ticket.subject


def test_supervisors_see_the_demo_escalations_on_their_list(history, client, auth):
    supervisor, found = history
    escalation.demo_data(now=NOW)

    auth.login(supervisor)
    with clock.at(NOW):
        page = client.get("/escalation/").get_data(as_text=True)

    listed = re.findall(r'<tr data-ticket="([^"]+)"', page)
    # The latest escalation first: the present's scan, then the supervisor's.
    assert listed[:2] == [found["busy"].reference, found["complaint"].reference]
    assert set(listed) == {found[k].reference for k in ("quiet", "noted", "busy", "complaint")}
    assert "SLA breach" in page and "By hand" in page
    assert "SLA breached: the first response was due 2026-11-23 17:00" in page
    assert "Steel Works Ltd called me about this complaint" in page


def test_load_tells_what_was_replayed_and_what_waited_for_the_present(history):
    _supervisor, found = history

    done = demo.load(NOW)

    # In time order across tickets; at the same minute, by ticket.
    assert done.replayed == {
        "warning": [found["quiet"].id, found["complaint"].id],
        "breach": [found["quiet"].id, found["noted"].id, found["complaint"].id],
    }
    assert done.at_present == {"warning": [], "breach": [found["busy"].id]}
    assert done.by_hand == [found["complaint"].id]
