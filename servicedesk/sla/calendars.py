"""Business-hours calendars stored in the database, as ``business_hours.Calendar``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from servicedesk.extensions import db
from servicedesk.models import SlaCalendar, SlaCalendarDay
from servicedesk.sla.business_hours import Calendar, Shift

DEFAULT_CALENDAR = "china-office"
OFFICE_HOURS = {str(day): [["09:00", "18:00"]] for day in range(5)}

# Public holidays and make-up working days (调休) of 2026 as announced by the
# State Council (国务院办公厅关于2026年部分节假日安排的通知). Check the notice
# each year and add the next year's rows through the admin or the seed.
CHINA_2026_HOLIDAYS: tuple[tuple[str, str], ...] = (
    ("2026-01-01", "New Year"),
    ("2026-01-02", "New Year"),
    ("2026-01-03", "New Year"),
    *((f"2026-02-{d:02d}", "Spring Festival") for d in range(15, 24)),
    ("2026-04-04", "Qingming"),
    ("2026-04-05", "Qingming"),
    ("2026-04-06", "Qingming"),
    *((f"2026-05-{d:02d}", "Labour Day") for d in range(1, 6)),
    ("2026-06-19", "Dragon Boat"),
    ("2026-06-20", "Dragon Boat"),
    ("2026-06-21", "Dragon Boat"),
    ("2026-09-25", "Mid-Autumn"),
    ("2026-09-26", "Mid-Autumn"),
    ("2026-09-27", "Mid-Autumn"),
    *((f"2026-10-{d:02d}", "National Day") for d in range(1, 8)),
)
CHINA_2026_WORKDAYS: tuple[tuple[str, str], ...] = (
    ("2026-01-04", "New Year make-up day"),
    ("2026-02-14", "Spring Festival make-up day"),
    ("2026-02-28", "Spring Festival make-up day"),
    ("2026-05-09", "Labour Day make-up day"),
    ("2026-09-20", "National Day make-up day"),
    ("2026-10-10", "National Day make-up day"),
)


def build_calendar(
    timezone: str, weekly: Mapping[str, Any] | None, days: Iterable[tuple[date, bool]]
) -> Calendar:
    """A calendar from its stored parts: zone, weekly shifts, holidays and make-up days."""
    shifts: dict[int, tuple[Shift, ...]] = {
        int(day): tuple((_time(a), _time(b)) for a, b in hours)
        for day, hours in (weekly or {}).items()
    }
    days = list(days)
    holidays = frozenset(day for day, working in days if not working)
    # A make-up day works Monday's shifts (an empty tuple means exactly that).
    extra: dict[date, tuple[Shift, ...]] = {day: () for day, working in days if working}
    return Calendar(
        timezone=ZoneInfo(timezone), weekly=shifts, holidays=holidays, extra_workdays=extra
    )


def seed_default_calendar() -> SlaCalendar:
    """The default Shanghai office calendar with the 2026 holidays; idempotent."""
    row = db.session.scalar(select(SlaCalendar).where(SlaCalendar.name == DEFAULT_CALENDAR))
    if row is None:
        row = SlaCalendar(
            name=DEFAULT_CALENDAR, timezone="Asia/Shanghai", weekly=OFFICE_HOURS, is_default=True
        )
        db.session.add(row)
        for text, name in CHINA_2026_HOLIDAYS:
            row.days.append(SlaCalendarDay(day=date.fromisoformat(text), working=False, name=name))
        for text, name in CHINA_2026_WORKDAYS:
            row.days.append(SlaCalendarDay(day=date.fromisoformat(text), working=True, name=name))
    return row


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    # "24:00" closes a shift at midnight; business_hours spells that 00:00.
    return time(int(hours) % 24, int(minutes))
