"""The demo's escalations: the scan replayed over the demo's history, and two by hand.

``servicedesk demo`` loads months of tickets first and calls ``demo_data``
afterwards, so the scan never ran while that history was written. Replaying
it means escalating each running ticket where the every-minute scan would
have: a minute after its SLA warning and a minute after its breach, in time
order across tickets, through the scan's own code under ``clock.at``.

A replayed escalation is only written where the ticket's history allows it:
its moment must come after the ticket's last change. Written earlier, it
would sit in the audit trail before changes that were in truth made later,
and moving the ticket's SLA clock back would count the business time since
that moment twice. Those escalations are left to one scan at the demo's
present, which escalates them as the scan does when it first sees a ticket
(a ticket first seen breached only at breach).

Nothing here is random: the same demo history gives the same escalations.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import func, select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Customer, Role, Ticket, TicketEvent, User
from servicedesk.models import memberships as _memberships
from servicedesk.policy import Action, can
from servicedesk.services.errors import ServiceError

from . import records, scan
from .models import BREACH, WARNING

log = logging.getLogger(__name__)

# The scan runs every minute: a line crossed at 10:00 is escalated by the 10:01 run.
SCAN_DELAY = timedelta(minutes=1)
# A supervisor escalates by hand in office hours, a while after the ticket last moved.
OFFICE_OPENS = (9, 30)
OFFICE_CLOSES = (17, 30)
AFTER_LAST_CHANGE = timedelta(hours=2)


@dataclass
class DemoEscalations:
    """What ``load`` wrote, by ticket id (for the log and the tests)."""

    replayed: dict[str, list[int]] = field(default_factory=lambda: {WARNING: [], BREACH: []})
    at_present: dict[str, list[int]] = field(default_factory=lambda: {WARNING: [], BREACH: []})
    by_hand: list[int] = field(default_factory=list)


def load(now: datetime) -> DemoEscalations:
    """Escalate the demo's tickets as the centre would have, up to ``now``."""
    done = DemoEscalations()
    _replay_scan(now, done)
    _escalate_by_hand(now, done)
    # Whatever the history did not allow to replay: the scan at the present
    # (run again while it still finds tickets, as it takes them in batches).
    with clock.at(now):
        while True:
            result = scan.run()
            for level, ticket_ids in result.escalated.items():
                done.at_present[level].extend(ticket_ids)
            if not any(result.escalated.values()):
                break
    log.info(
        "demo escalations: replayed %s, at the present %s, by hand %d",
        {level: len(ids) for level, ids in done.replayed.items()},
        {level: len(ids) for level, ids in done.at_present.items()},
        len(done.by_hand),
    )
    return done


# --------------------------------------------------------------------------
# The scan, replayed
# --------------------------------------------------------------------------


def _replay_scan(now: datetime, done: DemoEscalations) -> None:
    for moment, ticket_id, level in _scan_moments(now):
        if _last_change(ticket_id) > moment:
            continue  # left to the scan at the present
        with clock.at(moment):
            # The scan's own claim, checks, reason and changes; False when
            # the ticket was no longer due at that level (e.g. a warning
            # less than a minute before the breach).
            if scan._escalate(ticket_id, level, moment):
                done.replayed[level].append(ticket_id)


def _scan_moments(now: datetime) -> list[tuple[datetime, int, str]]:
    """(when the scan would have escalated, ticket, level), in time order.

    The running tickets past their warning, from their SLA due times as the
    core computed them; a ticket's warning always comes before its breach.
    """
    rows = db.session.execute(
        select(Ticket.id, Ticket.sla_warn_at, Ticket.sla_breach_at)
        .where(Ticket.status.in_(scan.RUNNING), Ticket.sla_warn_at <= now)
        .order_by(Ticket.id)
    )
    moments = []
    for ticket_id, warn_at, breach_at in rows:
        for level, instant in ((WARNING, warn_at), (BREACH, breach_at)):
            if instant is not None and instant + SCAN_DELAY <= now:
                moments.append((instant + SCAN_DELAY, ticket_id, level))
    # Same moment: lower ticket id first, then warning before breach.
    return sorted(moments, key=lambda item: (item[0], item[1], item[2] == BREACH))


