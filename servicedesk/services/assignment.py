"""Auto-assignment: who in a department gets a new or routed ticket.

A department's ``assignment_mode`` is manual (nobody is chosen), round_robin
(the next eligible member by id after the last one chosen) or least_load (the
eligible member with the fewest unfinished tickets in the department, the
lowest id on a tie). Eligible: active, a member, not away, seen within
``AVAILABILITY_MINUTES``. A key account's ticket goes to its account manager
when the manager is an eligible member.

The department row is locked while choosing (SELECT ... FOR UPDATE on
PostgreSQL, SQLite serialises writers), so two tickets arriving at once are
chosen for one after the other: the rotation pointer and the load counts the
second sees include the first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from servicedesk import catalogue, clock
from servicedesk.extensions import db
from servicedesk.models import (
    Customer,
    Department,
    EventKind,
    Status,
    Ticket,
    TicketEvent,
    User,
    memberships,
)

MANUAL, ROUND_ROBIN, LEAST_LOAD = "manual", "round_robin", "least_load"
MODES = (MANUAL, ROUND_ROBIN, LEAST_LOAD)
DEFAULT_AVAILABILITY_MINUTES = 30
# last_seen_at is written at most this often per user: a cheap before_request.
SEEN_GRANULARITY = timedelta(minutes=1)
UNFINISHED = (Status.NEW, Status.OPEN, Status.PENDING)
ACTOR_LABEL = "auto-assignment"


def auto_assign(ticket: Ticket, events: list[TicketEvent]) -> User | None:
    """Choose and set the assignee of an unassigned ticket; None when nobody fits."""
    if ticket.assignee_id is not None:
        return None
    # The catalogue knows each department's mode: a manual department (most
    # of them) costs no load of the department row.
    department_id = _department_id(ticket)
    known = catalogue.current().department(department_id)
    if known is None or known.assignment_mode not in (ROUND_ROBIN, LEAST_LOAD):
        return None
    # (A new ticket knows its department by id only: pending objects do not load it.)
    department = ticket.__dict__.get("department") or db.session.get(Department, department_id)
    # Lock first, read after: the choice must see every earlier choice committed.
    # FOR NO KEY UPDATE (key_share) does not wait for tickets merely referencing
    # the row, so concurrent inserts into the department cannot deadlock with it.
    db.session.execute(
        select(Department.id).where(Department.id == department.id).with_for_update(key_share=True)
    )
    db.session.refresh(department, attribute_names=["last_assigned_user_id"])
    candidates = eligible_members(department.id)
    if not candidates:
        return None
    chosen = _account_manager(ticket, candidates)
    if chosen is None:
        if department.assignment_mode == ROUND_ROBIN:
            chosen = _next_in_rotation(candidates, department.last_assigned_user_id)
        else:
            chosen = _least_loaded(candidates, department.id)
    department.last_assigned_user_id = chosen.id
    ticket.assignee = chosen
    event = TicketEvent(
        ticket=ticket,
        kind=EventKind.ASSIGNED,
        actor_label=ACTOR_LABEL,
        old_value=None,
        new_value=str(chosen.id),
        created_at=clock.now(),
    )
    db.session.add(event)
    events.append(event)
    return chosen


def _department_id(ticket: Ticket) -> int | None:
    # A department just given to the ticket (routing) has its id only after the
    # flush; until then the relationship is the truth.
    given = ticket.__dict__.get("department")
    return given.id if given is not None else ticket.department_id


def eligible_members(department_id: int, now: datetime | None = None) -> list[User]:
    """Active members of the department who are neither away nor unseen lately, by id."""
    now = now or clock.now()
    minutes = int(current_app.config.get("AVAILABILITY_MINUTES", DEFAULT_AVAILABILITY_MINUTES))
    return list(
        db.session.scalars(
            select(User)
            .join(memberships, memberships.c.user_id == User.id)
            .where(
                memberships.c.department_id == department_id,
                User.active,
                ~User.away,
                User.last_seen_at >= now - timedelta(minutes=minutes),
            )
            .order_by(User.id)
        )
    )


def touch_last_seen(user: User) -> None:
    """Note that ``user`` is at the desk; writes at most once a minute per user.

    A single UPDATE that checks the old value itself, committed on its own, so
    a before_request can call it for every page.
    """
    now = clock.now()
    if user.last_seen_at is not None and now - user.last_seen_at < SEEN_GRANULARITY:
        return
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .where((User.last_seen_at.is_(None)) | (User.last_seen_at < now - SEEN_GRANULARITY))
        .values(last_seen_at=now),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _account_manager(ticket: Ticket, candidates: list[User]) -> User | None:
    customer = ticket.customer
    if customer is None and ticket.customer_id is not None:
        customer = db.session.get(Customer, ticket.customer_id)
    if customer is None or not customer.key_account or customer.account_manager_id is None:
        return None
    return next((u for u in candidates if u.id == customer.account_manager_id), None)


def _next_in_rotation(candidates: list[User], last_id: int | None) -> User:
    if last_id is None:
        return candidates[0]
    return next((u for u in candidates if u.id > last_id), candidates[0])


def _least_loaded(candidates: list[User], department_id: int) -> User:
    counts = dict(
        db.session.execute(
            select(Ticket.assignee_id, func.count())
            .where(
                Ticket.department_id == department_id,
                Ticket.assignee_id.in_([u.id for u in candidates]),
                Ticket.status.in_(UNFINISHED),
            )
            .group_by(Ticket.assignee_id)
        ).all()
    )
    return min(candidates, key=lambda u: (counts.get(u.id, 0), u.id))
