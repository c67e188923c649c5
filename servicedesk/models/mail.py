"""Email received from the centre's mailbox, one row per message."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models.tickets import Ticket


class InboundOutcome(enum.StrEnum):
    CREATED = "created"  # became a new ticket
    APPENDED = "appended"  # became a customer message on an existing ticket
    # Out-of-office answers, read receipts, bulk and mailing-list mail.
    AUTOMATIC = "automatic"
    BOUNCE = "bounce"  # a delivery failure report
    LOOP = "loop"  # our own mail came back
    REFUSED = "refused"  # nothing usable: no valid sender, no text


class InboundMail(db.Model):
    """What became of one received email.

    The unique Message-ID makes processing idempotent (a message fetched twice,
    or by two workers, is filed once), and the ticket it went to lets a
    follow-up that answers the customer's own email find the same ticket.
    """

    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, or a digest of the message when it has none.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))
    # Why it went where it did, when that is not obvious (for admins).
    detail: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=clock.now)

    ticket: Mapped[Ticket | None] = relationship()

    def __repr__(self) -> str:
        return f"<InboundMail {self.message_id} {self.outcome}>"
