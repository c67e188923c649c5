"""Fixtures for the escalation plugin's tests: the plugin, SLA policies, customers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import servicedesk_plugins.escalation
from servicedesk.extensions import db
from servicedesk.models import Contact, Customer, OutboxMessage, Ticket, TicketEvent
from servicedesk.sla.policies import seed_sla


@pytest.fixture
def app_plugins():
    return [servicedesk_plugins.escalation]


@pytest.fixture
def sla(app):
    """The default calendar and SLA policies, as ``servicedesk init`` seeds them."""
    seed_sla()
    return app


@pytest.fixture
def key_account(app):
    """A key-account customer with one contact; returns the contact's address."""
    customer = Customer(name="Steel Works", key_account=True, abc_class="A")
    db.session.add(customer)
    db.session.add(Contact(name="Buyer", email="buyer@steel.example.com", customer=customer))
    db.session.commit()
    return "buyer@steel.example.com"


@pytest.fixture
def observe(app):
    """What a person would check after a scan, read fresh from the database."""

    class Observer:
        def ticket(self, ticket_id):
            db.session.expire_all()
            return db.session.get(Ticket, ticket_id)

        def escalations(self, ticket_id):
            """The audit trail's ``escalated`` events: (level, actor label)."""
            db.session.expire_all()
            events = db.session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "escalated")
                .order_by(TicketEvent.id)
            )
            return [(e.new_value, e.actor_label) for e in events]

        def events(self, ticket_id, kind):
            db.session.expire_all()
            return list(
                db.session.scalars(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == kind)
                    .order_by(TicketEvent.id)
                )
            )

        def mails(self, ticket_id, kind="escalation"):
            """Recipients of the queued mails of ``kind`` about the ticket, sorted."""
            db.session.expire_all()
            return sorted(
                db.session.scalars(
                    select(OutboxMessage.recipient).where(
                        OutboxMessage.ticket_id == ticket_id, OutboxMessage.kind == kind
                    )
                )
            )

        def subjects(self, ticket_id, recipient):
            db.session.expire_all()
            return list(
                db.session.scalars(
                    select(OutboxMessage.subject)
                    .where(
                        OutboxMessage.ticket_id == ticket_id,
                        OutboxMessage.recipient == recipient,
                    )
                    .order_by(OutboxMessage.id)
                )
            )

    return Observer()
