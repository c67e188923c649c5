"""Staff training needs, read from the tickets' audit trail.

A resolved (or closed) ticket that opens again was not really solved: the
customer wrote back, or rated the answer poorly and the satisfaction survey
reopened it. Each reopening counts against the staff member who last finished
the work, i.e. who moved the ticket from a working status to resolved or closed.
Whoever gathers enough of them in the period is suggested for training.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CTE, func, select
from sqlalchemy.orm import aliased, selectinload

from servicedesk.extensions import db
from servicedesk.models import EventKind, Role, Status, Ticket, TicketEvent, User
from servicedesk_plugins.training.models import utc_now
from servicedesk_plugins.training.services import is_member

DEFAULT_THRESHOLD = 2
DEFAULT_DAYS = 90
FINISHED = (Status.RESOLVED.value, Status.CLOSED.value)
WORKING = (Status.NEW.value, Status.OPEN.value, Status.PENDING.value)


@dataclass(frozen=True)
class ReopenedTicket:
    reference: str
    subject: str
    times: int


@dataclass(frozen=True)
class TrainingNeed:
    user: User
    reopened: int
    tickets: tuple[ReopenedTicket, ...]


def may_see(user: Any) -> bool:
    """Supervisors, administrators and the training department plan staff training."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    return user.role in (Role.SUPERVISOR, Role.ADMIN) or is_member(user)


def training_needs(
    viewer: User,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> list[TrainingNeed]:
    """Staff whose finished tickets reopened at least ``threshold`` times in ``days`` days.

    Three queries whatever the numbers: the reopenings grouped by person and
    ticket, the people, and their departments. A supervisor outside the
    training department sees the people of their own departments.
    """
    since = (now or utc_now()) - timedelta(days=days)
    reopens = _reopenings(since)
    counted = (
        select(reopens.c.user_id)
        .where(reopens.c.user_id.is_not(None))
        .group_by(reopens.c.user_id)
        .having(func.count() >= threshold)
    )
    times = func.count().label("times")
    rows = db.session.execute(
        select(reopens.c.user_id, Ticket.reference, Ticket.subject, times)
        .join(Ticket, Ticket.id == reopens.c.ticket_id)
        .where(reopens.c.user_id.in_(counted))
        .group_by(reopens.c.user_id, Ticket.id, Ticket.reference, Ticket.subject)
        .order_by(reopens.c.user_id, times.desc(), Ticket.reference)
    ).all()
    by_user: dict[int, list[ReopenedTicket]] = {}
    for user_id, reference, subject, count in rows:
        by_user.setdefault(user_id, []).append(ReopenedTicket(reference, subject, count))
    if not by_user:
        return []
    people = db.session.scalars(
        select(User)
        .where(User.id.in_(by_user), User.active.is_(True))
        .options(selectinload(User.departments))
    )
    visible = _visible_to(viewer)
    needs = [
        TrainingNeed(
            user=person,
            reopened=sum(ticket.times for ticket in by_user[person.id]),
            tickets=tuple(by_user[person.id]),
        )
        for person in people
        if visible(person)
    ]
    return sorted(needs, key=lambda need: (-need.reopened, need.user.name, need.user.id))


def _reopenings(since: datetime) -> CTE:
    """One row per reopening since ``since``: the ticket and who had finished it."""
    reopen = aliased(TicketEvent, name="reopen")
    finish = aliased(TicketEvent, name="finish")
    # ticket_events has an index on (ticket_id, id): a short backwards walk per row.
    finisher = (
        select(finish.actor_id)
        .where(
            finish.ticket_id == reopen.ticket_id,
            finish.id < reopen.id,
            finish.kind == EventKind.STATUS.value,
            finish.old_value.in_(WORKING),
            finish.new_value.in_(FINISHED),
            finish.actor_id.is_not(None),
        )
        .order_by(finish.id.desc())
        .limit(1)
        .correlate(reopen)
        .scalar_subquery()
    )
    return (
        select(reopen.ticket_id.label("ticket_id"), finisher.label("user_id"))
        .where(
            reopen.kind == EventKind.STATUS.value,
            reopen.old_value.in_(FINISHED),
            reopen.new_value == Status.OPEN.value,
            reopen.created_at >= since,
        )
        .cte("reopens")
    )


def _visible_to(viewer: User) -> Callable[[User], bool]:
    if viewer.role == Role.ADMIN or is_member(viewer):
        return lambda person: True
    mine = {department.id for department in viewer.departments}
    return lambda person: bool(mine & {department.id for department in person.departments})
