"""The SLA clock of each ticket: targets, pauses, due times and their state.

Both targets (first response, resolution) run on the policy's business-hours
calendar and pause together while the ticket waits on the customer. The
business time consumed so far is stored, so a pause costs nothing and the due
times are recomputed from it on every change. ``sla_warn_at``/``sla_breach_at``
hold the earliest instants of the targets still running, so "at risk or
breached" is one indexed comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, case, or_, select

from servicedesk import catalogue, clock
from servicedesk.extensions import db
from servicedesk.models import Customer, EventKind, SlaScanMark, Status, Ticket, TicketEvent
from servicedesk.sla import policies
from servicedesk.sla.business_hours import Calendar
from servicedesk.sla.levels import ServiceLevelProposal
from servicedesk.state import app_state

log = logging.getLogger(__name__)

OK, AT_RISK, BREACHED = "ok", "at_risk", "breached"
DEFAULT_WARN_FRACTION = 0.8
# The clock runs while the centre owes the customer something.
RUNNING = frozenset({Status.NEW, Status.OPEN})
STOPPED = frozenset({Status.RESOLVED, Status.CLOSED})


def on_created(ticket: Ticket, events: list[TicketEvent]) -> None:
    """Give a new ticket its service level and start its clock (inside create_ticket)."""
    with db.session.no_autoflush:
        customer = _customer(ticket)
        policy = policies.choose(customer=customer, priority=ticket.priority, kind=ticket.kind)
        proposal = ServiceLevelProposal(
            priority=ticket.priority,
            policy=policy,
            first_response_minutes=policy.first_response_minutes if policy else None,
            resolution_minutes=policy.resolution_minutes if policy else None,
        )
        _ask_plugins(ticket, proposal)
        ticket.priority = proposal.priority
        # A raised priority may select a stricter policy: keep the shorter targets.
        final = policies.choose(customer=customer, priority=ticket.priority, kind=ticket.kind)
        ticket.sla_policy_id = (final or policy).id if (final or policy) else None
        ticket.sla_first_response_minutes = _shorter(
            proposal.first_response_minutes, final and final.first_response_minutes
        )
        ticket.sla_resolution_minutes = _shorter(
            proposal.resolution_minutes, final and final.resolution_minutes
        )
        now = clock.now()
        ticket.sla_elapsed_seconds = 0
        ticket.sla_running_since = now if ticket.status in RUNNING else None
        _recompute(ticket, now)
        from servicedesk.services import assignment

        assignment.auto_assign(ticket, events)


def on_changed(ticket: Ticket, events: Sequence[TicketEvent]) -> None:
    """Bank the business time since the last change, then pause, resume or stop.

    Called inside ``_changing``'s transaction after every change; a ticket
    routed into a department is offered to its auto-assignment.
    """
    kinds = {event.kind for event in events}
    if EventKind.ROUTED in kinds and ticket.assignee_id is None:
        from servicedesk.services import assignment

        # No autoflush: the ticket is written once, at commit (one version bump).
        with db.session.no_autoflush:
            assignment.auto_assign(ticket, events)  # type: ignore[arg-type]
    if ticket.sla_first_response_minutes is None and ticket.sla_resolution_minutes is None:
        return
    now = clock.now()
    calendar = _calendar(ticket)
    if ticket.sla_running_since is not None:
        spent = calendar.elapsed(ticket.sla_running_since, now)
        ticket.sla_elapsed_seconds = (ticket.sla_elapsed_seconds or 0) + int(spent.total_seconds())
    ticket.sla_running_since = now if ticket.status in RUNNING else None
    if EventKind.PRIORITY in kinds:
        policy = policies.choose(
            customer=_customer(ticket), priority=ticket.priority, kind=ticket.kind
        )
        if policy is not None:
            ticket.sla_policy_id = policy.id
            ticket.sla_first_response_minutes = policy.first_response_minutes
            ticket.sla_resolution_minutes = policy.resolution_minutes
    _recompute(ticket, now, calendar)


def sla_state(ticket: Ticket, now: datetime | None = None) -> str | None:
    """ok, at_risk or breached; None for a ticket without targets or a stopped clock."""
    now = now or clock.now()
    if ticket.sla_breach_at is not None and ticket.sla_breach_at <= now:
        return BREACHED
    if ticket.sla_warn_at is not None and ticket.sla_warn_at <= now:
        return AT_RISK
    if ticket.sla_warn_at is None and ticket.sla_breach_at is None:
        return None if ticket.status in STOPPED or ticket.sla_policy_id is None else OK
    return OK


def sla_state_expression(now: datetime) -> Any:
    """The same state as a SQL expression (for sorting or showing in queues)."""
    return case(
        (Ticket.sla_breach_at <= now, BREACHED),
        (Ticket.sla_warn_at <= now, AT_RISK),
        else_=OK,
    )


def at_risk_or_breached(query: Select[Any], now: datetime | None = None) -> Select[Any]:
    """Narrow a ticket query to tickets at risk or breached (uses ix_tickets_sla_warn_at)."""
    return query.where(Ticket.sla_warn_at <= (now or clock.now()))


def is_paused(ticket: Ticket) -> bool:
    return ticket.sla_running_since is None and ticket.status == Status.PENDING


def crossed(since: datetime | None, now: datetime) -> list[tuple[Ticket, str]]:
    """Tickets whose warn or breach instant fell in (since, now], with which one."""
    lower = since or datetime.min.replace(tzinfo=now.tzinfo)
    rows = db.session.scalars(
        select(Ticket)
        .where(
            or_(
                Ticket.sla_warn_at.between(lower, now),
                Ticket.sla_breach_at.between(lower, now),
            )
        )
        .order_by(Ticket.id)
    )
    found = []
    for ticket in rows:
        breached = ticket.sla_breach_at is not None and lower < ticket.sla_breach_at <= now
        if breached or (ticket.sla_warn_at is not None and lower < ticket.sla_warn_at <= now):
            found.append((ticket, BREACHED if breached else AT_RISK))
    return found


def scan(now: datetime | None = None) -> list[tuple[Ticket, str]]:
    """Tickets that crossed warn or breach since the last scan; remembers this scan.

    The escalation plugin reads this; nothing but the scan time is recorded.
    """
    now = now or clock.now()
    mark = db.session.get(SlaScanMark, 1, with_for_update=True)
    since = mark.scanned_at if mark else None
    found = crossed(since, now)
    if mark is None:
        db.session.add(SlaScanMark(id=1, scanned_at=now))
    else:
        mark.scanned_at = now
    db.session.commit()
    return found


# --------------------------------------------------------------------------


def _recompute(ticket: Ticket, now: datetime, calendar: Calendar | None = None) -> None:
    calendar = calendar or _calendar(ticket)
    fraction = float(current_app.config.get("SLA_WARN_FRACTION", DEFAULT_WARN_FRACTION))
    elapsed = ticket.sla_elapsed_seconds or 0
    running = ticket.sla_running_since is not None
    warns: list[datetime] = []
    dues: list[datetime] = []

    def plan(minutes: int | None, previous_due: datetime | None) -> datetime | None:
        if minutes is None:
            return None
        target = minutes * 60
        due = _instant(calendar, now, elapsed, target, previous_due, running)
        warn = _instant(calendar, now, elapsed, int(target * fraction), ticket.sla_warn_at, running)
        if due is not None:
            dues.append(due)
        if warn is not None:
            warns.append(warn)
        return due

    if ticket.status in STOPPED:
        ticket.sla_warn_at = ticket.sla_breach_at = None
        return
    if ticket.first_response_at is None:
        ticket.first_response_due_at = plan(
            ticket.sla_first_response_minutes, ticket.first_response_due_at
        )
    ticket.resolution_due_at = plan(ticket.sla_resolution_minutes, ticket.resolution_due_at)
    ticket.sla_warn_at = min(warns, default=None)
    ticket.sla_breach_at = min(dues, default=None)


def _instant(
    calendar: Calendar,
    now: datetime,
    elapsed: int,
    target: int,
    previous: datetime | None,
    running: bool,
) -> datetime | None:
    """When ``target`` business seconds will have been spent; None while paused.

    Once passed, the instant stays where it was: it is when the line was crossed.
    """
    if elapsed >= target:
        return previous if previous is not None and previous <= now else now
    if not running:
        return None
    return calendar.add(now, timedelta(seconds=target - elapsed))


def _calendar(ticket: Ticket) -> Calendar:
    known = catalogue.current()
    policy = known.policy(ticket.sla_policy_id)
    return known.calendar(policy.calendar_id if policy else None)


def _customer(ticket: Ticket) -> Customer | None:
    if ticket.customer is not None:
        return ticket.customer
    return db.session.get(Customer, ticket.customer_id) if ticket.customer_id else None


def _shorter(a: int | None, b: int | None) -> int | None:
    values = [v for v in (a, b) if v is not None]
    return min(values) if values else None


def _ask_plugins(ticket: Ticket, proposal: ServiceLevelProposal) -> None:
    """Let ``service_level`` plugins refine the proposal; they may only tighten it."""
    before = (proposal.priority, proposal.first_response_minutes, proposal.resolution_minutes)
    try:
        app_state().plugin_manager.hook.service_level(
            app=current_app._get_current_object(), ticket=ticket, proposal=proposal
        )
    except Exception:
        # A failing plugin must not cost the customer their request.
        log.exception("service_level failed; the ticket keeps the policy's level")
    proposal.priority = max(before[0], int(proposal.priority))
    proposal.first_response_minutes = _shorter(before[1], proposal.first_response_minutes)
    proposal.resolution_minutes = _shorter(before[2], proposal.resolution_minutes)
