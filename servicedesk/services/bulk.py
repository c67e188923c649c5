"""Actions on many tickets at once, each through the normal service function.

Every ticket is its own transaction: one that fails (changed meanwhile, not
allowed, not possible from its status) is reported and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from servicedesk.extensions import db
from servicedesk.i18n import gettext as _
from servicedesk.models import Ticket, User
from servicedesk.policy import Action, can
from servicedesk.services import tickets
from servicedesk.services import validation as check
from servicedesk.services.errors import ServiceError, ValidationError

MAX_TICKETS = 100


@dataclass(frozen=True)
class Selected:
    """A ticket picked in a queue, with the version the queue showed."""

    ticket_id: int
    version: int | None


@dataclass(frozen=True)
class BulkResult:
    ticket_id: int
    # None when the actor may not know the ticket exists.
    reference: str | None
    ok: bool
    message: str


def selection(values: Iterable[object]) -> list[Selected]:
    """Parse ``"<id>:<version>"`` (or ``"<id>"``) checkbox values, in order, once each."""
    picked: dict[int, Selected] = {}
    for value in values:
        text = value if isinstance(value, str) else ""
        ticket_id, _sep, version = text.partition(":")
        item = Selected(
            check.record_id(ticket_id, "tickets"),
            check.record_id(version, "tickets") if version else None,
        )
        picked.setdefault(item.ticket_id, item)
    if not picked:
        raise ValidationError.single("tickets", _("Select at least one ticket."))
    if len(picked) > MAX_TICKETS:
        raise ValidationError.single(
            "tickets", _("Select at most %(max)d tickets at a time.", max=MAX_TICKETS)
        )
    return list(picked.values())


def assign(actor: User, picked: list[Selected], assignee_id: object) -> list[BulkResult]:
    return _each(
        actor,
        picked,
        lambda item: tickets.assign(item.ticket_id, actor, assignee_id, version=item.version),
        _("Assigned."),
    )


def route(
    actor: User, picked: list[Selected], department: object, reason: object = None
) -> list[BulkResult]:
    return _each(
        actor,
        picked,
        lambda item: tickets.route(
            item.ticket_id, actor, department, version=item.version, reason=reason
        ),
        _("Routed."),
    )


def set_status(
    actor: User, picked: list[Selected], status: object, reason: object = None
) -> list[BulkResult]:
    return _each(
        actor,
        picked,
        lambda item: tickets.set_status(
            item.ticket_id, actor, status, version=item.version, reason=reason
        ),
        _("Status changed."),
    )


def _each(
    actor: User, picked: list[Selected], operation: Callable[[Selected], object], done: str
) -> list[BulkResult]:
    results = []
    for item in picked:
        # Taken first: a ticket routed away is no longer the actor's to look up.
        reference = _reference(item.ticket_id, actor)
        try:
            operation(item)
        except ServiceError as error:
            results.append(BulkResult(item.ticket_id, reference, False, explain(error)))
        else:
            results.append(BulkResult(item.ticket_id, reference, True, done))
    return results


def explain(error: ServiceError) -> str:
    """The error's message(s) without field names, for a list of results."""
    if isinstance(error, ValidationError):
        return " ".join(message for messages in error.errors.values() for message in messages)
    return error.message


def _reference(ticket_id: int, actor: User) -> str | None:
    ticket = db.session.get(Ticket, ticket_id)
    return ticket.reference if ticket is not None and can(actor, Action.VIEW, ticket) else None
