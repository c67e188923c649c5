"""The append-only audit trail of every ticket."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models.people import User
from servicedesk.models.tickets import Ticket


class EventKind(enum.StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    ASSIGNED = "assigned"
    STATUS = "status"
    PRIORITY = "priority"
    REPLIED = "replied"
    NOTED = "noted"
    CUSTOMER_REPLIED = "customer_replied"
    ESCALATED = "escalated"


class TicketEvent(db.Model):
    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    # Open-ended so plugins can record their own kinds of event.
    kind: Mapped[str] = mapped_column(String(32))
    # No user for the customer and for the system; ``actor_label`` says which.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(String(255))
    new_value: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    actor: Mapped[User | None] = relationship()
    ticket: Mapped[Ticket] = relationship()

    def __repr__(self) -> str:
        return f"<TicketEvent {self.kind} {self.old_value!r}->{self.new_value!r}>"


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _refuse_rewrite(mapper: Any, connection: Any, target: TicketEvent) -> None:
    raise RuntimeError("the audit trail is append-only")
