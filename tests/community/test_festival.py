"""The neighbourhood festival (邻里节) through the HTTP API on real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.kernel.clock import SettableClock
from tests.community.conftest import AppFactory
from tests.community.test_selections import community_events
from tests.support.documented import assert_documented
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

T0 = datetime(2020, 8, 1, 2, 0, tzinfo=UTC)
STARTS = datetime(2020, 9, 12, 1, 0, tzinfo=UTC)  # 09:00 in Hefei


class Festival:
    def __init__(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        self.client = client
        self.tokens = tokens
        self.committee = tokens.headers("zhang-wei", "committee", "resident", building_group=1)
        self.id = ""

    def person(self, sub: str, group: int | None = 6) -> dict[str, str]:
        return self.tokens.headers(sub, "resident", name=sub, building_group=group)

    async def open(self, **overrides: Any) -> httpx.Response:
        body = {
            "year": 2020,
            "edition": 13,
            "theme": "第十三届美湖邻里节",
            "proposals_close_at": (T0 + timedelta(days=10)).isoformat(),
        } | overrides
        response = await self.client.post("/festivals", json=body, headers=self.committee)
        if response.status_code == 201:
            self.id = response.json()["id"]
        return response

    async def propose(self, title: str, by: str = "sun-hao") -> httpx.Response:
        return await self.client.post(
            f"/festivals/{self.id}/proposals",
            json={"title": title, "description": "大家一起来"},
            headers=self.person(by),
        )

    async def scheduled(self, capacity: int | None) -> str:
        await self.open()
        activity = (await self.propose("百家宴")).json()["id"]
        await self.client.post(f"/proposals/{activity}/adopt", headers=self.committee)
        scheduled = await self.client.post(
            f"/activities/{activity}/schedule",
            json={
                "starts_at": STARTS.isoformat(),
                "ends_at": (STARTS + timedelta(hours=3)).isoformat(),
                "location": "美湖社区广场",
                "capacity": capacity,
            },
            headers=self.committee,
        )
        assert scheduled.status_code == 200, scheduled.text
        return str(activity)


async def test_one_festival_a_year_with_its_edition(community_app: AppFactory, tokens: Tokens) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        opened = await festival.open()
        again = await festival.open(edition=14)
        by_resident = await client.post(
            "/festivals",
            json={"year": 2021, "proposals_close_at": (T0 + timedelta(days=1)).isoformat()},
            headers=festival.person("sun-hao"),
        )
        of_2020 = await client.get("/festivals/2020", headers=festival.person("sun-hao"))
        listed = await client.get("/festivals", headers=festival.person("sun-hao"))
        missing = await client.get("/festivals/2019", headers=festival.person("sun-hao"))

    assert opened.status_code == 201, opened.text
    assert again.status_code == 409
    assert again.json()["reason"] == "festival-exists"
    assert by_resident.status_code == 403
    assert of_2020.json()["edition"] == 13
    assert of_2020.json()["theme"] == "第十三届美湖邻里节"
    assert [f["year"] for f in listed.json()] == [2020]
    assert missing.status_code == 404


async def test_an_edition_or_year_past_the_calendar_is_refused_not_an_error(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        huge_edition = await festival.open(edition=1943286084042)
        huge_year = await client.get(f"/festivals/{2**40}", headers=festival.person("sun-hao"))
        listed = await client.get("/festivals", headers=festival.person("sun-hao"))

    assert (huge_edition.status_code, huge_year.status_code) == (422, 422)
    assert listed.json() == []


async def test_support_is_once_per_person_and_adoption_carries_the_support_count(
    community_app: AppFactory, tokens: Tokens, nats_url: str
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        await festival.open()
        banquet = (await festival.propose("百家宴")).json()["id"]
        quiz = (await festival.propose("邻里知识竞赛", by="zhao-lei")).json()["id"]
        for person in ("sun-hao", "zhao-lei", "wang-fang"):
            await client.post(f"/proposals/{banquet}/support", headers=festival.person(person))
        again = await client.post(f"/proposals/{banquet}/support", headers=festival.person("sun-hao"))
        await client.post(f"/proposals/{quiz}/support", headers=festival.person("sun-hao"))
        listed = (await client.get(f"/festivals/{festival.id}/proposals", headers=festival.person("sun-hao"))).json()
        adopted = await client.post(f"/proposals/{banquet}/adopt", headers=festival.committee)
        adopted_again = await client.post(f"/proposals/{banquet}/adopt", headers=festival.committee)
        by_resident = await client.post(f"/proposals/{quiz}/adopt", headers=festival.person("sun-hao"))
        support_after = await client.post(f"/proposals/{banquet}/support", headers=festival.person("li-na"))

        events = await eventually(
            lambda: community_events(nats_url, "activity.adopted", banquet), message="activity.adopted on NATS"
        )

    assert again.status_code == 200
    assert again.json()["support_count"] == 3
    assert again.json()["supported"] is True
    assert [(p["title"], p["support_count"]) for p in listed] == [("百家宴", 3), ("邻里知识竞赛", 1)]
    assert adopted.status_code == 200
    assert adopted.json()["status"] == "adopted"
    assert adopted_again.status_code == 409
    assert adopted_again.json()["current_state"] == "adopted"
    assert by_resident.status_code == 403
    assert support_after.status_code == 409
    assert support_after.json()["reason"] == "already-adopted"
    assert len(events) == 1
    data = events[0]["data"]
    assert (data["support_count"], data["festival_year"], data["festival_edition"]) == (3, 2020, 13)
    assert (data["proposed_by"], data["adopted_by"], data["title"]) == ("sun-hao", "zhang-wei", "百家宴")


async def test_proposals_close_when_the_festival_says(community_app: AppFactory, tokens: Tokens, sql: Sql) -> None:
    clock = SettableClock(T0)
    async with community_app(clock=clock) as client:
        festival = Festival(client, tokens)
        await festival.open()
        clock.advance(timedelta(days=10))
        late = await festival.propose("迟到的提议")

    assert late.status_code == 409
    assert late.json()["reason"] == "proposals-closed"
    assert await sql.fetchval("SELECT count(*) FROM festival_activities") == 0


async def test_only_an_adopted_activity_is_scheduled_and_scheduling_is_announced(
    community_app: AppFactory, tokens: Tokens, nats_url: str
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        await festival.open()
        proposal = (await festival.propose("广场舞")).json()["id"]
        window = {"starts_at": STARTS.isoformat(), "ends_at": (STARTS + timedelta(hours=2)).isoformat(), "capacity": 30}
        not_adopted = await client.post(f"/activities/{proposal}/schedule", json=window, headers=festival.committee)
        signup_too_early = await client.post(f"/activities/{proposal}/signups", headers=festival.person("sun-hao"))
        await client.post(f"/proposals/{proposal}/adopt", headers=festival.committee)
        backwards = await client.post(
            f"/activities/{proposal}/schedule",
            json=window | {"ends_at": (STARTS - timedelta(hours=1)).isoformat()},
            headers=festival.committee,
        )
        scheduled = await client.post(f"/activities/{proposal}/schedule", json=window, headers=festival.committee)

        events = await eventually(
            lambda: community_events(nats_url, "activity.scheduled", proposal), message="activity.scheduled on NATS"
        )

    assert not_adopted.status_code == 409
    assert not_adopted.json()["current_state"] == "proposed"
    assert signup_too_early.status_code == 409
    assert signup_too_early.json()["reason"] == "not-scheduled"
    assert backwards.status_code == 400
    assert scheduled.status_code == 200
    assert scheduled.json()["capacity"] == 30
    assert len(events) == 1
    assert events[0]["data"]["capacity"] == 30
    assert events[0]["data"]["location"] is None
    assert events[0]["data"]["festival_edition"] == 13


async def test_a_person_signs_up_once_and_may_cancel_their_own_sign_up(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        activity = await festival.scheduled(capacity=10)
        first = await client.post(f"/activities/{activity}/signups", headers=festival.person("sun-hao"))
        again = await client.post(f"/activities/{activity}/signups", headers=festival.person("sun-hao"))
        listed = await client.get(f"/activities/{activity}/signups", headers=festival.committee)
        not_for_residents = await client.get(f"/activities/{activity}/signups", headers=festival.person("sun-hao"))
        cancelled = await client.delete(f"/activities/{activity}/signups/me", headers=festival.person("sun-hao"))
        cancelled_again = await client.delete(f"/activities/{activity}/signups/me", headers=festival.person("sun-hao"))
        after = await client.get(f"/activities/{activity}", headers=festival.person("sun-hao"))

    assert first.status_code == 201
    assert first.json()["signed_up"] == 1
    assert first.json()["signed_up_me"] is True
    assert again.status_code == 200
    assert again.json()["signed_up"] == 1
    assert_documented("community", "/activities/{activity_id}/signups", again)
    assert [(s["person_id"], s["building_group"]) for s in listed.json()] == [("sun-hao", 6)]
    assert not_for_residents.status_code == 403
    assert cancelled.status_code == 204
    assert cancelled_again.status_code == 404
    assert after.json()["signed_up"] == 0
    assert after.json()["signed_up_me"] is False


async def test_who_signed_up_is_for_the_activitys_own_committees_not_another_communitys_reading_as_the_district(
    community_app: AppFactory, tokens: Tokens
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        activity = await festival.scheduled(capacity=10)
        await client.post(f"/activities/{activity}/signups", headers=festival.person("sun-hao"))
        district = tokens.headers("xu-ming", "committee", "district", community="xinhua")
        read = await client.get(f"/activities/{activity}", headers=district)
        names = await client.get(f"/activities/{activity}/signups", headers=district)
        own = await client.get(f"/activities/{activity}/signups", headers=festival.committee)

    assert read.status_code == 200
    assert read.json()["signed_up"] == 1
    assert names.status_code == 404
    assert [s["person_id"] for s in own.json()] == ["sun-hao"]


async def test_capacity_is_never_exceeded_by_concurrent_last_place_signups(
    community_app: AppFactory, tokens: Tokens, sql: Sql
) -> None:
    async with community_app(clock=SettableClock(T0)) as client:
        festival = Festival(client, tokens)
        activity = await festival.scheduled(capacity=3)
        await client.post(f"/activities/{activity}/signups", headers=festival.person("sun-hao"))
        await client.post(f"/activities/{activity}/signups", headers=festival.person("zhao-lei"))

        answers = await asyncio.gather(
            *(
                client.post(f"/activities/{activity}/signups", headers=festival.person(f"neighbour-{i}"))
                for i in range(6)
            )
        )

    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    assert {a.json()["reason"] for a in answers if a.status_code == 409} == {"full"}
    assert await sql.fetchval("SELECT count(*) FROM festival_signups") == 3
