"""Leaderboards read running totals kept by the database, equal to summing the awards."""

from __future__ import annotations

import httpx

from services.rewards.entrypoints.honours import _ranked
from tests.rewards.helpers import connect
from tests.rewards.test_honours_and_certificates import _history


def test_equal_totals_share_a_rank_and_the_next_rank_skips() -> None:
    rows = [
        {"person_id": "a", "building_group": 1, "points": 50, "hours": 4.0},
        {"person_id": "b", "building_group": 1, "points": 30, "hours": 2.0},
        {"person_id": "c", "building_group": 2, "points": 30, "hours": 2.0},
        {"person_id": "d", "building_group": 2, "points": 10, "hours": 1.0},
    ]
    assert [s.rank for s in _ranked(rows, "points")] == [1, 2, 2, 4]


async def test_the_running_totals_equal_the_sum_of_awards_for_every_period(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    await _history(database_url)
    async with connect(database_url) as conn:
        mismatches = await conn.fetch(
            """
            WITH expected AS (
                SELECT community, p.period, CASE p.period
                        WHEN 'week' THEN date_trunc('week', service_day)::date
                        WHEN 'month' THEN date_trunc('month', service_day)::date
                        WHEN 'year' THEN date_trunc('year', service_day)::date
                        ELSE DATE '1970-01-01' END AS period_start,
                       person_id, sum(points) AS points, sum(hours) AS hours
                FROM awards CROSS JOIN (VALUES ('week'), ('month'), ('year'), ('all')) AS p(period)
                GROUP BY 1, 2, 3, 4)
            SELECT * FROM expected e FULL JOIN leaderboard_totals t USING (community, period, period_start, person_id)
            WHERE e.points IS DISTINCT FROM t.points OR e.hours IS DISTINCT FROM t.hours
            """
        )
    year = (await client.get("/leaderboards?period=all", headers=admin)).json()
    assert mismatches == []
    assert [(s["rank"], s["person_id"], s["points"]) for s in year] == [
        (1, "wang-fang", 36),
        (2, "huang-li", 32),
        (3, "chen-jing", 24),
    ]
