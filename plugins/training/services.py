"""Training sessions: scheduling, attendance, completion and what the pages read.

Each change that matters to the ticket (scheduling, completing, cancelling) is
written together with an internal note on the ticket: the session rows go into
the session first, and ``tickets.add_note`` commits both in one transaction, or
neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from servicedesk.extensions import db
from servicedesk.models import Department, Ticket, User, memberships
from servicedesk.policy import Action, Actor, can
from servicedesk.services import tickets, users
from servicedesk.services.errors import NotFound, PermissionDenied, ValidationError
from servicedesk_plugins.training.forms import REQUEST_KIND, Mark, SessionInput
from servicedesk_plugins.training.models import (
    Mode,
    SessionStatus,
    TrainingAttendee,
    TrainingSession,
    utc_now,
)

DEPARTMENT = "training"
MAX_ID = 2**31 - 1


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def is_training_ticket(ticket: Ticket) -> bool:
    """A training request, or any ticket the training department is working on."""
    return ticket.kind == REQUEST_KIND or ticket.department.code == DEPARTMENT


def sessions_for(ticket_id: int) -> list[TrainingSession]:
    """The ticket's sessions in date order, with their trainers and attendees loaded."""
    return list(
        db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.ticket_id == ticket_id)
            .options(
                selectinload(TrainingSession.attendees),
                selectinload(TrainingSession.trainer),
            )
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
    )


