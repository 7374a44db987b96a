"""Statistics read straight from participations (reads may skip the domain)."""

from __future__ import annotations

import uuid
from collections import defaultdict

from pydantic import BaseModel

from services.kernel.db import Connection


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


_BY_MONTH = """
SELECT to_char(s.starts_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month,
       count(*) FILTER (WHERE pa.outcome = 'completed') AS activities,
       coalesce(sum(pa.hours) FILTER (WHERE pa.outcome = 'completed'), 0) AS hours,
       count(*) FILTER (WHERE pa.outcome = 'no_show') AS no_shows
FROM participations pa JOIN shifts s ON s.id = pa.shift_id
WHERE {where}
  AND ($3::int IS NULL OR extract(year FROM s.starts_at AT TIME ZONE 'Asia/Shanghai') = $3)
GROUP BY 1 ORDER BY 1
"""


def _bucket(period: str, activities: int, hours: float, no_shows: int) -> StatsBucket:
    attended = activities + no_shows
    return StatsBucket(
        period=period,
        activities=activities,
        hours=round(hours, 2),
        no_shows=no_shows,
        attendance_rate=round(activities / attended, 4) if attended else None,
    )


async def _stats(conn: Connection, subject: str, where: str, key: object, community: str, year: int | None) -> StatsOut:
    rows = await conn.fetch(_BY_MONTH.format(where=where), community, key, year)
    months = [_bucket(r["month"], r["activities"], float(r["hours"]), r["no_shows"]) for r in rows]
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


async def volunteer_stats(conn: Connection, community: str, volunteer_id: str, year: int | None) -> StatsOut:
    return await _stats(conn, volunteer_id, "pa.community = $1 AND pa.volunteer_id = $2", volunteer_id, community, year)


async def post_stats(
    conn: Connection, community: str, post_id: uuid.UUID, post_type: str, year: int | None
) -> StatsOut:
    return await _stats(conn, post_type, "pa.community = $1 AND pa.post_id = $2", post_id, community, year)
