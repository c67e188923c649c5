"""The scheduled scan, as the people on the ticket see it: audit trail, mail, priority."""

from __future__ import annotations

from escalation_helpers import shanghai
from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.jobs import queue_of, run_job
from servicedesk.models import Priority, Status
from servicedesk.policy import SYSTEM
from servicedesk.services import tickets
from servicedesk_plugins.escalation import records, scan
from servicedesk_plugins.escalation.models import EscalationRecord

# An ordinary enquiry on Monday 09:00 has 8 business hours to its first
# response: at risk after 80% (15:24), breached at 17:00.
CREATED = shanghai(2026, 11, 23, 9)
WARN = shanghai(2026, 11, 23, 15, 24)
BREACH = shanghai(2026, 11, 23, 17)


def scan_at(moment):
    with clock.at(moment):
        return scan.run(None)


def enquiry_with_people(make_ticket, make_user):
    """An ordinary enquiry in intake, assigned to an agent, with a supervisor watching."""
    supervisor = make_user(role="supervisor", departments=("intake",))
    agent = make_user(role="agent", departments=("intake",))
    with clock.at(CREATED):
        ticket = make_ticket(kind="enquiry").ticket
        tickets.assign(ticket.id, supervisor, agent.id, version=None)
    return ticket.id, agent, supervisor


def test_the_warning_and_the_breach_each_escalate_once(sla, make_ticket, make_user, observe):
    ticket_id, agent, supervisor = enquiry_with_people(make_ticket, make_user)
    people = sorted([agent.email, supervisor.email])

    scan_at(shanghai(2026, 11, 23, 15, 23))
    assert observe.escalations(ticket_id) == []

    # 80% of the target: a warning to the assignee and the department's supervisor.
    scan_at(WARN)
    assert observe.escalations(ticket_id) == [("warning", "system")]
    assert observe.mails(ticket_id) == people
    assert observe.ticket(ticket_id).priority == Priority.NORMAL
    (warning,) = observe.events(ticket_id, "escalated")
    assert "80%" in warning.detail and "first response" in warning.detail

    # Later scans before the breach add nothing.
    scan_at(shanghai(2026, 11, 23, 15, 25))
    scan_at(shanghai(2026, 11, 23, 16, 59))
    assert observe.escalations(ticket_id) == [("warning", "system")]
    assert observe.mails(ticket_id) == people

    # The breach: escalated again, one step up in priority.
    scan_at(BREACH)
    assert observe.escalations(ticket_id) == [("warning", "system"), ("breach", "system")]
    assert observe.ticket(ticket_id).priority == Priority.HIGH
    (raised,) = observe.events(ticket_id, "priority")
    assert (raised.old_value, raised.new_value) == ("normal", "high")
    assert observe.mails(ticket_id) == sorted(people * 2)

    # A second and a third scan change nothing.
    version = observe.ticket(ticket_id).version
    scan_at(shanghai(2026, 11, 23, 17, 1))
    scan_at(shanghai(2026, 11, 24, 10))
    assert observe.escalations(ticket_id) == [("warning", "system"), ("breach", "system")]
    assert observe.ticket(ticket_id).priority == Priority.HIGH
    assert observe.ticket(ticket_id).version == version
    assert observe.mails(ticket_id) == sorted(people * 2)


def test_a_key_account_first_seen_breached_moves_to_key_accounts(
    sla, key_account, make_ticket, make_user, observe
):
    intake_supervisor = make_user(role="supervisor", departments=("intake",))
    key_supervisor = make_user(role="supervisor", departments=("key_accounts",))
    # A key-account complaint starts urgent, with one hour to the first response.
    with clock.at(shanghai(2026, 11, 23, 10)):
        ticket = make_ticket(email=key_account, kind="complaint").ticket
    assert ticket.priority == Priority.URGENT
    assert ticket.department.code == "intake"

    # The worker was down through the warning: only the breach is escalated.
    scan_at(shanghai(2026, 11, 23, 11, 5))
    assert observe.escalations(ticket.id) == [("breach", "system")]
    fresh = observe.ticket(ticket.id)
    assert fresh.department.code == "key_accounts"
    assert fresh.priority == Priority.URGENT  # already the highest: never lowered
    (routed,) = observe.events(ticket.id, "routed")
    assert (routed.old_value, routed.new_value) == ("intake", "key_accounts")
    # The supervisors of both departments hear of it, once each.
    assert observe.mails(ticket.id) == sorted([intake_supervisor.email, key_supervisor.email])

    for moment in (shanghai(2026, 11, 23, 11, 6), shanghai(2026, 11, 23, 15)):
        scan_at(moment)
    assert observe.escalations(ticket.id) == [("breach", "system")]
    assert len(observe.events(ticket.id, "routed")) == 1


