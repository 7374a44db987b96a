"""The first-Friday rule, across months and years, and the slots it gives in the council's timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.deliberation.domain.calendar import first_friday, first_fridays, regular_slots


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2027, 1, date(2027, 1, 1)),  # the month starts on a Friday: the 1st itself
        (2026, 5, date(2026, 5, 1)),  # another month starting on a Friday
        (2026, 11, date(2026, 11, 6)),
        (2026, 12, date(2026, 12, 4)),
        (2026, 10, date(2026, 10, 2)),
        (2026, 8, date(2026, 8, 7)),  # starts on a Saturday: the latest a first Friday can be
        (2024, 2, date(2024, 2, 2)),  # leap year February
        (2028, 2, date(2028, 2, 4)),  # leap year February starting on a Tuesday
        (2028, 3, date(2028, 3, 3)),  # the March after a leap day
    ],
)
def test_first_friday_of_a_month(year: int, month: int, expected: date) -> None:
    assert first_friday(year, month) == expected


@given(st.integers(min_value=1990, max_value=2200), st.integers(min_value=1, max_value=12))
def test_first_friday_is_a_friday_within_the_first_seven_days(year: int, month: int) -> None:
    day = first_friday(year, month)
    assert day.weekday() == 4
    assert 1 <= day.day <= 7
    assert (day.year, day.month) == (year, month)


def test_the_sequence_crosses_from_december_into_january() -> None:
    days = list(first_fridays(date(2026, 11, 30), 3))
    assert days == [date(2026, 12, 4), date(2027, 1, 1), date(2027, 2, 5)]


def test_a_first_friday_already_past_this_month_is_skipped() -> None:
    days = list(first_fridays(date(2026, 11, 7), 2))
    assert days == [date(2026, 12, 4), date(2027, 1, 1)]


def test_leap_year_february_is_scheduled() -> None:
    days = list(first_fridays(date(2024, 1, 10), 2))
    assert days == [date(2024, 2, 2), date(2024, 3, 1)]


def test_slots_are_at_the_local_time_in_the_council_timezone() -> None:
    now = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    slots = regular_slots(now, months_ahead=2, at=time(19, 0), timezone="Asia/Shanghai", duration=timedelta(hours=2))
    assert [s.day for s in slots] == [date(2026, 12, 4), date(2027, 1, 1)]
    # 19:00 in Shanghai (UTC+8) is 11:00 UTC
    assert slots[0].starts_at.astimezone(UTC) == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert slots[0].ends_at - slots[0].starts_at == timedelta(hours=2)


def test_todays_session_is_kept_until_it_starts_and_dropped_after() -> None:
    friday_morning = datetime(2027, 1, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on the first Friday
    friday_night = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai, after the 19:00 start
    kwargs = {"months_ahead": 0, "at": time(19, 0), "timezone": "Asia/Shanghai", "duration": timedelta(hours=2)}
    assert [s.day for s in regular_slots(friday_morning, **kwargs)] == [date(2027, 1, 1)]  # type: ignore[arg-type]
    assert regular_slots(friday_night, **kwargs) == []  # type: ignore[arg-type]


def test_the_local_date_decides_the_month_not_utc() -> None:
    # 20:00 UTC on 31 December is already 1 January in Shanghai: January's first Friday is that day.
    now = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    slots = regular_slots(now, months_ahead=0, at=time(19, 0), timezone="Asia/Shanghai", duration=timedelta(hours=2))
    assert [s.day for s in slots] == [date(2027, 1, 1)]
