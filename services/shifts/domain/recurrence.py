"""Recurring templates: local wall-clock times on weekdays, turned into concrete shift times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Recurrence:
    """E.g. patrol every Tuesday and Friday 19:00-21:00: weekdays {2, 5} (ISO, Monday = 1)."""

    weekdays: frozenset[int]
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None = None

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(1, 8)):
            raise ValueError("weekdays must be ISO weekdays 1 (Monday) to 7 (Sunday)")
        if self.end_time == self.start_time:
            raise ValueError("a shift cannot end when it starts")


def occurrences(rule: Recurrence, first_day: date, last_day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Start and end (aware, in the community's `zone`) of each occurrence on days first_day..last_day inclusive.

    An end time not after the start time means the shift ends the next day (a night patrol)."""
    result: list[tuple[datetime, datetime]] = []
    day = max(first_day, rule.valid_from)
    last = min(last_day, rule.valid_until) if rule.valid_until else last_day
    while day <= last:
        if day.isoweekday() in rule.weekdays:
            start = datetime.combine(day, rule.start_time, tzinfo=zone)
            end_day = day if rule.end_time > rule.start_time else day + timedelta(days=1)
            result.append((start, datetime.combine(end_day, rule.end_time, tzinfo=zone)))
        day += timedelta(days=1)
    return result
