"""The SLA clock through the ticket service: tier levels, pauses, breaches."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Contact, Customer, Priority, Status, Ticket
from servicedesk.policy import CustomerActor
from servicedesk.services import tickets
from servicedesk.sla import clock as sla
from servicedesk.sla.policies import seed_sla

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def key_account(email="buyer@steel.example.com", **fields):
    customer = Customer(name="Steel Works", key_account=True, abc_class="A", **fields)
    db.session.add(customer)
    db.session.add(Contact(name="Buyer", email=email, customer=customer))
    db.session.commit()
    return customer


def test_a_class_key_account_complaint_gets_short_targets_and_high_priority(sla_app, make_ticket):
    key_account()
    # Monday 10:00 Shanghai.
    with clock.at(shanghai(2026, 11, 23, 10)):
        ticket = make_ticket(email="buyer@steel.example.com", kind="complaint").ticket
    assert ticket.priority == Priority.URGENT
    assert ticket.sla_first_response_minutes == 60
    assert ticket.sla_resolution_minutes == 9 * 60
    assert ticket.first_response_due_at == shanghai(2026, 11, 23, 11)
    assert ticket.resolution_due_at == shanghai(2026, 11, 24, 10)


def test_an_ordinary_enquiry_gets_the_normal_policy(sla_app, make_ticket):
    with clock.at(shanghai(2026, 11, 27, 14)):  # Friday 14:00
        ticket = make_ticket(kind="enquiry").ticket
    assert ticket.priority == Priority.NORMAL
    assert ticket.sla_first_response_minutes == 8 * 60
    # 4 h on Friday, 4 h on Monday.
    assert ticket.first_response_due_at == shanghai(2026, 11, 30, 13)


def test_pending_stops_the_clock_and_the_reply_restarts_it(sla_app, make_ticket, make_user):
    key_account()
    agent = make_user(role="supervisor")
    with clock.at(shanghai(2026, 11, 23, 10)):
        ticket = make_ticket(email="buyer@steel.example.com", kind="complaint").ticket
    with clock.at(shanghai(2026, 11, 23, 10, 30)):
        tickets.reply(ticket.id, agent, "Which batch?", version=None, status=Status.PENDING)
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.first_response_at is not None
    assert ticket.sla_running_since is None
    assert ticket.sla_elapsed_seconds == 30 * 60
    assert ticket.sla_breach_at is None and sla.is_paused(ticket)
    # Two days waiting on the customer cost nothing.
    with clock.at(shanghai(2026, 11, 25, 10)):
        assert sla.sla_state(ticket) == sla.OK
        tickets.add_customer_message(
            ticket.id, CustomerActor(ticket_id=ticket.id, name="Buyer"), "Batch 42."
        )
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.status == Status.OPEN
    assert ticket.sla_running_since == shanghai(2026, 11, 25, 10)
    # 9 h target, 30 min spent: 8.5 h left from Wednesday 10:00 = Thursday 09:30.
    assert ticket.resolution_due_at == shanghai(2026, 11, 26, 9, 30)
    assert ticket.sla_breach_at == ticket.resolution_due_at


def test_breach_is_reported_at_the_right_minute(sla_app, make_ticket):
    key_account()
    with clock.at(shanghai(2026, 11, 23, 10)):
        ticket = make_ticket(email="buyer@steel.example.com", kind="complaint").ticket
        assert sla.scan() == []
    # 80% of the 60-minute first response: at risk at 10:48.
    with clock.at(shanghai(2026, 11, 23, 10, 47)):
        assert sla.sla_state(ticket) == sla.OK
        assert sla.scan() == []
    with clock.at(shanghai(2026, 11, 23, 10, 48)):
        assert sla.sla_state(ticket) == sla.AT_RISK
        assert [(t.id, s) for t, s in sla.scan()] == [(ticket.id, sla.AT_RISK)]
    with clock.at(shanghai(2026, 11, 23, 10, 59)):
        assert sla.scan() == []
    with clock.at(shanghai(2026, 11, 23, 11)):
        assert sla.sla_state(ticket) == sla.BREACHED
        assert [(t.id, s) for t, s in sla.scan()] == [(ticket.id, sla.BREACHED)]
        query = sla.at_risk_or_breached(select(Ticket.id))
        assert list(db.session.scalars(query)) == [ticket.id]
        state = db.session.scalar(select(sla.sla_state_expression(clock.now())))
        assert state == sla.BREACHED
    with clock.at(shanghai(2026, 11, 23, 11, 1)):
        assert sla.scan() == []


def test_resolving_stops_and_reopening_resumes(sla_app, make_ticket, make_user):
    agent = make_user(role="supervisor")
    with clock.at(shanghai(2026, 11, 23, 9)):
        ticket = make_ticket(kind="enquiry").ticket
    with clock.at(shanghai(2026, 11, 23, 10)):
        tickets.resolve(ticket.id, agent, version=None)
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.sla_warn_at is None and ticket.sla_breach_at is None
    assert sla.sla_state(ticket) is None
    with clock.at(shanghai(2026, 11, 24, 9)):
        tickets.reopen(ticket.id, agent, version=None)
    ticket = db.session.get(Ticket, ticket.id)
    # 1 h of 8 spent before: the first response is due 7 business hours later.
    assert ticket.first_response_due_at == shanghai(2026, 11, 24, 16)


def test_seeding_twice_adds_nothing(sla_app):
    from servicedesk.models import SlaCalendarDay, SlaPolicy

    before = (db.session.query(SlaPolicy).count(), db.session.query(SlaCalendarDay).count())
    seed_sla()
    assert (db.session.query(SlaPolicy).count(), db.session.query(SlaCalendarDay).count()) == before


def test_a_plugin_may_only_tighten_the_level(app, make_ticket):
    seed_sla()

    class Loose:
        from servicedesk.hookspecs import hookimpl

        @hookimpl
        def service_level(self, app, ticket, proposal):
            proposal.priority = Priority.LOW
            proposal.first_response_minutes = 10
            proposal.resolution_minutes = 100_000

    from servicedesk.state import app_state

    app_state(app).plugin_manager.register(Loose(), name="loose")
    with clock.at(shanghai(2026, 11, 23, 9)):
        ticket = make_ticket(kind="enquiry").ticket
    assert ticket.priority == Priority.NORMAL
    assert ticket.sla_first_response_minutes == 10
    assert ticket.sla_resolution_minutes == 5 * 9 * 60
    assert ticket.first_response_due_at == shanghai(2026, 11, 23, 9, 10) + timedelta(0)


def test_a_priority_change_chooses_the_policy_again(sla_app, make_ticket, make_user):
    supervisor = make_user(role="supervisor")
    with clock.at(shanghai(2026, 11, 23, 9)):
        ticket = make_ticket(kind="enquiry").ticket
    assert ticket.first_response_due_at == shanghai(2026, 11, 23, 17)
    with clock.at(shanghai(2026, 11, 23, 10)):
        tickets.set_priority(ticket.id, supervisor, "urgent", version=None)
    ticket = db.session.get(Ticket, ticket.id)
    # Urgent: 2 business hours, 1 already spent.
    assert ticket.sla_first_response_minutes == 120
    assert ticket.first_response_due_at == shanghai(2026, 11, 23, 11)


def test_the_badge_macro_renders(sla_app, make_ticket):
    from flask import render_template_string

    with clock.at(shanghai(2026, 11, 23, 9)):
        ticket = make_ticket(kind="enquiry").ticket
        html = render_template_string(
            '{% from "partials/sla/_badge.html" import sla_badge %}{{ sla_badge(ticket) }}',
            ticket=ticket,
        )
    assert "SLA on track" in html
