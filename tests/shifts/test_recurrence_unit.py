"""Recurrence without a database: local times, month and year ends, night shifts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.shifts.domain.recurrence import Recurrence, occurrences

ZONE = ZoneInfo("Asia/Shanghai")
PATROL = Recurrence(frozenset({2, 5}), time(19), time(21), valid_from=date(2026, 1, 1))


def test_tuesday_and_friday_patrols_cross_the_year_end() -> None:
    found = occurrences(PATROL, date(2026, 12, 28), date(2027, 1, 10), ZONE)

    assert [start.date().isoformat() for start, _ in found] == [
        "2026-12-29",
        "2027-01-01",
        "2027-01-05",
        "2027-01-08",
    ]
    assert all(start.tzinfo == ZONE and (start.hour, end.hour) == (19, 21) for start, end in found)


def test_occurrences_cross_a_month_end_without_gaps_or_repeats() -> None:
    found = occurrences(PATROL, date(2027, 2, 20), date(2027, 3, 10), ZONE)

    assert [s.date().isoformat() for s, _ in found] == [
        "2027-02-23",
        "2027-02-26",
        "2027-03-02",
        "2027-03-05",
        "2027-03-09",
    ]


def test_local_evening_is_stored_as_the_same_instant_in_utc() -> None:
    ((start, end),) = occurrences(PATROL, date(2026, 12, 29), date(2026, 12, 29), ZONE)

    assert start.astimezone(UTC) == datetime(2026, 12, 29, 11, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 12, 29, 13, 0, tzinfo=UTC)


def test_a_night_shift_ends_the_next_day_even_on_new_years_eve() -> None:
    night = Recurrence(frozenset({4}), time(22), time(6), valid_from=date(2026, 1, 1))

    ((start, end),) = occurrences(night, date(2026, 12, 31), date(2026, 12, 31), ZONE)

    assert (start.date().isoformat(), end.date().isoformat()) == ("2026-12-31", "2027-01-01")


def test_validity_bounds_limit_the_occurrences() -> None:
    bounded = Recurrence(frozenset({2, 5}), time(19), time(21), date(2027, 1, 2), date(2027, 1, 6))

    assert [s.date().isoformat() for s, _ in occurrences(bounded, date(2026, 12, 1), date(2027, 2, 1), ZONE)] == [
        "2027-01-05"
    ]


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({0}), frozenset({8})])
def test_weekdays_must_be_iso_weekdays(weekdays: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="weekdays"):
        Recurrence(weekdays, time(19), time(21), date(2026, 1, 1))
