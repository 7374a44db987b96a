"""The demo seed runs against the real app, and a second run changes nothing."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from contracts.demo import BY_ID
from services.shifts.seed import seed_demo
from tests.shifts.conftest import Shifts


async def test_the_demo_seed_is_idempotent(shifts: Shifts) -> None:
    @functools.cache
    def headers(person_id: str) -> dict[str, str]:
        person = BY_ID[person_id]
        return shifts.tokens.headers(person.id, *person.roles, name=person.name, building_group=person.building_group)

    shifts.clock.set(datetime.now(UTC))  # the seed plans from today
    await seed_demo(shifts.client, headers)
    counts = await shifts.db(
        """SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM volunteers) AS volunteers,
                  (SELECT count(*) FROM templates) AS templates, (SELECT count(*) FROM shifts) AS shifts,
                  (SELECT count(*) FROM signups) AS signups, (SELECT count(*) FROM outbox) AS events"""
    )
    await seed_demo(shifts.client, headers)
    again = await shifts.db(
        """SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM volunteers) AS volunteers,
                  (SELECT count(*) FROM templates) AS templates, (SELECT count(*) FROM shifts) AS shifts,
                  (SELECT count(*) FROM signups) AS signups, (SELECT count(*) FROM outbox) AS events"""
    )

    assert dict(counts[0]) == dict(again[0])
    assert (counts[0]["posts"], counts[0]["volunteers"], counts[0]["templates"]) == (4, 7, 1)
    assert counts[0]["shifts"] >= 3 + 8
    posts = (await shifts.client.get("/posts", headers=headers("sun-hao"))).json()
    assert {p["post_type"]: p["leader_ids"] for p in posts} == {
        "culture": ["yang-min"],
        "environment": ["yang-min"],
        "patrol": ["liu-yang"],
        "publicity": ["yang-min"],
    }
