"""Service-level policies and the business-hours calendars their clocks run on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicedesk.extensions import db


class SlaCalendar(db.Model):
    """Opening hours in one time zone; ``weekly`` maps "0".."6" (Monday = 0) to
    a list of ``["09:00", "18:00"]`` shifts."""

    __tablename__ = "sla_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    days: Mapped[list[SlaCalendarDay]] = relationship(
        back_populates="calendar", order_by="SlaCalendarDay.day", cascade="all, delete-orphan"
    )


class SlaCalendarDay(db.Model):
    """A holiday (nobody works) or a make-up working day (调休) of a calendar."""

    __tablename__ = "sla_calendar_days"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("sla_calendars.id", ondelete="CASCADE"))
    day: Mapped[date]
    working: Mapped[bool] = mapped_column(Boolean, default=False)  # True: make-up workday
    name: Mapped[str | None] = mapped_column(String(100))

    calendar: Mapped[SlaCalendar] = relationship(back_populates="days")


class SlaPolicy(db.Model):
    """Targets for the tickets it matches; the lowest rank that matches wins.

    Each criterion left empty matches anything.
    """

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    rank: Mapped[int] = mapped_column(Integer, index=True)
    key_account: Mapped[bool | None] = mapped_column(Boolean)
    abc_class: Mapped[str | None] = mapped_column(String(1))
    position: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[int | None] = mapped_column(SmallInteger)
    kind: Mapped[str | None] = mapped_column(String(32))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    calendar: Mapped[SlaCalendar | None] = relationship()


class SlaScanMark(db.Model):
    """When ``servicedesk sla scan`` last ran (one row), so each crossing is reported once."""

    __tablename__ = "sla_scan_marks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    scanned_at: Mapped[datetime]
