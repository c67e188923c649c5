"""Surveys: scheduled at resolution, sent once, answered once, followed up when low.

Every write here commits itself (the plugin contract: hooks run after the
core's commit). Ticket changes go through ``servicedesk.services.tickets``
only, so a low rating's reopen, route and note are in the audit trail.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Customer, Status, Ticket
from servicedesk.policy import SYSTEM
from servicedesk.services import tickets
from servicedesk.services.errors import Conflict, ServiceError
from servicedesk.services.tokens import hash_token
from servicedesk_plugins.satisfaction.models import (
    CancelReason,
    Channel,
    SatisfactionSurvey,
    Tier,
)

log = logging.getLogger(__name__)

# Numeric settings: (default, lowest, highest). A low-rating threshold of 0
# records every answer and reopens nothing.
SETTINGS: dict[str, tuple[int, int, int]] = {
    "SATISFACTION_DELAY_MINUTES": (60, 0, 60 * 24 * 90),
    "SATISFACTION_LOW_RATING": (2, 0, 5),
}
DEFAULTS: dict[str, Any] = {name: spec[0] for name, spec in SETTINGS.items()} | {
    # Where a low rating sends the ticket.
    "SATISFACTION_FOLLOW_UP_DEPARTMENT": "follow_up",
}

# A ticket counts as resolved for the survey while it is resolved, or closed
# after that; any other status means it was reopened.
SETTLED = (Status.RESOLVED, Status.CLOSED)

# The five answers, in words: the form's choices and how answers are shown.
SCALE: dict[int, Any] = {
    1: _l("Very dissatisfied"),
    2: _l("Dissatisfied"),
    3: _l("Neither satisfied nor dissatisfied"),
    4: _l("Satisfied"),
    5: _l("Very satisfied"),
}
RATINGS = tuple(SCALE)


class AlreadyAnswered(ServiceError):
    """The survey has its answer; a second one is refused."""


def setting(name: str) -> Any:
    return current_app.config.get(name, DEFAULTS[name])


def low_rating() -> int:
    return int(setting("SATISFACTION_LOW_RATING"))


def tier_of(customer: Customer | None) -> str | None:
    """Key account first (whatever its class), then the ABC class; None if unknown."""
    if customer is None:
        return None
    if customer.key_account:
        return Tier.KEY
    if customer.abc_class in (Tier.A, Tier.B, Tier.C):
        return customer.abc_class
    return None


def survey_for(ticket_id: int) -> SatisfactionSurvey | None:
    return db.session.scalar(
        select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == ticket_id)
    )


def find_by_token(token: object) -> SatisfactionSurvey | None:
    """The survey a mailed link opens; None for anything that is not one of ours."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(
        select(SatisfactionSurvey).where(SatisfactionSurvey.token_hash == hash_token(token))
    )


# --------------------------------------------------------------------------
# Lifecycle: resolved and reopened
# --------------------------------------------------------------------------


def schedule(ticket: Ticket, resolver_id: int | None = None) -> SatisfactionSurvey:
    """Plan the survey of a ticket just resolved, with the report's snapshot.

    A ticket has one survey, ever. One that never went out (cancelled by a
    reopen) is planned again for this resolution instead, so the customer is
    asked about the outcome that counts; a survey already sent or answered
    stays as it is.
    """
    now = clock.now()
    send_after = now + timedelta(minutes=int(setting("SATISFACTION_DELAY_MINUTES")))
    snapshot = {
        "department_id": ticket.department_id,
        # Nobody assigned: the agent who resolved it is the one who answered for it.
        "agent_id": ticket.assignee_id or resolver_id,
        "customer_tier": tier_of(ticket.customer),
    }
    survey = survey_for(ticket.id)
    if survey is None:
        survey = SatisfactionSurvey(
            ticket_id=ticket.id, created_at=now, send_after=send_after, **snapshot
        )
        db.session.add(survey)
    elif survey.sent_at is None and survey.answered_at is None:
        survey.cancelled_at = None
        survey.cancel_reason = None
        survey.send_after = send_after
        for name, value in snapshot.items():
            setattr(survey, name, value)
    else:
        return survey
    try:
        db.session.commit()
    except IntegrityError:
        # Resolved twice at once in two requests: the other one planned it.
        db.session.rollback()
        other = survey_for(ticket.id)
        if other is None:
            raise
        return other
    return survey


def cancel_unsent(ticket_id: int, reason: str = CancelReason.REOPENED) -> bool:
    """Stop a survey that has not gone out; whether one was stopped."""
    done = cancel_where(SatisfactionSurvey.ticket_id == ticket_id, reason=reason, now=clock.now())
    db.session.commit()
    return done