def _last_change(ticket_id: int) -> datetime:
    """When the ticket last changed: its last audit event, or its own timestamp."""
    last_event = db.session.scalar(
        select(func.max(TicketEvent.created_at)).where(TicketEvent.ticket_id == ticket_id)
    )
    updated = db.session.scalar(select(Ticket.updated_at).where(Ticket.id == ticket_id))
    return max(moment for moment in (last_event, updated) if moment is not None)


# --------------------------------------------------------------------------
# By hand: a supervisor pushes a complaint and a claim
# --------------------------------------------------------------------------


def _escalate_by_hand(now: datetime, done: DemoEscalations) -> None:
    """The oldest running complaint and claim, each escalated by its supervisor."""
    for kind, reason in (("complaint", _complaint_reason), ("claim", _claim_reason)):
        for ticket in _running(kind):
            supervisor = _supervisor(ticket)
            moment = _office_moment(_last_change(ticket.id) + AFTER_LAST_CHANGE)
            if supervisor is None or moment >= now:
                continue
            days = max(1, (moment - ticket.created_at).days)
            with clock.at(moment):
                try:
                    records.escalate_by_hand(
                        ticket,
                        supervisor,
                        reason(ticket.customer.name, days),
                        version=ticket.version,
                    )
                except ServiceError as refused:
                    log.warning("demo escalation of %s refused: %s", ticket.reference, refused)
                    continue
            done.by_hand.append(ticket.id)
            break


def _complaint_reason(company: str, days: int) -> str:
    return ngettext(
        "%(company)s called me about this complaint, still open after %(num)d day. "
        "Propose a solution to the customer by tomorrow and keep me informed.",
        "%(company)s called me about this complaint, still open after %(num)d days. "
        "Propose a solution to the customer by tomorrow and keep me informed.",
        days,
        company=company,
    )


def _claim_reason(company: str, days: int) -> str:
    return ngettext(
        "%(company)s has waited %(num)d day for a decision on this claim. "
        "Settle it with quality assurance this week; I will answer the customer myself.",
        "%(company)s has waited %(num)d days for a decision on this claim. "
        "Settle it with quality assurance this week; I will answer the customer myself.",
        days,
        company=company,
    )


def _running(kind: str) -> list[Ticket]:
    """Running tickets of ``kind`` from a known company, oldest first."""
    return list(
        db.session.scalars(
            select(Ticket)
            .join(Customer, Customer.id == Ticket.customer_id)
            .where(Ticket.kind == kind, Ticket.status.in_(scan.RUNNING))
            .order_by(Ticket.created_at, Ticket.id)
            .execution_options(populate_existing=True)
        )
    )


def _supervisor(ticket: Ticket) -> User | None:
    """The first active supervisor of the ticket's department allowed to escalate it."""
    candidates = db.session.scalars(
        select(User)
        .join(_memberships, _memberships.c.user_id == User.id)
        .where(
            _memberships.c.department_id == ticket.department_id,
            User.role == Role.SUPERVISOR,
            User.active,
        )
        .order_by(User.id)
    )
    return next((user for user in candidates if can(user, Action.ESCALATE, ticket)), None)


def _office_moment(moment: datetime) -> datetime:
    """``moment`` on the minute, or the next office time (Mon-Fri, the centre's clock)."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")
    local = moment.astimezone(zone)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while True:
        opens = local.replace(hour=OFFICE_OPENS[0], minute=OFFICE_OPENS[1], second=0)
        closes = local.replace(hour=OFFICE_CLOSES[0], minute=OFFICE_CLOSES[1], second=0)
        if local.weekday() < 5 and local < closes:
            return max(local, opens)
        local = opens + timedelta(days=1)
