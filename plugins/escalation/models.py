"""The plugin's own bookkeeping: one row per escalation, automatic or by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Ticket

WARNING = "warning"
BREACH = "breach"
MANUAL = "manual"
# The levels the scan gives at most once per ticket; manual escalations repeat.
AUTOMATIC = (WARNING, BREACH)
# The same list as SQL, for the partial index (both dialects need it as text).
_AUTOMATIC_SQL = text("level IN ('warning', 'breach')")


class EscalationRecord(db.Model):
    """A ticket was escalated: by the scan at a level, or by a person with a reason.

    Written in the same transaction as the core's ``escalated`` audit event
    (the row is in the session when ``tickets.escalate`` commits), so a record
    exists exactly when the escalation does.
    """

    __tablename__ = "escalation_records"
    __table_args__ = (
        # Exactly once per automatic level, whichever worker gets there first:
        # a second insert fails, and the escalation it would have committed
        # with it rolls back. Partial, so manual escalations may repeat.
        Index(
            "uq_escalation_records_ticket_id_level",
            "ticket_id",
            "level",
            unique=True,
            sqlite_where=_AUTOMATIC_SQL,
            postgresql_where=_AUTOMATIC_SQL,
        ),
        # A ticket's history, and the scan's "not yet escalated" lookups.
        Index("ix_escalation_records_ticket_id_created_at", "ticket_id", "created_at"),
        # The supervisors' list, newest first.
        Index("ix_escalation_records_created_at", "created_at"),
        # The desk's figure "open tickets escalated at breach" starts from the level.
        Index("ix_escalation_records_level_ticket_id", "level", "ticket_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    # No user for the scan (the system); ``actor_label`` says who it was.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    ticket: Mapped[Ticket] = relationship()

    def __repr__(self) -> str:
        return f"<EscalationRecord {self.ticket_id} {self.level}>"
