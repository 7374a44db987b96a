"""participation.completed applied a batch at a time has exactly the effect of applying the events one by one."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events.shifts import ParticipationCompleted
from services.kernel import db
from services.rewards.adapters.rules_repo import RulesRepository
from services.rewards.domain import rules as r
from services.rewards.service_layer import awards
from services.rewards.service_layer import participation as participations
from services.rewards.service_layer.verify import verify
from services.stack.postgres import PostgresServer
from tests.conftest import TEMPLATE
from tests.rewards.helpers import SHANGHAI_NOON, balance, connect, joined, participation, resolved
from tests.support.infra import new_database

NIGHT = SHANGHAI_NOON + timedelta(hours=9)  # 21:00 in Asia/Shanghai: the shift runs into the night


def mixed_backlog() -> list[CloudEvent[ParticipationCompleted]]:
    """A day that crosses the cap in the middle of the batch, night hours, a person who reaches the first
    star level within the batch, a building group that changes, and an event delivered twice."""
    events = [
        participation("liu-yang", hours=8.0, started_at=SHANGHAI_NOON - timedelta(hours=6)),
        participation("liu-yang", hours=4.0, started_at=NIGHT),
        participation("zhao-lei", hours=2.0, building_group=None),
        participation("liu-yang", hours=8.0, started_at=SHANGHAI_NOON - timedelta(hours=2)),
        participation("zhao-lei", hours=1.5, building_group=4),
    ]
    events += [
        participation("wang-fang", hours=10.0, started_at=SHANGHAI_NOON - timedelta(hours=4) + timedelta(days=d))
        for d in range(11)
    ]
    return [*events, events[2]]


async def one_by_one(database_url: str, events: list[CloudEvent[ParticipationCompleted]]) -> None:
    async with connect(database_url) as conn, conn.transaction():
        for event in events:
            await participations.on_participation_completed(joined(conn), event)


async def as_batch(database_url: str, events: list[CloudEvent[ParticipationCompleted]]) -> None:
    async with connect(database_url) as conn, conn.transaction():
        await participations.on_participation_completed_batch(joined(conn), events)


async def books(database_url: str) -> dict[str, Any]:
    """Everything an award leaves behind, without the ids and times that differ between two runs."""
    async with connect(database_url) as conn:
        return {
            "awards": [
                tuple(row)
                for row in await conn.fetch(
                    """SELECT person_id, source_event_id, rule_id, computed_points, points, capped_points, hours,
                              night_hours, post_type, service_day, building_group, explanation,
                              transaction_id IS NOT NULL FROM awards ORDER BY source_event_id, person_id"""
                )
            ],
            "accounts": [
                tuple(row)
                for row in await conn.fetch(
                    """SELECT person_id, kind, balance, building_group, confirmed_hours FROM accounts
                       ORDER BY kind, person_id"""
                )
            ],
            "postings": [
                tuple(row)
                for row in await conn.fetch(
                    """SELECT t.person_id, t.memo ->> 'en', a.kind, p.amount, p.balance_after
                       FROM postings p JOIN transactions t ON t.id = p.transaction_id JOIN accounts a ON a.id = p.account_id
                       WHERE a.kind = 'person' ORDER BY t.seq"""
                )
            ],
            "honours": [
                tuple(row)
                for row in await conn.fetch("SELECT person_id, kind, level FROM honours ORDER BY person_id, level")
            ],
            "emitted": sorted(
                (row["t"], tuple(sorted((k, str(v)) for k, v in row["d"].items() if k not in _VARYING)))
                for row in await conn.fetch(
                    "SELECT event_type AS t, convert_from(payload, 'UTF8')::jsonb -> 'data' AS d FROM outbox"
                )
            ),
            "leaderboards": [
                tuple(row) for row in await conn.fetch("SELECT * FROM leaderboard_totals ORDER BY 1, 2, 3, 4")
            ],
            "clean": (await verify(joined(conn), None))["clean"],
            "hours_kept": await conn.fetchval(
                """SELECT bool_and(a.confirmed_hours = coalesce(s.hours, 0)) FROM accounts a
                   LEFT JOIN (SELECT community, person_id, sum(hours) AS hours FROM awards
                              WHERE rule_id = 'participation.hours' GROUP BY 1, 2) s
                          ON s.community = a.community AND s.person_id = a.person_id
                   WHERE a.kind = 'person'"""
            ),
        }


_VARYING = {"transaction_id", "honour_id", "awarded_at", "granted_at"}


async def test_a_batch_leaves_the_same_books_as_its_events_applied_one_by_one(
    database_url: str, postgres: PostgresServer
) -> None:
    events = mixed_backlog()
    other_database = await new_database(postgres.url(), TEMPLATE)

    await one_by_one(database_url, events)
    await as_batch(other_database, events)

    expected, batched = await books(database_url), await books(other_database)
    assert batched == expected
    assert batched["clean"]
    assert batched["hours_kept"]  # confirmed hours are the sum of the awards' hours, both ways
    assert [(h[0], h[2]) for h in batched["honours"]] == [("wang-fang", 1)]
    assert [a[4] for a in batched["awards"] if a[0] == "liu-yang"].count(0) == 0  # the cap bit, not zeroed all


async def test_the_daily_cap_adds_up_earlier_awards_and_the_batchs_own_in_event_order(database_url: str) -> None:
    morning = SHANGHAI_NOON - timedelta(hours=6)
    await one_by_one(database_url, [participation("yang-min", hours=12.5, started_at=morning)])  # 150 points
    batch = [participation("yang-min", hours=4.0), participation("yang-min", hours=4.0), participation("yang-min")]

    await as_batch(database_url, batch)

    async with connect(database_url) as conn:
        paid = {
            row["source_event_id"]: (row["computed_points"], row["points"])
            for row in await conn.fetch("SELECT source_event_id, computed_points, points FROM awards")
        }
        assert await balance(conn, "yang-min") == 200
        transactions = await conn.fetchval("SELECT count(*) FROM transactions")
    assert [paid[e.id] for e in batch] == [(48, 48), (48, 2), (24, 0)]
    assert transactions == 3, "an award the cap zeroed posts nothing"


async def test_an_event_already_awarded_pays_nothing_again_and_takes_nothing_from_the_cap(database_url: str) -> None:
    first = participation("yang-min", hours=10.0)  # 120 points
    await one_by_one(database_url, [first])
    async with connect(database_url) as conn:  # as if replayed to a consumer that never saw it
        await conn.execute("DELETE FROM processed_events")

    await as_batch(database_url, [first, participation("yang-min", hours=5.0)])

    async with connect(database_url) as conn:
        assert await conn.fetchval("SELECT count(*) FROM awards") == 2
        assert await balance(conn, "yang-min") == 180
        emitted = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'linli.points.awarded.v1'")
    assert emitted == 2


async def test_an_inactive_rule_records_zero_point_awards_whose_hours_still_count(database_url: str) -> None:
    async with connect(database_url) as conn, conn.transaction():
        current = (await RulesRepository(conn).current("meihu"))[r.PARTICIPATION]
        await RulesRepository(conn).add_version(
            "meihu",
            r.PARTICIPATION,
            params=current.params,
            title=current.title,
            active=False,
            reason="paused",
            created_by="admin",
        )

    await as_batch(database_url, [participation("yang-min", hours=3.0), participation("yang-min", hours=2.5)])

    async with connect(database_url) as conn:
        points = await conn.fetch("SELECT points, explanation ->> 'en' AS en FROM awards")
        hours = await conn.fetchval("SELECT confirmed_hours FROM accounts WHERE person_id = 'yang-min'")
        assert await balance(conn, "yang-min") == 0
    assert [p["points"] for p in points] == [0, 0]
    assert all("inactive" in p["en"] for p in points)
    assert hours == 5.5


async def test_concurrent_batches_and_single_awards_over_the_same_people_neither_deadlock_nor_pass_the_cap(
    database_url: str,
) -> None:
    people = ["zhang-wei", "li-na", "wang-fang", "chen-jing", "huang-li"]
    pool = await db.create_pool(database_url, "rewards", min_size=2, max_size=8)

    async def batch(offset: int) -> None:
        crowd = people[offset:] + people[:offset]
        async with pool.acquire() as conn, conn.transaction():
            await participations.on_participation_completed_batch(
                joined(conn), [participation(p, hours=3.0) for p in reversed(crowd)]
            )

    async def issue(offset: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await awards.on_issue_resolved(joined(conn), resolved(people[offset:] + people[:offset]))

    try:
        await asyncio.gather(*(batch(i % 5) for i in range(8)), *(issue(i % 5) for i in range(4)))
    finally:
        await pool.close()
    async with connect(database_url) as conn:
        # each person: 8 shifts x 36 + 4 issues x 20 = 368 points computed, capped at 200 for the day
        assert [await balance(conn, p) for p in people] == [200] * 5
        report = await verify(joined(conn), "meihu")
    assert report["clean"], report


async def test_an_account_remembered_from_a_database_since_replaced_is_opened_again(
    database_url: str, postgres: PostgresServer
) -> None:
    # The batch path remembers which people have accounts (accounts are never deleted); a restored or
    # replaced database is the one way a remembered account can be missing.
    await as_batch(database_url, [participation("zhou-jie", hours=2.0)])
    restored = await new_database(postgres.url(), TEMPLATE)

    await as_batch(restored, [participation("zhou-jie", hours=3.0)])

    async with connect(restored) as conn:
        assert await balance(conn, "zhou-jie") > 0
        assert await conn.fetchval("SELECT confirmed_hours FROM accounts WHERE person_id = 'zhou-jie'") == 3
        assert (await verify(joined(conn), "meihu"))["clean"]


async def test_the_one_event_path_opens_again_an_account_remembered_from_a_replaced_database(
    database_url: str, postgres: PostgresServer
) -> None:
    await one_by_one(database_url, [participation("qian-li", hours=2.0)])
    restored = await new_database(postgres.url(), TEMPLATE)

    await one_by_one(restored, [participation("qian-li", hours=3.0)])

    async with connect(restored) as conn:
        assert await balance(conn, "qian-li") > 0
        assert await conn.fetchval("SELECT confirmed_hours FROM accounts WHERE person_id = 'qian-li'") == 3
        assert (await verify(joined(conn), "meihu"))["clean"]
