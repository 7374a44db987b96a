"""Award rules applied to the real database through the service layer: caps, bonuses, attendance, honours."""

from __future__ import annotations

from datetime import timedelta

import httpx

from contracts.envelope import CloudEvent
from contracts.events.shifts import ParticipationNoShow
from services.rewards.service_layer import awards
from services.rewards.service_layer import participation as participations
from tests.rewards.helpers import SHANGHAI_NOON, balance, closed, concluded, connect, joined, participation, resolved
from tests.support.infra import Tokens


async def test_daily_cap_awards_up_to_the_cap_and_records_the_rest_as_capped(database_url: str) -> None:
    async with connect(database_url) as conn:
        # One Shanghai day: 02:00-10:00 (half at night) = 120, 10:00-18:00 = 96, 18:00-20:00 = 24; the cap is 200.
        for start in (0, 8, 16):
            hours = 8.0 if start < 16 else 2.0
            event = participation("liu-yang", hours=hours, started_at=SHANGHAI_NOON - timedelta(hours=10 - start))
            async with conn.transaction():
                await participations.on_participation_completed(joined(conn), event)
        rows = await conn.fetch(
            "SELECT computed_points, points, capped_points, explanation FROM awards ORDER BY awarded_at"
        )
        assert await balance(conn, "liu-yang") == 200
    computed = [r["computed_points"] for r in rows]
    assert sum(computed) > 200
    assert rows[-1]["points"] + sum(r["points"] for r in rows[:-1]) == 200
    assert rows[-1]["capped_points"] == computed[-1] - rows[-1]["points"]
    assert "capped" in rows[-1]["explanation"]["en"]


async def test_the_cap_is_per_day_the_next_day_starts_again(database_url: str) -> None:
    async with connect(database_url) as conn:
        for day in (0, 1):
            for _ in range(2):
                event = participation(
                    "liu-yang", hours=10.0, started_at=SHANGHAI_NOON - timedelta(hours=4) + timedelta(days=day)
                )
                async with conn.transaction():
                    await participations.on_participation_completed(joined(conn), event)
        assert await balance(conn, "liu-yang") == 400


async def test_closed_issue_with_satisfaction_four_adds_five_to_each_contributor(database_url: str) -> None:
    async with connect(database_url) as conn:
        async with conn.transaction():
            await awards.on_issue_closed(joined(conn), closed(["zhang-wei", "li-na"], satisfaction=4))
            await awards.on_issue_closed(joined(conn), closed(["zhang-wei"], satisfaction=3))
            await awards.on_issue_resolved(joined(conn), resolved(["wu-xia", "wu-xia"], category="micro_wish"))  # type: ignore[arg-type]
        assert await balance(conn, "zhang-wei") == 5
        assert await balance(conn, "li-na") == 5
        assert await balance(conn, "wu-xia") == 30


async def test_each_attending_council_member_earns_five(database_url: str) -> None:
    async with connect(database_url) as conn:
        async with conn.transaction():
            await awards.on_session_concluded(joined(conn), concluded(["wang-fang", "chen-jing", "huang-li"]))
        assert [await balance(conn, p) for p in ("wang-fang", "chen-jing", "huang-li", "li-na")] == [5, 5, 5, 0]


async def test_a_no_show_costs_nothing_but_is_counted(database_url: str) -> None:
    shift = participation("zhao-lei")
    no_show = CloudEvent.wrap(
        ParticipationNoShow(
            participation_id=shift.data.participation_id,
            shift_id=shift.data.shift_id,
            volunteer_id="zhao-lei",
            post_type=shift.data.post_type,
            confirmed_by="liu-yang",
            confirmed_at=shift.data.confirmed_at,
        ),
        community="meihu",
        service="shifts",
        subject=str(shift.data.participation_id),
    )
    async with connect(database_url) as conn:
        for _ in range(2):
            async with conn.transaction():
                await awards.on_no_show(joined(conn), no_show)
        assert await conn.fetchval("SELECT count(*) FROM no_shows WHERE person_id = 'zhao-lei'") == 1
        assert await balance(conn, "zhao-lei") == 0


async def test_crossing_100_hours_grants_the_first_star_once(database_url: str) -> None:
    async with connect(database_url) as conn:
        for day in range(11):  # 11 x 10 h = 110 h, one shift a day so the cap is not the point here
            event = participation(
                "wang-fang", hours=10.0, started_at=SHANGHAI_NOON - timedelta(hours=4) + timedelta(days=day)
            )
            async with conn.transaction():
                await participations.on_participation_completed(joined(conn), event)
        honours = await conn.fetch("SELECT kind, level FROM honours WHERE person_id = 'wang-fang'")
        granted = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'linli.honour.granted.v1'")
    assert [(h["kind"], h["level"]) for h in honours] == [("star_level", 1)]
    assert granted == 1


async def test_an_edited_rule_applies_as_a_new_version_and_the_award_says_which(
    client: httpx.AsyncClient, admin: dict[str, str], database_url: str
) -> None:
    rules = (await client.get("/rules", headers=admin)).json()
    participation_rule = next(r for r in rules if r["rule_id"] == "participation.hours")
    params = participation_rule["params"] | {
        "points_per_hour": {"patrol": 15, "publicity": 10, "environment": 10, "culture": 10}
    }
    edited = await client.put(
        "/rules/participation.hours", json={"params": params, "reason": "巡逻加分 more for patrols"}, headers=admin
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    bad = await client.put(
        "/rules/participation.hours", json={"params": {"points_per_hour": 5}, "reason": "bad"}, headers=admin
    )
    assert bad.status_code == 422
    versions = (await client.get("/rules/participation.hours/versions", headers=admin)).json()
    assert [v["version"] for v in versions] == [2, 1]

    async with connect(database_url) as conn:
        async with conn.transaction():
            await participations.on_participation_completed(joined(conn), participation("chen-jing", hours=2.0))
        award = await conn.fetchrow("SELECT rule_version, points, explanation FROM awards")
    assert award is not None
    assert (award["rule_version"], award["points"]) == (2, 30)
    assert award["explanation"]["en"] == "2.0 h patrol x 15 points/h = 30"


async def test_only_admins_edit_rules(client: httpx.AsyncClient, tokens: Tokens) -> None:
    response = await client.put(
        "/rules/session.attended",
        json={"params": {"points": 50}, "reason": "more"},
        headers=tokens.headers("zhang-wei", "committee"),
    )
    assert response.status_code == 403