def test_a_key_account_enquiry_goes_up_to_urgent_and_over_to_key_accounts(
    sla, key_account, make_ticket, make_user, observe
):
    intake_supervisor = make_user(role="supervisor", departments=("intake",))
    key_supervisors = [make_user(role="supervisor", departments=("key_accounts",)) for _ in "ab"]
    # A key account's enquiry starts high: four business hours to the first response.
    with clock.at(shanghai(2026, 11, 23, 10)):
        ticket = make_ticket(email=key_account, kind="enquiry").ticket
    assert ticket.priority == Priority.HIGH

    scan_at(shanghai(2026, 11, 23, 13, 12))  # 80% of four hours
    assert observe.escalations(ticket.id) == [("warning", "system")]
    assert observe.mails(ticket.id) == [intake_supervisor.email]

    scan_at(shanghai(2026, 11, 23, 14))
    assert observe.escalations(ticket.id) == [("warning", "system"), ("breach", "system")]
    fresh = observe.ticket(ticket.id)
    assert (fresh.priority, fresh.department.code) == (Priority.URGENT, "key_accounts")
    everyone = [intake_supervisor.email, *(s.email for s in key_supervisors)]
    # Those responsible when the target was missed, and the department it went to.
    assert observe.mails(ticket.id) == sorted([intake_supervisor.email, *everyone])
    subjects = observe.subjects(ticket.id, key_supervisors[0].email)
    assert subjects == [f"Escalated: {ticket.subject}"]


def test_a_pending_ticket_waits_and_a_resolved_one_is_left_alone(
    sla, make_ticket, make_user, observe
):
    agent = make_user(role="agent", departments=("intake",))
    with clock.at(CREATED):
        waiting = make_ticket(kind="enquiry").ticket
        done = make_ticket(kind="enquiry").ticket
    with clock.at(shanghai(2026, 11, 23, 10)):
        tickets.reply(waiting.id, agent, "Which model?", version=None, status=Status.PENDING)
        tickets.resolve(done.id, agent, version=None)
    scan_at(BREACH)
    scan_at(shanghai(2026, 11, 30, 10))
    assert observe.escalations(waiting.id) == []
    assert observe.escalations(done.id) == []


def test_the_scan_is_a_scheduled_job_of_the_worker(app, sla, make_ticket, make_user, observe):
    ticket_id, _agent, _supervisor = enquiry_with_people(make_ticket, make_user)
    job = queue_of(app).jobs[scan.JOB_NAME]
    assert job.every.total_seconds() == 60
    with clock.at(WARN):
        assert run_job(app, job)
    assert observe.escalations(ticket_id) == [("warning", "system")]
    count = db.session.scalar(select(func.count()).select_from(EscalationRecord))
    assert count == 1


def test_escalations_made_elsewhere_are_recorded_once(sla, make_ticket, make_user, observe):
    ticket_id, _agent, supervisor = enquiry_with_people(make_ticket, make_user)
    # Another plugin, or the API, escalating through the service.
    with clock.at(shanghai(2026, 11, 23, 10)):
        tickets.escalate(ticket_id, supervisor, level="manual", reason="The director asked.")
    with clock.at(shanghai(2026, 11, 23, 10, 1)):
        tickets.escalate(ticket_id, SYSTEM, level="warning", reason="Another plugin's warning.")
        tickets.escalate(ticket_id, SYSTEM, level="warning", reason="And once more.")
    history = [(r.level, r.reason, r.actor_label) for r in records.history(ticket_id)]
    assert history == [
        ("warning", "Another plugin's warning.", "system"),
        ("manual", "The director asked.", supervisor.name),
    ]
    # The ticket was warned already: the scan does not warn it again.
    scan_at(WARN)
    assert [level for level, _actor in observe.escalations(ticket_id)] == [
        "manual",
        "warning",
        "warning",
    ]
    assert len(records.history(ticket_id)) == 2
