"""Business-hours arithmetic: how much working time lies between two instants,
and when a given amount of working time will have passed.

A calendar has weekly opening hours in its own time zone, holidays on which
nobody works, and make-up working days (调休: China moves working days around
public holidays, so a Saturday can be a working day). Shifts may run past
midnight. All instants in and out are timezone-aware; the arithmetic runs on
UTC intervals, so daylight-saving changes are handled by ``zoneinfo``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Shift = tuple[time, time]  # end <= start means the shift ends the next day

# A calendar with no working time at all would make ``add`` search forever.
_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class Calendar:
    timezone: ZoneInfo
    # Monday = 0 ... Sunday = 6; a missing day is a day off.
    weekly: Mapping[int, tuple[Shift, ...]]
    holidays: frozenset[date] = frozenset()
    # Make-up working days and their shifts (default: Monday's shifts).
    extra_workdays: Mapping[date, tuple[Shift, ...]] = field(default_factory=dict)

    def shifts_on(self, day: date) -> tuple[Shift, ...]:
        """The shifts that start on ``day`` (local date)."""
        if day in self.extra_workdays:
            return self.extra_workdays[day] or self.weekly.get(0, ())
        if day in self.holidays:
            return ()
        return self.weekly.get(day.weekday(), ())

    def intervals_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals (UTC) that end after ``moment``, in order."""
        _require_aware(moment)
        # Start a day early: yesterday's overnight shift may still be running.
        day = moment.astimezone(self.timezone).date() - timedelta(days=1)
        for _ in range(_SEARCH_DAYS):
            for start, end in self._intervals_on(day):
                if end > moment:
                    yield max(start, moment), end
            day += timedelta(days=1)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time after ``start`` has passed."""
        _require_aware(start)
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        remaining = duration
        cursor = start.astimezone(UTC)
        for begin, end in self.intervals_from(cursor):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
            cursor = end
        raise ValueError("the calendar has no working time in the next three years")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between ``start`` and ``end`` (zero if ``end`` is earlier)."""
        _require_aware(start)
        _require_aware(end)
        total = timedelta(0)
        if end <= start:
            return total
        for begin, finish in self.intervals_from(start.astimezone(UTC)):
            if begin >= end:
                break
            total += min(finish, end) - begin
        return total

    def _intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        intervals = []
        for opening, closing in self.shifts_on(day):
            begin = _local(day, opening, self.timezone)
            finish_day = day if closing > opening else day + timedelta(days=1)
            finish = _local(finish_day, closing, self.timezone)
            if finish > begin:
                intervals.append((begin, finish))
        return sorted(intervals)


def always_open(tz: str = "UTC") -> Calendar:
    """A 24/7 calendar: business time equals clock time."""
    whole_day = ((time(0), time(0)),)
    return Calendar(timezone=ZoneInfo(tz), weekly={day: whole_day for day in range(7)})


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # fold=0 picks the first of a repeated hour; a skipped hour maps forward.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("business-hours arithmetic needs timezone-aware datetimes")
