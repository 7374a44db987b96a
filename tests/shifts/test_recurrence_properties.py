"""Properties of recurrence over any range of days."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from services.shifts.domain.recurrence import Recurrence, occurrences

ZONE = ZoneInfo("Asia/Shanghai")

weekdays = st.frozensets(st.integers(1, 7), min_size=1)
days = st.dates(date(2025, 1, 1), date(2030, 12, 31))


@given(weekdays, days, st.integers(0, 400))
def test_exactly_one_occurrence_per_matching_day(chosen: frozenset[int], first: date, length: int) -> None:
    rule = Recurrence(chosen, time(19), time(21), valid_from=date(2025, 1, 1))
    last = first + timedelta(days=length)

    found = occurrences(rule, first, last, ZONE)

    expected = [first + timedelta(days=n) for n in range(length + 1)]
    assert [s.date() for s, _ in found] == [d for d in expected if d.isoweekday() in chosen]
    assert all(end - start == timedelta(hours=2) for start, end in found)


@given(weekdays, days, st.integers(1, 60), st.integers(1, 60))
def test_adjacent_ranges_together_give_the_whole_range(chosen: frozenset[int], first: date, a: int, b: int) -> None:
    rule = Recurrence(chosen, time(22), time(6), valid_from=date(2025, 1, 1))
    middle, last = first + timedelta(days=a), first + timedelta(days=a + b)

    whole = occurrences(rule, first, last, ZONE)
    parts = occurrences(rule, first, middle - timedelta(days=1), ZONE) + occurrences(rule, middle, last, ZONE)

    assert whole == parts
    assert all(end - start == timedelta(hours=8) for start, end in whole)
