"""Statistics from participations: monthly figures read by adapters/queries.py, summed into years here."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel


class StatsBucket(BaseModel):
    period: str
    activities: int
    hours: float
    no_shows: int
    attendance_rate: float | None


class StatsOut(BaseModel):
    subject: str
    total: StatsBucket
    by_year: list[StatsBucket]
    by_month: list[StatsBucket]


def _bucket(period: str, activities: int, hours: float, no_shows: int) -> StatsBucket:
    attended = activities + no_shows
    return StatsBucket(
        period=period,
        activities=activities,
        hours=round(hours, 2),
        no_shows=no_shows,
        attendance_rate=round(activities / attended, 4) if attended else None,
    )


def summarise(subject: str, monthly: list[dict[str, Any]], year: int | None) -> StatsOut:
    """Months (rows of month, activities, hours, no_shows) with their years and the total."""
    months = [_bucket(r["month"], r["activities"], float(r["hours"]), r["no_shows"]) for r in monthly]
    years: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0])
    for m in months:
        y = years[m.period[:4]]
        y[0] += m.activities
        y[1] += m.hours
        y[2] += m.no_shows
    by_year = [_bucket(k, int(v[0]), v[1], int(v[2])) for k, v in sorted(years.items())]
    total = _bucket(
        str(year) if year else "all",
        sum(m.activities for m in months),
        sum(m.hours for m in months),
        sum(m.no_shows for m in months),
    )
    return StatsOut(subject=subject, total=total, by_year=by_year, by_month=months)