def trainers() -> list[User]:
    """Who may lead a session: the active members of the training department."""
    return list(
        db.session.scalars(
            select(User)
            .join(memberships, memberships.c.user_id == User.id)
            .join(Department, Department.id == memberships.c.department_id)
            .where(Department.code == DEPARTMENT, User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def is_member(user: Any) -> bool:
    """Whether a signed-in staff member belongs to the training department."""
    return isinstance(user, User) and users.works_in(user, DEPARTMENT)


def may_schedule(actor: Actor, ticket: Ticket) -> bool:
    return can(actor, Action.NOTE, ticket)


def upcoming_count(days: int = 14, now: datetime | None = None) -> int:
    """Scheduled sessions starting within the next ``days`` days."""
    start = now or utc_now()
    return db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < start + timedelta(days=days),
        )
    )


def session_data(session: TrainingSession) -> dict[str, Any]:
    """A session as JSON-ready values (the ticket's API form, exports)."""
    return {
        "id": session.id,
        "topic": session.topic,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "mode": session.mode,
        "place": session.place,
        "online_link": session.online_link,
        "trainer": session.trainer.name if session.trainer else None,
        "status": session.status,
        "attendees": [
            {
                "name": attendee.name,
                "email": attendee.email,
                "attended": attendee.attended,
                "completed": attendee.completed,
            }
            for attendee in session.attendees
        ],
    }


# --------------------------------------------------------------------------
# Changing
# --------------------------------------------------------------------------


def schedule_session(ticket_id: int, actor: Actor, data: SessionInput) -> TrainingSession:
    """Add a session to the ticket, with an internal note saying so, in one transaction."""
    ticket = tickets.get_ticket(ticket_id, actor)
    _require_may_act(actor, ticket)
    trainer = None
    if data.trainer_id is not None:
        # Checked again here: the form's list may be older than a membership change.
        trainer = next((user for user in trainers() if user.id == data.trainer_id), None)
        if trainer is None:
            raise ValidationError.single(
                "trainer", _("Choose a trainer from the training department, or nobody yet.")
            )
    session = TrainingSession(
        ticket_id=ticket.id,
        starts_at=data.starts_at,
        duration_minutes=data.duration_minutes,
        mode=data.mode,
        place=data.place,
        online_link=data.online_link,
        trainer=trainer,
        topic=data.topic,
        status=SessionStatus.SCHEDULED,
        created_at=utc_now(),
        created_by=actor if isinstance(actor, User) else None,
        attendees=[TrainingAttendee(name=a.name, email=a.email) for a in data.attendees],
    )
    db.session.add(session)
    _commit_with_note(ticket.id, actor, _scheduled_note(session))
    return session


def record_attendance(
    session_id: object, actor: Actor, marks: Mapping[int, Mark], *, complete: bool = False
) -> TrainingSession:
    """Record who came and who completed; with ``complete`` the session is done too."""
    session = _session_to_change(session_id, actor)
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError.single("session", _("This session was cancelled."))
    if complete:
        _require_scheduled(session)
        if session.starts_at > utc_now():
            raise ValidationError.single(
                "session",
                _("This session has not started yet; complete it once it has taken place."),
            )
    for attendee in session.attendees:
        mark = marks.get(attendee.id)
        if mark is not None:
            attendee.attended = mark.attended
            attendee.completed = mark.completed
    if not complete:
        # Only the plugin's own rows changed: nothing for the ticket's trail.
        db.session.commit()
        return session
    session.status = SessionStatus.COMPLETED
    _commit_with_note(session.ticket_id, actor, _completed_note(session))
    return session


def cancel_session(session_id: object, actor: Actor, reason: str | None) -> TrainingSession:
    session = _session_to_change(session_id, actor)
    _require_scheduled(session)
    session.status = SessionStatus.CANCELLED
    _commit_with_note(session.ticket_id, actor, _cancelled_note(session, reason))
    return session


def _session_to_change(session_id: object, actor: Actor) -> TrainingSession:
    number = session_id if isinstance(session_id, int) else None
    session = db.session.get(TrainingSession, number) if number and 0 < number <= MAX_ID else None
    if session is None:
        raise NotFound(_("No such training session."))
    ticket = tickets.get_ticket(session.ticket_id, actor)  # NotFound when not visible
    _require_may_act(actor, ticket)
    return session


def _require_may_act(actor: Actor, ticket: Ticket) -> None:
    if not may_schedule(actor, ticket):
        db.session.rollback()
        raise PermissionDenied(
            _("Only staff of the department handling %(ref)s may do this.", ref=ticket.reference)
        )


def _require_scheduled(session: TrainingSession) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError.single("session", _("This session is no longer scheduled."))


def _commit_with_note(ticket_id: int, actor: Actor, body: str) -> None:
    # The service commits our pending rows with its note, or rolls back both;
    # a refusal raised before its transaction starts must not leave them behind.
    try:
        tickets.add_note(ticket_id, actor, body, version=None)
    except BaseException:
        db.session.rollback()
        raise


# --------------------------------------------------------------------------
# The notes on the ticket, in the acting agent's language
# --------------------------------------------------------------------------


def when(session: TrainingSession) -> str:
    """Start time in the centre's time zone, with the zone named (notes are read later)."""
    return _(
        "%(start)s (%(zone)s), %(minutes)d minutes",
        start=format_datetime(session.starts_at, "yyyy-MM-dd HH:mm"),
        zone=current_app.config["TIMEZONE"],
        minutes=session.duration_minutes,
    )


def _where(session: TrainingSession) -> str:
    if session.mode == Mode.ONLINE:
        return _("Online: %(link)s", link=session.online_link)
    return _("On site: %(place)s", place=session.place)


def _scheduled_note(session: TrainingSession) -> str:
    lines = [
        _("Training session scheduled: %(topic)s", topic=session.topic),
        _("When: %(when)s", when=when(session)),
        _where(session),
        _(
            "Trainer: %(name)s",
            name=session.trainer.name if session.trainer else _("not yet chosen"),
        ),
        ngettext("%(num)d attendee listed.", "%(num)d attendees listed.", len(session.attendees)),
    ]
    return "\n".join(lines)


def _completed_note(session: TrainingSession) -> str:
    total = len(session.attendees)
    present = sum(1 for attendee in session.attendees if attendee.attended)
    completed = sum(1 for attendee in session.attendees if attendee.completed)
    return "\n".join(
        [
            _("Training session completed: %(topic)s", topic=session.topic),
            _("When: %(when)s", when=when(session)),
            _(
                "Present: %(present)d of %(total)d; completed the training: %(completed)d.",
                present=present,
                total=total,
                completed=completed,
            ),
        ]
    )


def _cancelled_note(session: TrainingSession, reason: str | None) -> str:
    lines = [
        _("Training session cancelled: %(topic)s", topic=session.topic),
        _("When: %(when)s", when=when(session)),
    ]
    if reason:
        lines.append(_("Reason: %(reason)s", reason=reason))
    return "\n".join(lines)
