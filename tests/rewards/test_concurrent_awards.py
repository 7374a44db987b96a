"""Awards handled concurrently (as the consumers do) neither deadlock nor slip past the daily cap."""

from __future__ import annotations

import asyncio
from typing import Any

from services.kernel import db
from services.rewards.service_layer import awards
from services.rewards.service_layer import participation as participations
from services.rewards.service_layer.verify import verify
from tests.rewards.helpers import balance, concluded, connect, joined, participation, resolved


async def _handle(pool: Any, handler: Any, event: Any) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await handler(joined(conn), event)


async def test_concurrent_awards_to_one_person_stop_exactly_at_the_daily_cap(database_url: str) -> None:
    pool = await db.create_pool(database_url, "rewards", min_size=2, max_size=8)
    try:
        shifts = [participation("yang-min", hours=4.0) for _ in range(12)]  # 12 x 48 = 576 points computed
        await asyncio.gather(*(_handle(pool, participations.on_participation_completed, e) for e in shifts))
    finally:
        await pool.close()
    async with connect(database_url) as conn:
        assert await balance(conn, "yang-min") == 200
        assert await conn.fetchval("SELECT sum(points) FROM awards") == 200
        assert await conn.fetchval("SELECT sum(capped_points) FROM awards") == 576 - 200


async def test_overlapping_multi_person_awards_do_not_deadlock(database_url: str) -> None:
    people = ["zhang-wei", "li-na", "wang-fang", "chen-jing", "huang-li"]
    events: list[tuple[Any, Any]] = []
    for i in range(10):
        crowd = people[i % 5 :] + people[: i % 5]  # the same people in a different order each time
        events.append((awards.on_issue_resolved, resolved(crowd)))
        events.append((awards.on_session_concluded, concluded(list(reversed(crowd)))))
        events.append((participations.on_participation_completed, participation(crowd[0], hours=1.0)))
    pool = await db.create_pool(database_url, "rewards", min_size=2, max_size=8)
    try:
        await asyncio.gather(*(_handle(pool, handler, event) for handler, event in events))
    finally:
        await pool.close()
    async with connect(database_url) as conn:
        # each person: 10 issues x 20 + 10 sessions x 5 + 2 shifts x 12 = 274, capped at 200 a day
        assert [await balance(conn, p) for p in people] == [200] * 5
        report = await verify(joined(conn), "meihu")
    assert report["clean"], report
