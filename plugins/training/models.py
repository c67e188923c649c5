"""The training department's own tables: sessions on a ticket and who attends them."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk import clock
from servicedesk.extensions import db
from servicedesk.models import Ticket, User
from servicedesk.orm import UTCDateTime


class Mode(enum.StrEnum):
    ONSITE = "onsite"
    ONLINE = "online"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def utc_now() -> datetime:
    # The core's clock: the demo loader replays history at chosen moments with it.
    return clock.now()


class TrainingSession(db.Model):
    """One training session held for the customer of a ticket."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        # The dashboard counts scheduled sessions in a date range.
        Index("ix_training_sessions_status_starts_at", "status", "starts_at"),
        CheckConstraint("mode IN ('onsite', 'online')", name="mode"),
        CheckConstraint("status IN ('scheduled', 'completed', 'cancelled')", name="status"),
        CheckConstraint("duration_minutes > 0", name="duration_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))
    # The address or room for onsite sessions, the meeting link for online ones.
    place: Mapped[str | None] = mapped_column(String(300))
    online_link: Mapped[str | None] = mapped_column(String(500))
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    ticket: Mapped[Ticket] = relationship()
    trainer: Mapped[User | None] = relationship(foreign_keys=[trainer_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    attendees: Mapped[list[TrainingAttendee]] = relationship(
        back_populates="session",
        order_by="TrainingAttendee.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def location(self) -> str | None:
        return self.online_link if self.mode == Mode.ONLINE else self.place

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}>"


class TrainingAttendee(db.Model):
    """A person of the customer's staff expected at a session."""

    __tablename__ = "training_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    # None until attendance is taken: "not recorded" differs from "absent".
    attended: Mapped[bool | None] = mapped_column(Boolean)
    completed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    session: Mapped[TrainingSession] = relationship(back_populates="attendees")

    def __repr__(self) -> str:
        return f"<TrainingAttendee {self.name!r}>"
