"""Reading and writing escalation records, and the escalation an agent asks for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Role, Status, Ticket, TicketEvent, User
from servicedesk.policy import Actor, actor_label
from servicedesk.services import tickets

from .models import BREACH, MANUAL, WARNING, EscalationRecord

# Tickets the centre still owes something: what the supervisors' list and the
# dashboard count. (Pending tickets wait on the customer but are not done.)
UNFINISHED = (Status.NEW, Status.OPEN, Status.PENDING)
# Set while this plugin's own code escalates: its record is already in that
# transaction, so the ticket_event hook must not add a second one.
_recording: ContextVar[bool] = ContextVar("escalation_recording", default=False)

LEVEL_LABELS: dict[str, Any] = {
    WARNING: _l("SLA warning"),
    BREACH: _l("SLA breach"),
    MANUAL: _l("By hand"),
}


def level_label(level: str) -> Any:
    """What people read for a level; an unknown level is shown as stored."""
    return LEVEL_LABELS.get(level, level)


def history(ticket_id: int) -> list[EscalationRecord]:
    """Every escalation of the ticket, newest first."""
    return list(
        db.session.scalars(
            select(EscalationRecord)
            .where(EscalationRecord.ticket_id == ticket_id)
            .order_by(EscalationRecord.created_at.desc(), EscalationRecord.id.desc())
        )
    )


def as_data(record: EscalationRecord) -> dict[str, Any]:
    """A record as JSON-ready values (``ticket_data``)."""
    return {
        "level": record.level,
        "reason": record.reason,
        "actor": record.actor_label,
        "at": record.created_at.isoformat(),
    }


def escalate_by_hand(
    ticket: Ticket, actor: User, reason: str, *, version: int | None
) -> EscalationRecord:
    """Escalate ``ticket`` for ``actor`` with ``reason``; each call is a new record.

    The record joins the session first, so ``tickets.escalate`` commits it with
    the audit event and the mails, or rolls it back with them. The service's
    refusals (``servicedesk.services.errors``) reach the caller; the session is
    then clean again.
    """
    record = EscalationRecord(
        ticket_id=ticket.id,
        level=MANUAL,
        # Stored as the service stores the audit event's reason.
        reason=reason.strip().replace("\r\n", "\n").replace("\r", "\n"),
        actor_id=actor.id,
        actor_label=actor_label(actor)[:100],
        created_at=clock.now(),
    )
    db.session.add(record)
    try:
        with recording():
            tickets.escalate(ticket.id, actor, level=MANUAL, reason=reason, version=version)
    except BaseException:
        # Some refusals come before the service's own transaction: drop the record.
        db.session.rollback()
        raise
    return record


@contextmanager
def recording() -> Iterator[None]:
    """Mark a ``tickets.escalate`` call whose record the caller has added itself."""
    token = _recording.set(True)
    try:
        yield
    finally:
        _recording.reset(token)


def record_event(event: TicketEvent) -> None:
    """Record an escalation someone else made through the service (``ticket_event``).

    Other plugins and the API may call ``tickets.escalate`` too; the
    supervisors' list and the history should show those escalations as well.
    Runs after their commit, in a transaction of its own.
    """
    if _recording.get():
        return
    db.session.add(
        EscalationRecord(
            ticket_id=event.ticket_id,
            level=event.new_value or MANUAL,
            reason=event.detail or "",
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            created_at=event.created_at,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        # That automatic level is already recorded for the ticket: keep the first.
        db.session.rollback()


@dataclass(frozen=True)
class Row:
    """One line of the supervisors' list: a ticket and its latest escalation."""

    record: EscalationRecord
    ticket: Ticket


def open_escalations(actor: Actor, *, page: int, per_page: int) -> tuple[list[Row], bool]:
    """Unfinished escalated tickets ``actor`` may see, by latest escalation, newest
    first; and whether there is a next page."""
    newer = aliased(EscalationRecord)
    query = (
        select(EscalationRecord, Ticket)
        .join(Ticket, Ticket.id == EscalationRecord.ticket_id)
        .where(
            Ticket.status.in_(UNFINISHED),
            # The ticket's latest record only (ix_escalation_records_ticket_id_created_at).
            ~select(newer.id)
            .where(newer.ticket_id == EscalationRecord.ticket_id, newer.id > EscalationRecord.id)
            .exists(),
        )
        .order_by(EscalationRecord.created_at.desc(), EscalationRecord.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    )
    query = _visible(query, actor)
    rows = [Row(record=record, ticket=ticket) for record, ticket in db.session.execute(query)]
    return rows[:per_page], len(rows) > per_page


def breached_open_count(actor: Actor) -> int:
    """Unfinished tickets ``actor`` may see that were escalated at breach."""
    query = (
        select(func.count())
        .select_from(EscalationRecord)
        .join(Ticket, Ticket.id == EscalationRecord.ticket_id)
        .where(EscalationRecord.level == BREACH, Ticket.status.in_(UNFINISHED))
    )
    return db.session.scalar(_visible(query, actor)) or 0


def may_oversee(actor: object) -> bool:
    """Supervisors and administrators watch the escalations."""
    return isinstance(actor, User) and actor.active and actor.role in (Role.SUPERVISOR, Role.ADMIN)


def _visible(query: Any, actor: Actor) -> Any:
    # The same rule as servicedesk.policy.can(VIEW), as SQL: administrators see
    # every department, everyone else their own.
    if isinstance(actor, User) and actor.role == Role.ADMIN:
        return query
    ids = actor.department_ids if isinstance(actor, User) else set()
    return query.where(Ticket.department_id.in_(sorted(ids)))
