"""The minute job that mails due surveys, each exactly once.

Each survey is claimed with one conditional UPDATE (``sent_at IS NULL``) in
the transaction that also queues its mail: however many workers run the job,
and however often, only the one whose UPDATE changed the row sends it; a
rollback un-claims it and queues nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select, update

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.jobs import ScheduledJob
from servicedesk.links import external_url
from servicedesk.models import Ticket
from servicedesk.services.errors import ServiceError
from servicedesk.services.notifications import mail_locale
from servicedesk.services.outbox import enqueue
from servicedesk.services.tokens import new_token
from servicedesk_plugins.satisfaction import services
from servicedesk_plugins.satisfaction.models import CancelReason, SatisfactionSurvey

log = logging.getLogger(__name__)

JOB_NAME = "satisfaction.send_surveys"
# Surveys handled per run; the rest wait for the next minute.
BATCH = 500
MAIL_KIND = "satisfaction_survey"
TEMPLATE = "satisfaction/emails/survey"


def job() -> ScheduledJob:
    return ScheduledJob(name=JOB_NAME, run=run, every=timedelta(minutes=1))


def run(app: Flask) -> int:
    return send_due()


def send_due(*, batch: int = BATCH) -> int:
    """Mail every survey whose time has come; how many were queued."""
    now = clock.now()
    due = list(
        db.session.scalars(
            select(SatisfactionSurvey.id)
            .where(
                SatisfactionSurvey.sent_at.is_(None),
                SatisfactionSurvey.cancelled_at.is_(None),
                SatisfactionSurvey.answered_at.is_(None),
                SatisfactionSurvey.send_after <= now,
            )
            .order_by(SatisfactionSurvey.send_after, SatisfactionSurvey.id)
            .limit(batch)
        )
    )
    db.session.rollback()  # end the read: every claim below is its own transaction
    sent = 0
    for survey_id in due:
        try:
            sent += send_one(survey_id, now)
        except Exception:
            # One broken survey must not hold up the others; it is tried again next run.
            db.session.rollback()
            log.exception("could not send satisfaction survey %s", survey_id)
    return sent


def send_one(survey_id: int, now: datetime) -> bool:
    """Claim and mail one survey in one transaction; whether this call sent it."""
    survey = db.session.get(SatisfactionSurvey, survey_id, populate_existing=True)
    if survey is None or survey.sent_at is not None:
        return False
    ticket = db.session.get(Ticket, survey.ticket_id)
    contact = ticket.contact if ticket is not None else None
    if contact is None:
        return _cancel(survey_id, CancelReason.NO_CONTACT, now)
    if ticket.status not in services.SETTLED:
        # Reopened (the hook that cancels it failed, or ran late): nothing to rate yet.
        return _cancel(survey_id, CancelReason.REOPENED, now)

    token, token_hash = new_token()
    claimed = db.session.execute(
        update(SatisfactionSurvey)
        .where(
            SatisfactionSurvey.id == survey_id,
            SatisfactionSurvey.sent_at.is_(None),
            SatisfactionSurvey.cancelled_at.is_(None),
            SatisfactionSurvey.answered_at.is_(None),
        )
        .values(sent_at=now, token_hash=token_hash),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        db.session.rollback()  # another worker got there first, or it was answered
        return False
    language = mail_locale(contact.locale)
    try:
        enqueue(
            kind=MAIL_KIND,
            recipient=contact.email,
            template=TEMPLATE,
            locale=language,
            context={
                "name": contact.name,
                "reference": ticket.reference,
                "survey_url": external_url("satisfaction.answer", token=token),
                "department": ticket.department.name(language),
            },
            ticket=ticket,
        )
    except ServiceError:
        # An address the outbox refuses: no mail will ever reach it.
        db.session.rollback()
        return _cancel(survey_id, CancelReason.NO_CONTACT, now)
    db.session.commit()
    return True


def _cancel(survey_id: int, reason: str, now: datetime) -> bool:
    services.cancel_where(SatisfactionSurvey.id == survey_id, reason=reason, now=now)
    db.session.commit()
    return False
