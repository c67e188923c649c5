"""Two scans racing over the same tickets: every escalation happens exactly once.

Two runners, each a thread with its own app context (so its own session and
database connection), as two workers would be. A barrier starts them
together, and a second one holds both until each has its list of candidates,
so both go for the very same tickets at the same moment. On PostgreSQL they
truly overlap; on SQLite their writes serialise, and the result must be the
same.
"""

from __future__ import annotations

import threading

import pytest
from escalation_helpers import shanghai
from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Priority
from servicedesk.services import tickets
from servicedesk_plugins.escalation import scan
from servicedesk_plugins.escalation.models import EscalationRecord

CREATED = shanghai(2026, 11, 23, 9)
RUNNERS = 2
TICKETS = 5
ESCALATE_ONE = scan._escalate


def race(app, moment, monkeypatch):
    """Run the scan in RUNNERS threads at once; their results."""
    start = threading.Barrier(RUNNERS)
    claim = threading.Barrier(RUNNERS)
    waited = threading.local()

    def claim_together(ticket_id, level, now):
        # Every runner has read its candidates before any of them claims one.
        if not getattr(waited, "done", False):
            waited.done = True
            claim.wait(timeout=30)
        return ESCALATE_ONE(ticket_id, level, now)

    monkeypatch.setattr(scan, "_escalate", claim_together)
    results, errors = [], []

    def runner():
        try:
            with app.app_context(), clock.at(moment):
                start.wait(timeout=30)
                results.append(scan.run(app))
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    return results


@pytest.mark.parametrize(
    ("moment", "level", "priority"),
    [
        (shanghai(2026, 11, 23, 15, 24), "warning", Priority.NORMAL),
        (shanghai(2026, 11, 23, 17), "breach", Priority.HIGH),
    ],
)
def test_concurrent_scans_escalate_each_ticket_exactly_once(
    app, sla, make_ticket, make_user, observe, monkeypatch, moment, level, priority
):
    supervisor = make_user(role="supervisor", departments=("intake",))
    agent = make_user(role="agent", departments=("intake",))
    ids = []
    with clock.at(CREATED):
        for _ in range(TICKETS):
            ticket = make_ticket(kind="enquiry").ticket
            tickets.assign(ticket.id, supervisor, agent.id, version=None)
            ids.append(ticket.id)

    results = race(app, moment, monkeypatch)

    # Each ticket escalated by exactly one runner; the other lost every race.
    done = [ticket_id for result in results for ticket_id in result.escalated[level]]
    assert sorted(done) == sorted(ids)
    assert sum(result.skipped for result in results) == TICKETS * (RUNNERS - 1)
    for ticket_id in ids:
        assert observe.escalations(ticket_id) == [(level, "system")]
        assert observe.ticket(ticket_id).priority == priority
        assert len(observe.events(ticket_id, "priority")) == (level == "breach")
        assert observe.mails(ticket_id) == sorted([agent.email, supervisor.email])
    count = db.session.scalar(select(func.count()).select_from(EscalationRecord))
    assert count == TICKETS

    # And the next minute's scans, racing again, find nothing left to do.
    later = race(app, moment.replace(minute=moment.minute + 1), monkeypatch)
    assert [r.escalated[level] for r in later] == [[]] * RUNNERS
