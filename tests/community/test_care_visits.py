"""Care visits (走访慰问) on real NATS and PostgreSQL: the year's backbone volunteers ranked by the points
and hours community learnt from the love bank's and shifts' events, a visit planned (the volunteer is
told) and recorded, one a year."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contracts.enums import PostType
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.kernel.clock import SettableClock
from tests.community.conftest import AppFactory
from tests.notifications.support import publish, wrap
from tests.support.events import published
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


def committee(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("zhang-wei", "committee", name="张伟", building_group=1)


def points(person: str, amount: int, at: datetime) -> PointsAwarded:
    return PointsAwarded(
        transaction_id=uuid.uuid4(), person_id=person, points=amount, balance_after=amount, rule_id="participation.hours",
        rule_version=1, explanation={"zh-CN": "值守", "en": "shift"}, source_event_id=uuid.uuid4(),
        source_event_type="linli.participation.completed.v1", awarded_at=at,
    )  # fmt: skip


def hours(person: str, amount: float, at: datetime) -> ParticipationCompleted:
    return ParticipationCompleted(
        participation_id=uuid.uuid4(), shift_id=uuid.uuid4(), volunteer_id=person, post_type=PostType.PATROL,
        hours=amount, started_at=at, ended_at=at + timedelta(hours=amount), confirmed_by="liu-yang",
        confirmed_at=at + timedelta(hours=amount),
    )  # fmt: skip


async def love_bank(nats_url: str) -> None:
    """wang-fang 300 points, chen-jing 300 points and more hours, zhao-lei 120; some of last year's too."""
    june = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    new_years_eve = datetime(2025, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 in Hefei: still 2025
    events = [
        wrap(points("wang-fang", 200, june), "rewards"),
        wrap(points("wang-fang", 100, june), "rewards"),
        wrap(points("chen-jing", 300, june), "rewards"),
        wrap(points("zhao-lei", 120, june), "rewards"),
        wrap(points("zhao-lei", 900, new_years_eve), "rewards"),
        wrap(hours("wang-fang", 10.0, june), "shifts"),
        wrap(hours("chen-jing", 12.5, june), "shifts"),
        wrap(hours("wu-xia", 2.0, new_years_eve), "shifts"),
    ]
    for event in events:
        await publish(nats_url, event)
    await publish(nats_url, events[0], msg_id="redelivered")  # the same event again: counted once


THIS_YEAR = [("chen-jing", 300, 12.5), ("wang-fang", 300, 10.0), ("zhao-lei", 120, 0.0)]
LAST_YEAR = [("zhao-lei", 900, 0.0), ("wu-xia", 0, 2.0)]


async def candidates(
    client: httpx.AsyncClient, tokens: Tokens, year: int, expected: list[tuple[str, int, float]]
) -> list[dict[str, Any]]:
    """The year's candidates, once the love bank's events made them what `expected` says."""

    async def ranked() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (
            await client.get("/care-visits/candidates", params={"year": year}, headers=committee(tokens))
        ).json()
        return items if [(c["person_id"], c["points"], c["hours"]) for c in items] == expected else []

    found: list[dict[str, Any]] = await eventually(ranked, message=f"the candidates of {year}")
    return found


async def test_candidates_are_ranked_by_points_then_hours_of_the_community_year(
    community_app: AppFactory, tokens: Tokens, nats_url: str
) -> None:
    async with community_app(clock=SettableClock(NOW)) as client:
        await love_bank(nats_url)

        ranked = await candidates(client, tokens, 2026, THIS_YEAR)
        last_year = await candidates(client, tokens, 2025, LAST_YEAR)

    assert [c["visit_id"] for c in ranked + last_year] == [None] * 5


async def test_a_planned_visit_carries_the_points_and_hours_when_picked_and_is_recorded_once(
    community_app: AppFactory, tokens: Tokens, nats_url: str, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(NOW)) as client:
        await love_bank(nats_url)
        await candidates(client, tokens, 2026, THIS_YEAR)
        body = {"volunteer_id": "wang-fang", "planned_for": "2026-12-20", "visitors": ["zhang-wei", "li-na"]}

        planned = await client.post("/care-visits", json=body, headers=committee(tokens))
        assert planned.status_code == 201, planned.text
        visit = planned.json()
        assert (visit["year"], visit["points"], visit["hours"], visit["status"]) == (2026, 300, 10.0, "planned")
        twice = await client.post("/care-visits", json=body, headers=committee(tokens))
        assert twice.status_code == 409
        assert twice.json()["reason"] == "already-planned-this-year"
        listed = (await client.get("/care-visits", params={"year": 2026}, headers=committee(tokens))).json()
        assert [v["volunteer_id"] for v in listed] == ["wang-fang"]
        ranked = await candidates(client, tokens, 2026, THIS_YEAR)
        assert next(c for c in ranked if c["person_id"] == "wang-fang")["visit_id"] == visit["id"]

        path = f"/care-visits/{visit['id']}/record"
        record = {"visited_at": "2026-12-06T09:30:00+08:00", "visitors": ["zhang-wei"], "note": "送去慰问品，身体健康"}
        in_future = await client.post(
            path, json={**record, "visited_at": "2026-12-21T09:30:00+08:00"}, headers=committee(tokens)
        )
        assert in_future.status_code == 400
        recorded = await client.post(path, json=record, headers=committee(tokens))
        assert recorded.status_code == 200, recorded.text
        assert recorded.json()["status"] == "visited"
        assert recorded.json()["visited_with"] == ["zhang-wei"]
        again = await client.post(path, json=record, headers=committee(tokens))
        assert again.status_code == 409

        async def visit_events() -> list[dict[str, Any]]:
            events = [e for e in await published(nats_url, "LINLI_COMMUNITY") if e["type"].startswith("linli.visit.")]
            return events if len(events) == 2 else []

        planned_event, recorded_event = await eventually(visit_events, message="visit events on NATS")
    assert planned_event["type"] == "linli.visit.planned.v1"
    assert planned_event["data"]["volunteer_id"] == "wang-fang"
    assert planned_event["data"]["points"] == 300
    assert planned_event["data"]["hours"] == 10.0
    assert planned_event["data"]["planned_for"] == "2026-12-20"
    assert recorded_event["type"] == "linli.visit.recorded.v1"
    assert recorded_event["data"]["note"] == "送去慰问品，身体健康"
    assert await sql.fetchval("SELECT count(*) FROM care_visits") == 1


async def test_only_a_volunteer_with_points_or_hours_that_year_is_visited(
    community_app: AppFactory, tokens: Tokens, nats_url: str, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(NOW)) as client:
        await love_bank(nats_url)
        await candidates(client, tokens, 2026, THIS_YEAR)
        nobody = {"volunteer_id": "sun-hao", "planned_for": "2026-12-20", "visitors": ["zhang-wei"]}
        wrong_year = {"volunteer_id": "wu-xia", "planned_for": "2026-12-20", "visitors": ["zhang-wei"]}
        no_visitors = {"volunteer_id": "wang-fang", "planned_for": "2026-12-20", "visitors": [" "]}

        answers = [await client.post("/care-visits", json=b, headers=committee(tokens)) for b in (nobody, wrong_year)]
        empty = await client.post("/care-visits", json=no_visitors, headers=committee(tokens))

    assert [a.status_code for a in answers] == [409, 409]
    assert {a.json()["reason"] for a in answers} == {"not-a-backbone-volunteer"}
    assert empty.status_code == 400
    assert await sql.fetchval("SELECT count(*) FROM care_visits") == 0


async def test_care_visits_are_the_committees_business(client: httpx.AsyncClient, tokens: Tokens) -> None:
    volunteer = tokens.headers("wang-fang", "resident", "volunteer")
    body = {"volunteer_id": "wang-fang", "planned_for": "2026-12-20", "visitors": ["zhang-wei"]}

    assert (await client.get("/care-visits/candidates", params={"year": 2026}, headers=volunteer)).status_code == 403
    assert (await client.get("/care-visits", params={"year": 2026}, headers=volunteer)).status_code == 403
    assert (await client.post("/care-visits", json=body, headers=volunteer)).status_code == 403
    assert (
        await client.get("/care-visits/candidates", params={"year": 1}, headers=committee(tokens))
    ).status_code == 422
