"""The plugin's one table: a survey per resolved ticket, with its answer.

Department, agent and customer tier are copied at resolution, so the report
says who handled the request then, not where the ticket has wandered since.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Ticket

COMMENT_MAX = 2000


class Tier(enum.StrEnum):
    """The customer's tier at resolution; ``None`` in the table means unknown."""

    KEY = "key"  # a key account, whatever its ABC class
    A = "A"
    B = "B"
    C = "C"


class CancelReason(enum.StrEnum):
    REOPENED = "reopened"  # reopened before the survey went out
    NO_CONTACT = "no_contact"  # nobody to send it to


class Channel(enum.StrEnum):
    """Where the customer answered."""

    EMAIL = "email"  # the no-login link in the survey mail
    TRACKING = "tracking"  # the form on the tracking page


class SatisfactionSurvey(db.Model):
    __tablename__ = "satisfaction_surveys"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        # The send job's scan: unsent surveys whose time has come.
        Index("ix_satisfaction_surveys_sent_at_send_after", "sent_at", "send_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One survey per ticket, ever: a ticket resolved again gets no second one.
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    customer_tier: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    send_after: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # SHA-256 of the link's token; the token itself only ever goes into the mail.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(index=True)
    answered_via: Mapped[str | None] = mapped_column(String(16))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    # Set once a low rating's reopen, route and note have all gone through.
    followed_up_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship()

    @property
    def state(self) -> str:
        """answered, cancelled, sent or scheduled: what the desk panel says."""
        if self.answered_at is not None:
            return "answered"
        if self.sent_at is not None:
            return "sent"
        if self.cancelled_at is not None:
            return "cancelled"
        return "scheduled"

    def __repr__(self) -> str:
        return f"<SatisfactionSurvey ticket={self.ticket_id} {self.state}>"
