"""Helpers for the satisfaction tests: act as the worker and read what it did."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import OutboxMessage, Ticket
from servicedesk_plugins.satisfaction import jobs
from servicedesk_plugins.satisfaction.models import SatisfactionSurvey

# A fixed start, so "an hour later" is exact; every step runs under clock.at.
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LINK = re.compile(r"http://desk\.test(/satisfaction/s/[A-Za-z0-9_-]+)")


def at(minutes: float):
    """``clock.at`` so many minutes after T0."""
    return clock.at(T0 + timedelta(minutes=minutes))


def send(minutes: float) -> int:
    """Run the job's work as the worker would, ``minutes`` after T0."""
    with at(minutes):
        return jobs.send_due()


def survey_mails() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == jobs.MAIL_KIND)
            .order_by(OutboxMessage.id)
        )
    )


def link_in(message: OutboxMessage) -> str:
    """The survey page's path, from the mail's plain-text body."""
    found = LINK.search(message.body_text)
    assert found, message.body_text
    return found.group(1)


def survey_of(ticket_id: int) -> SatisfactionSurvey:
    db.session.expire_all()
    return db.session.scalars(
        select(SatisfactionSurvey).where(SatisfactionSurvey.ticket_id == ticket_id)
    ).one()


def fresh(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)
