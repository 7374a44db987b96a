"""When councils meet: the first Friday of every month, at a local time in the council's timezone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FRIDAY = 4  # date.weekday(): Monday is 0


def first_friday(year: int, month: int) -> date:
    """The first Friday of a month (the 1st itself when the month starts on a Friday)."""
    first = date(year, month, 1)
    return first + timedelta(days=(FRIDAY - first.weekday()) % 7)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def first_fridays(start: date, months: int) -> Iterator[date]:
    """First Fridays of the month of `start` and the `months` following ones, not before `start`."""
    year, month = start.year, start.month
    for _ in range(months + 1):
        day = first_friday(year, month)
        if day >= start:
            yield day
        year, month = next_month(year, month)


@dataclass(frozen=True)
class MeetingSlot:
    day: date
    starts_at: datetime
    ends_at: datetime


def regular_slots(
    now: datetime, *, months_ahead: int, at: time, timezone: str, duration: timedelta
) -> list[MeetingSlot]:
    """The regular sessions from now to `months_ahead` months on, each still in the future."""
    zone = ZoneInfo(timezone)
    local_today = now.astimezone(zone).date()
    slots = []
    for day in first_fridays(local_today, months_ahead):
        starts = datetime.combine(day, at, tzinfo=zone)
        if starts > now:
            slots.append(MeetingSlot(day, starts, starts + duration))
    return slots


def local_day(starts_at: datetime, timezone: str) -> date:
    """The date a moment falls on in a timezone (a session's day, against which terms are checked)."""
    return starts_at.astimezone(ZoneInfo(timezone)).date()
