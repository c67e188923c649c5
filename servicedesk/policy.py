"""Who may do what: the one place permissions are decided.

Staff act as ``User``; a customer acts through the tracking token of one ticket
(``CustomerActor``); background jobs act as ``SYSTEM``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from servicedesk.models import Role, Ticket, User


@dataclass(frozen=True)
class CustomerActor:
    """The holder of one ticket's tracking token.

    ``token`` is the token the customer came with (a page's own link back to
    itself); it is never stored, only its hash is.
    """

    ticket_id: int
    name: str = "customer"
    token: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class SystemActor:
    name: str = "system"


SYSTEM = SystemActor()

Actor = User | CustomerActor | SystemActor


class Action(enum.StrEnum):
    VIEW = "view"
    CUSTOMER_REPLY = "customer_reply"
    REPLY = "reply"
    NOTE = "note"
    ASSIGN = "assign"
    ROUTE = "route"
    # Route to a department the graph does not connect to the current one.
    ROUTE_OFF_GRAPH = "route_off_graph"
    # Assign to someone outside the ticket's department.
    ASSIGN_ANYONE = "assign_anyone"
    SET_STATUS = "set_status"
    SET_PRIORITY = "set_priority"
    ESCALATE = "escalate"
    CREATE = "create"
    ADMINISTER = "administer"


_STAFF_TICKET_ACTIONS = frozenset(
    {
        Action.VIEW,
        Action.REPLY,
        Action.NOTE,
        Action.ASSIGN,
        Action.ROUTE,
        Action.SET_STATUS,
        Action.SET_PRIORITY,
        Action.ESCALATE,
    }
)
_SUPERVISOR_EXTRA = frozenset({Action.ROUTE_OFF_GRAPH, Action.ASSIGN_ANYONE})


def can(actor: Actor | None, action: Action, ticket: Ticket | None = None) -> bool:
    """Whether ``actor`` may do ``action`` (to ``ticket``, for ticket actions)."""
    if isinstance(actor, SystemActor):
        return True
    if actor is None:
        # Anyone may file a request through the public form.
        return action is Action.CREATE
    if isinstance(actor, CustomerActor):
        return (
            action in (Action.VIEW, Action.CUSTOMER_REPLY)
            and ticket is not None
            and ticket.id == actor.ticket_id
        )
    if not actor.active:
        return False
    if actor.role == Role.ADMIN:
        return True
    if action is Action.CREATE:
        return True
    if action is Action.ADMINISTER or action is Action.CUSTOMER_REPLY:
        return False
    if ticket is None or ticket.department_id not in actor.department_ids:
        return False
    if action in _STAFF_TICKET_ACTIONS:
        return True
    return action in _SUPERVISOR_EXTRA and actor.role == Role.SUPERVISOR


def can_be_assigned(actor: Actor, ticket: Ticket, assignee: User) -> bool:
    """Whether ``actor`` may give ``ticket`` to ``assignee``."""
    if not assignee.active:
        return False
    if can(actor, Action.ASSIGN_ANYONE, ticket):
        return True
    return ticket.department_id in assignee.department_ids


def actor_label(actor: Actor | None) -> str:
    """How the audit trail names an actor."""
    if isinstance(actor, User):
        return actor.name
    if actor is None:
        return "customer"
    return actor.name
