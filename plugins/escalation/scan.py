"""The every-minute scan: escalate tickets at their SLA warning and at breach, once each.

Exactly once, however many workers scan at the same time: each escalation is
claimed by inserting its ``escalation_records`` row (unique per ticket and
automatic level) before ``tickets.escalate`` commits it together with the
audit event and the mails. A worker that loses the race gets an
IntegrityError (or, if the ticket row changed under it, a Conflict), rolls
back and moves on; nothing of its attempt is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Department, Priority, Status, Ticket
from servicedesk.policy import SYSTEM, actor_label
from servicedesk.services import tickets
from servicedesk.services.errors import Conflict, NotFound, ServiceError

from . import records
from .models import BREACH, WARNING, EscalationRecord

log = logging.getLogger(__name__)

JOB_NAME = "escalation.scan"
KEY_ACCOUNTS = "key_accounts"
# The SLA clock runs only for these; a pending ticket's clock is paused.
RUNNING = (Status.NEW, Status.OPEN)
# Tickets per level per run: a backlog is worked off over the next minutes
# instead of holding one run (and its job lease) for long.
BATCH = 200


@dataclass
class ScanResult:
    """What one run did, for the log and the tests."""

    escalated: dict[str, list[int]] = field(default_factory=lambda: {BREACH: [], WARNING: []})
    skipped: int = 0


def run(app: Flask | None = None) -> ScanResult:
    """The scheduled job: breaches first, then warnings of tickets not yet breached.

    Needs an app context (the worker gives it one); ``app`` is not used.
    """
    now = clock.now()
    result = ScanResult()
    for level in (BREACH, WARNING):
        for ticket_id in db.session.scalars(_candidates(level, now)).all():
            if _escalate(ticket_id, level, now):
                result.escalated[level].append(ticket_id)
            else:
                result.skipped += 1
    if any(result.escalated.values()):
        log.info("escalation scan: %s", {k: len(v) for k, v in result.escalated.items()})
    return result


def _candidates(level: str, now: datetime) -> Select[tuple[int]]:
    """Running tickets past the level's instant and not yet escalated at it.

    Both levels read ``ix_tickets_sla_warn_at``: a ticket's warning instant is
    never after its breach instant, so every breached ticket is also past its
    warning. The records are looked up by ticket (their ticket_id index).
    """
    # A breach makes the warning moot: a ticket first seen breached is
    # escalated at breach only, and never warned afterwards.
    done = (BREACH,) if level == BREACH else (WARNING, BREACH)
    query = (
        select(Ticket.id)
        .where(
            Ticket.sla_warn_at <= now,
            Ticket.status.in_(RUNNING),
            ~select(EscalationRecord.id)
            .where(EscalationRecord.ticket_id == Ticket.id, EscalationRecord.level.in_(done))
            .exists(),
        )
        .order_by(Ticket.sla_warn_at, Ticket.id)
        .limit(BATCH)
    )
    if level == BREACH:
        return query.where(Ticket.sla_breach_at <= now)
    return query.where(or_(Ticket.sla_breach_at.is_(None), Ticket.sla_breach_at > now))


def _escalate(ticket_id: int, level: str, now: datetime) -> bool:
    """Claim and escalate one ticket at ``level``; False when there was nothing to do."""
    try:
        # Fresh from the database: another worker or an agent may have just
        # changed it, and the version read here is the one escalate must find.
        ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
        if ticket is None or not _due(ticket, level, now):
            db.session.rollback()
            return False
        record = EscalationRecord(
            ticket_id=ticket.id,
            level=level,
            reason=_reason(ticket, level),
            actor_id=None,
            actor_label=actor_label(SYSTEM)[:100],
            created_at=now,
        )
        db.session.add(record)
        # The claim. A concurrent claim of the same (ticket, level) waits for
        # ours to commit or roll back, then fails: only one worker goes on.
        db.session.flush()
        changes = _breach_changes(ticket) if level == BREACH else {}
        reason = record.reason
        with records.recording():
            tickets.escalate(
                ticket_id, SYSTEM, level=level, reason=reason, version=ticket.version, **changes
            )
    except IntegrityError:
        db.session.rollback()  # another worker escalated it first
        return False
    except (Conflict, NotFound):
        # The ticket changed (or went) since we read it: the next run sees it afresh.
        db.session.rollback()
        return False
    except ServiceError as refused:
        # E.g. a plugin's veto: nothing was written; the next run tries again.
        db.session.rollback()
        log.warning("escalation of ticket %s at %s refused: %s", ticket_id, level, refused)
        return False
    except Exception:
        # One broken ticket must not stop the others from being escalated.
        db.session.rollback()
        log.exception("escalation of ticket %s at %s failed", ticket_id, level)
        return False
    return True


def _due(ticket: Ticket, level: str, now: datetime) -> bool:
    """The candidate query's condition, checked again on the fresh row."""
    if ticket.status not in RUNNING or ticket.sla_warn_at is None or ticket.sla_warn_at > now:
        return False
    breached = ticket.sla_breach_at is not None and ticket.sla_breach_at <= now
    return breached if level == BREACH else not breached


def _breach_changes(ticket: Ticket) -> dict[str, object]:
    """One step up in priority (at least high), and key accounts to their department."""
    raised = max(Priority.HIGH, min(Priority(ticket.priority) + 1, Priority.URGENT))
    changes: dict[str, object] = {"priority": Priority(raised)}
    customer = ticket.customer
    if customer is not None and customer.key_account and ticket.department.code != KEY_ACCOUNTS:
        target = db.session.scalar(
            select(Department).where(Department.code == KEY_ACCOUNTS, Department.active)
        )
        if target is not None:
            changes["department"] = KEY_ACCOUNTS
        else:
            log.warning("no active %s department: ticket %s stays", KEY_ACCOUNTS, ticket.id)
    return changes


def _reason(ticket: Ticket, level: str) -> str:
    """The audit trail's and the mails' explanation, in the centre's language."""
    first_response = (
        ticket.first_response_at is None
        and ticket.first_response_due_at is not None
        and ticket.first_response_due_at == ticket.sla_breach_at
    )
    due = _local(ticket.sla_breach_at) if ticket.sla_breach_at else "?"
    if level == BREACH:
        if first_response:
            return _("SLA breached: the first response was due %(due)s.", due=due)
        return _("SLA breached: the resolution was due %(due)s.", due=due)
    percent = round(float(current_app.config.get("SLA_WARN_FRACTION", 0.8)) * 100)
    if first_response:
        return _(
            "SLA at risk: %(percent)d%% of the time for the first response is used; "
            "it is due %(due)s.",
            percent=percent,
            due=due,
        )
    return _(
        "SLA at risk: %(percent)d%% of the time for the resolution is used; it is due %(due)s.",
        percent=percent,
        due=due,
    )


def _local(moment: datetime) -> str:
    # The centre's clock, named: "CST" would be ambiguous in a mail.
    zone = ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"
