"""Business-hours arithmetic: weekends, holidays, make-up days, overnight shifts,
time zones with and without daylight saving."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla.business_hours import Calendar, always_open

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = ((time(9), time(18)),)
WEEKDAYS = {day: OFFICE for day in range(5)}


def shanghai(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def china():
    """Office hours 9–18 Mon–Fri; National Day 2026 with its make-up Saturday."""
    return Calendar(
        timezone=SHANGHAI,
        weekly=WEEKDAYS,
        holidays=frozenset(date(2026, 10, d) for d in range(1, 9)),
        extra_workdays={date(2026, 10, 10): ()},
    )


def test_within_one_day(china):
    assert china.add(shanghai(2026, 11, 23, 10), timedelta(hours=4)) == shanghai(2026, 11, 23, 14)


def test_after_closing_starts_next_morning(china):
    assert china.add(shanghai(2026, 11, 23, 20), timedelta(hours=1)) == shanghai(2026, 11, 24, 10)


def test_friday_evening_rolls_over_the_weekend(china):
    # Friday 17:00 + 2 working hours = Monday 10:00.
    assert china.add(shanghai(2026, 11, 27, 17), timedelta(hours=2)) == shanghai(2026, 11, 30, 10)


def test_multi_day_span(china):
    # 20 working hours from Monday 9:00 = 9 + 9 + 2 → Wednesday 11:00.
    assert china.add(shanghai(2026, 11, 23, 9), timedelta(hours=20)) == shanghai(2026, 11, 25, 11)


def test_holidays_are_skipped_and_make_up_saturday_counts(china):
    # Wed 30 Sep 17:00 + 3h: 1h on 30 Sep, holidays 1–8 Oct, Fri 9 Oct 9–11.
    assert china.add(shanghai(2026, 9, 30, 17), timedelta(hours=3)) == shanghai(2026, 10, 9, 11)
    # Fri 9 Oct 17:00 + 2h: Saturday 10 Oct is a working day (调休).
    assert china.add(shanghai(2026, 10, 9, 17), timedelta(hours=2)) == shanghai(2026, 10, 10, 10)
    assert china.elapsed(shanghai(2026, 10, 1), shanghai(2026, 10, 9)) == timedelta(0)


def test_overnight_shift():
    night = Calendar(timezone=SHANGHAI, weekly={d: ((time(22), time(6)),) for d in range(7)})
    assert night.add(shanghai(2026, 11, 23, 23), timedelta(hours=3)) == shanghai(2026, 11, 24, 2)
    assert night.add(shanghai(2026, 11, 24, 5), timedelta(hours=2)) == shanghai(2026, 11, 24, 23)
    assert night.elapsed(shanghai(2026, 11, 23, 12), shanghai(2026, 11, 24, 12)) == timedelta(
        hours=8
    )


def test_daylight_saving_day_has_one_hour_less_at_night():
    # Berlin switches to summer time on 29 March 2026 at 02:00 (→ 03:00).
    nights = Calendar(timezone=BERLIN, weekly={d: ((time(0), time(6)),) for d in range(7)})
    start = datetime(2026, 3, 29, 0, tzinfo=BERLIN)
    assert nights.elapsed(start, datetime(2026, 3, 29, 7, tzinfo=BERLIN)) == timedelta(hours=5)
    office = Calendar(timezone=BERLIN, weekly=WEEKDAYS)
    # Friday before the switch, 17:00 + 2h = Monday 10:00 local, whatever the offset.
    due = office.add(datetime(2026, 3, 27, 17, tzinfo=BERLIN), timedelta(hours=2))
    assert due == datetime(2026, 3, 30, 10, tzinfo=BERLIN)
    assert due.utcoffset() is None or due.astimezone(BERLIN).hour == 10


def test_same_instant_in_other_time_zones_gives_same_answer(china):
    start = shanghai(2026, 11, 23, 17)
    in_utc = start.astimezone(UTC)
    assert china.add(start, timedelta(hours=2)) == china.add(in_utc, timedelta(hours=2))


def test_naive_datetimes_and_negative_durations_are_refused(china):
    with pytest.raises(ValueError):
        china.add(datetime(2026, 11, 23, 10), timedelta(hours=1))
    with pytest.raises(ValueError):
        china.add(shanghai(2026, 11, 23, 10), timedelta(hours=-1))


def test_calendar_without_working_time_is_refused():
    with pytest.raises(ValueError, match="no working time"):
        Calendar(timezone=SHANGHAI, weekly={}).add(shanghai(2026, 1, 1), timedelta(minutes=1))


# --- properties --------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(SHANGHAI)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200))
zones = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


def _calendar(tz_name):
    return Calendar(
        timezone=ZoneInfo(tz_name),
        weekly={**WEEKDAYS, 5: ((time(9), time(12)),), 6: ((time(22), time(2)),)},
        holidays=frozenset({date(2026, 10, 1), date(2026, 12, 25)}),
        extra_workdays={date(2026, 10, 11): ()},
    )


@settings(max_examples=200, deadline=None)
@given(start=moments, duration=durations, tz_name=zones)
def test_elapsed_undoes_add(start, duration, tz_name):
    calendar = _calendar(tz_name)
    assert calendar.elapsed(start, calendar.add(start, duration)) == duration


@settings(max_examples=200, deadline=None)
@given(a=moments, b=moments, c=moments, tz_name=zones)
def test_elapsed_is_additive(a, b, c, tz_name):
    a, b, c = sorted((a, b, c))
    calendar = _calendar(tz_name)
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)


@settings(max_examples=200, deadline=None)
@given(start=moments, first=durations, second=durations, tz_name=zones)
def test_add_is_monotonic_and_composes(start, first, second, tz_name):
    calendar = _calendar(tz_name)
    shorter, longer = sorted((first, second))
    assert calendar.add(start, shorter) <= calendar.add(start, longer)
    assert calendar.add(calendar.add(start, first), second) == calendar.add(start, first + second)


@settings(max_examples=100, deadline=None)
@given(start=moments, duration=durations)
def test_always_open_is_clock_time(start, duration):
    assert always_open("Asia/Shanghai").add(start, duration) == start + duration


@settings(max_examples=100, deadline=None)
@given(start=moments, end=moments)
def test_elapsed_never_exceeds_clock_time(start, end):
    elapsed = _calendar("Europe/Berlin").elapsed(start, end)
    assert timedelta(0) <= elapsed <= max(end - start, timedelta(0))


# --------------------------------------------------------------------------
# Pauses: the clock banks the business time consumed while running
# --------------------------------------------------------------------------


def _run_with_pauses(calendar, start, stretches):
    """Business time consumed over alternating (running, paused) stretches."""
    consumed = timedelta(0)
    moment = start
    for running, length in stretches:
        end = moment + length
        if running:
            consumed += calendar.elapsed(moment, end)
        moment = end
    return consumed, moment


def test_a_paused_clock_consumes_nothing_and_resume_continues(china):
    start = shanghai(2026, 11, 23, 9)
    consumed, moment = _run_with_pauses(
        china,
        start,
        [(True, timedelta(hours=2)), (False, timedelta(days=2)), (True, timedelta(hours=1))],
    )
    assert consumed == timedelta(hours=3)
    # 8 h target, 3 h spent: resuming at Wednesday 10:00 it is due at 15:00.
    assert moment == shanghai(2026, 11, 25, 12)
    assert china.add(moment, timedelta(hours=8) - consumed) == shanghai(2026, 11, 25, 17)


@settings(max_examples=200, deadline=None)
@given(
    offset=st.integers(min_value=0, max_value=60 * 24 * 30),
    stretches=st.lists(
        st.tuples(st.booleans(), st.integers(min_value=0, max_value=60 * 24 * 5)), max_size=6
    ),
)
def test_pauses_never_consume_more_than_running_through(offset, stretches):
    calendar = Calendar(timezone=SHANGHAI, weekly=WEEKDAYS)
    start = shanghai(2026, 11, 2) + timedelta(minutes=offset)
    consumed, end = _run_with_pauses(
        calendar, start, [(r, timedelta(minutes=m)) for r, m in stretches]
    )
    assert timedelta(0) <= consumed <= calendar.elapsed(start, end)
    if all(running for running, _ in stretches):
        assert consumed == calendar.elapsed(start, end)
    paused_only = [(False, timedelta(minutes=m)) for _, m in stretches]
    assert _run_with_pauses(calendar, start, paused_only)[0] == timedelta(0)


# --------------------------------------------------------------------------
# The calendar stored in the database
# --------------------------------------------------------------------------


def test_the_seeded_calendar_knows_the_2026_holidays_and_make_up_days(app):
    from servicedesk import catalogue
    from servicedesk.sla.policies import seed_sla

    seed_sla()
    calendar = catalogue.current().calendar(None)
    # Wednesday 30 September, 17:00: one hour left, then the National Day week
    # off, Saturday 10 October is a make-up working day.
    assert calendar.add(shanghai(2026, 9, 30, 17), timedelta(hours=2)) == shanghai(2026, 10, 8, 10)
    assert calendar.shifts_on(date(2026, 10, 10)) == OFFICE
    assert calendar.shifts_on(date(2026, 10, 1)) == ()
    # Sunday 4 January 2026 is worked; New Year's Day is not.
    assert calendar.elapsed(shanghai(2026, 1, 1), shanghai(2026, 1, 5)) == timedelta(hours=9)