def cancel_where(condition: Any, *, reason: str, now: datetime) -> bool:
    """Cancel the unsent, unanswered surveys matching ``condition`` (not committed)."""
    result = db.session.execute(
        update(SatisfactionSurvey)
        .where(
            condition,
            SatisfactionSurvey.sent_at.is_(None),
            SatisfactionSurvey.answered_at.is_(None),
            SatisfactionSurvey.cancelled_at.is_(None),
        )
        .values(cancelled_at=now, cancel_reason=reason),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)


# --------------------------------------------------------------------------
# The customer's answer
# --------------------------------------------------------------------------


def offered(ticket: Ticket, survey: SatisfactionSurvey | None) -> bool:
    """Whether the tracking page asks for a rating: once the survey went out,
    or while the ticket stands resolved, and never after an answer."""
    if survey is None:
        # Resolved while the plugin was off: no survey planned, but one may be given.
        return ticket.status == Status.RESOLVED
    if survey.answered_at is not None:
        return False
    return survey.sent_at is not None or ticket.status in SETTLED


def refusal(ticket: Ticket, survey: SatisfactionSurvey | None) -> str | None:
    """Why the tracking page's form cannot be answered now, or None if it can."""
    if survey is not None and survey.answered_at is not None:
        return already_answered_message()
    if not offered(ticket, survey):
        return _("There is no survey to answer for this request at the moment.")
    return None


def already_answered_message() -> str:
    return _("You have already answered this survey. Thank you: we keep your first answer.")


def answer(survey_id: int, *, rating: int, comment: str | None, via: Channel) -> bool:
    """Record the rating (committed first), then follow a low one up; whether
    it was low (and the ticket has been reopened, as far as it could be).

    The answer is claimed with one conditional UPDATE, so two submissions at
    the same moment cannot both count.
    """
    if rating not in RATINGS:
        raise ValueError("rating out of range")  # the schema refuses it first
    result = db.session.execute(
        update(SatisfactionSurvey)
        .where(SatisfactionSurvey.id == survey_id, SatisfactionSurvey.answered_at.is_(None))
        .values(answered_at=clock.now(), rating=rating, comment=comment or None, answered_via=via),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise AlreadyAnswered(already_answered_message())
    db.session.commit()
    if rating > low_rating():
        return False
    follow_up(survey_id)
    return True


def follow_up(survey_id: int) -> bool:
    """Reopen the ticket, send it to follow-up, and put the rating and comment
    in an internal note, each through the service layer; whether all went through.

    Each step is tried even if an earlier one was refused (a plugin's veto, a
    department switched off), so the note at least reaches the agents; the
    panel shows a rating whose follow-up did not complete.
    """
    # Fresh from the database: ``answer`` wrote the rating with an UPDATE, and a
    # session that does not expire on commit (the demo loader's) would still
    # hold the survey as it was before.
    survey = db.session.get(SatisfactionSurvey, survey_id, populate_existing=True)
    if survey is None or survey.rating is None:
        return False
    ticket_id, rating, comment = survey.ticket_id, survey.rating, survey.comment
    # Agents read the note: the centre's language, not the customer's.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        reason = _(
            "Satisfaction survey: the customer rated the service %(rating)d of 5.",
            rating=rating,
        )
        if comment:
            note = reason + "\n\n" + _("Their comment:") + "\n" + comment
        else:
            note = reason + "\n\n" + _("They left no comment.")
    target = str(setting("SATISFACTION_FOLLOW_UP_DEPARTMENT"))

    def reopen() -> None:
        ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
        if ticket is not None and ticket.status in SETTLED:
            tickets.reopen(ticket_id, SYSTEM, version=None, reason=reason)

    def route() -> None:
        ticket = db.session.get(Ticket, ticket_id, populate_existing=True)
        if ticket is not None and ticket.department.code != target:
            tickets.route(ticket_id, SYSTEM, target, version=None, reason=reason)

    def add_note() -> None:
        tickets.add_note(ticket_id, SYSTEM, note, version=None)

    done = all([_step(step, ticket_id) for step in (reopen, route, add_note)])
    if done:
        db.session.execute(
            update(SatisfactionSurvey)
            .where(SatisfactionSurvey.id == survey_id)
            .values(followed_up_at=clock.now()),
            execution_options={"synchronize_session": False},
        )
        db.session.commit()
    return done


def _step(step: Any, ticket_id: int) -> bool:
    # An agent saving the ticket at that instant is a Conflict: try once more.
    for attempt in range(2):
        try:
            step()
        except Conflict:
            if attempt:
                log.warning("satisfaction follow-up of ticket %s: conflict twice", ticket_id)
                return False
        except ServiceError as refused:
            log.warning("satisfaction follow-up of ticket %s refused: %s", ticket_id, refused)
            return False
        else:
            return True
    return False  # pragma: no cover
