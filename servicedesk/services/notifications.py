"""The emails ticket events call for, queued in the change's own transaction.

``services.tickets`` calls ``for_event`` for every event before it commits,
so a notification exists exactly when its change does: a rolled-back reply
sends nothing, and a committed one is never without its email.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.links import external_url
from servicedesk.models import (
    EventKind,
    MessageKind,
    OutboxMessage,
    Role,
    Ticket,
    TicketEvent,
    User,
)
from servicedesk.models.people import memberships
from servicedesk.services.outbox import enqueue


def for_event(ticket: Ticket, event: TicketEvent) -> OutboxMessage | None:
    """Queue the email ``event`` calls for, if any, and return it.

    A public reply is sent to the customer; an assignment to the new assignee,
    unless they took the ticket themselves. (Escalations mail through
    ``for_escalation``.)
    """
    if event.kind == EventKind.REPLIED:
        return _reply(ticket)
    if event.kind == EventKind.ASSIGNED and event.new_value is not None:
        return _assignment(ticket, event, int(event.new_value))
    return None


def mail_locale(locale: str | None) -> str:
    """``locale`` if the centre offers it, else the centre's default language."""
    config = current_app.config
    return locale if locale in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]


def _reply(ticket: Ticket) -> OutboxMessage | None:
    contact = ticket.contact
    # The reply being committed is the ticket's newest.
    answer = next((m for m in reversed(ticket.messages) if m.kind == MessageKind.REPLY), None)
    if contact is None or answer is None:
        return None
    return enqueue(
        kind="reply",
        recipient=contact.email,
        template="reply",
        locale=mail_locale(contact.locale),
        context={
            "name": contact.name,
            "answer": answer,
            "lost_link_url": external_url("public.lost_link"),
        },
        ticket=ticket,
    )


def _assignment(ticket: Ticket, event: TicketEvent, assignee_id: int) -> OutboxMessage | None:
    assignee = db.session.get(User, assignee_id)
    if assignee is None or event.actor is assignee:
        return None
    return enqueue(
        kind="assignment",
        recipient=assignee.email,
        template="assignment",
        locale=mail_locale(assignee.locale),
        context={
            "name": assignee.name,
            "assigned_by": event.actor_label,
            "ticket_url": external_url("desk.ticket", reference=ticket.reference),
        },
        ticket=ticket,
    )


def for_escalation(
    ticket: Ticket, event: TicketEvent, *, already: frozenset[int] = frozenset()
) -> frozenset[int]:
    """Mail the assignee and the supervisors of the ticket's department.

    ``escalate`` calls it before a hand-over, so the people responsible when
    the target was missed hear of it, and again after it for the receiving
    department, skipping those ``already`` mailed. Returns who was mailed.
    """
    mailed = set(already)
    for person in _escalation_recipients(ticket):
        if person.id in mailed:
            continue
        mailed.add(person.id)
        enqueue(
            kind="escalation",
            recipient=person.email,
            template="escalation",
            locale=mail_locale(person.locale),
            context={
                "name": person.name,
                "level": event.new_value,
                "reason": event.detail,
                "ticket_url": external_url("desk.ticket", reference=ticket.reference),
            },
            ticket=ticket,
        )
    return frozenset(mailed)


def _escalation_recipients(ticket: Ticket) -> list[User]:
    supervisors = db.session.scalars(
        select(User)
        .join(memberships, memberships.c.user_id == User.id)
        .where(
            memberships.c.department_id == ticket.department.id,  # set, maybe not flushed
            User.role == Role.SUPERVISOR,
            User.active,
        )
        .order_by(User.id)
    )
    people = {user.id: user for user in supervisors}
    if ticket.assignee is not None and ticket.assignee.active:
        people.setdefault(ticket.assignee.id, ticket.assignee)
    return list(people.values())
