"""Initiatives (倡议书) through the HTTP API on real PostgreSQL and NATS: one sign-on per person,
counts per building group, a closed initiative refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.kernel.clock import SettableClock
from tests.community.conftest import AppFactory
from tests.community.test_publicity_announcements import committee, events_of, resident
from tests.support.documented import assert_documented
from tests.support.infra import Tokens, eventually
from tests.support.sql import Sql

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
GOVERNANCE = {"title": "社区治理共建共享倡议书", "body": "邻里同心，共建美湖：人人参与社区治理。"}


async def launch(client: httpx.AsyncClient, tokens: Tokens, **extra: Any) -> dict[str, Any]:
    made = await client.post("/initiatives", json={**GOVERNANCE, **extra}, headers=committee(tokens))
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


async def test_the_committees_launch_an_initiative_and_it_is_published_on_nats(
    client: httpx.AsyncClient, tokens: Tokens, nats_url: str
) -> None:
    initiative = await launch(client, tokens)
    by_resident = await client.post("/initiatives", json=GOVERNANCE, headers=resident(tokens, "sun-hao", 6))

    assert initiative["signatures"] == 0
    assert initiative["open"] is True
    assert by_resident.status_code == 403

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.initiative.launched.v1", "initiative_id", initiative["id"])

    [event] = await eventually(on_nats, message="initiative.launched reaches NATS")
    assert event["data"]["title"] == GOVERNANCE["title"]


async def test_a_sign_on_is_one_per_person_and_a_second_answers_the_first_without_an_event(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql, nats_url: str
) -> None:
    initiative = await launch(client, tokens)
    url = f"/initiatives/{initiative['id']}/signatures"

    first = await client.post(url, headers=resident(tokens, "wang-fang", 3))
    second = await client.post(url, headers=resident(tokens, "wang-fang", 3))

    assert first.status_code == 201, first.text
    assert second.status_code == 200
    assert second.json() == first.json()
    assert_documented("community", "/initiatives/{initiative_id}/signatures", second)
    assert await sql.fetchval("SELECT count(*) FROM initiative_signatures") == 1
    assert await sql.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'linli.initiative.signed.v1'") == 1

    async def on_nats() -> list[dict[str, Any]]:
        return await events_of(nats_url, "linli.initiative.signed.v1", "initiative_id", initiative["id"])

    [event] = await eventually(on_nats, message="initiative.signed reaches NATS once")
    assert event["data"]["person_id"] == "wang-fang"
    assert event["data"]["building_group"] == 3


async def test_sign_ons_are_counted_per_building_group_and_each_reader_sees_whether_they_signed(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    initiative = await launch(client, tokens)
    url = f"/initiatives/{initiative['id']}/signatures"
    for sub, group in (("wang-fang", 3), ("huang-li", 3), ("sun-hao", 6), ("zhao-lei", 2)):
        assert (await client.post(url, headers=resident(tokens, sub, group))).status_code == 201

    mine = (await client.get(f"/initiatives/{initiative['id']}", headers=resident(tokens, "huang-li", 3))).json()
    not_mine = (await client.get("/initiatives", headers=resident(tokens, "zhou-qiang", 4))).json()

    assert mine["signatures"] == 4
    assert mine["by_building_group"] == {"1": 0, "2": 1, "3": 2, "4": 0, "5": 0, "6": 1}
    assert mine["signed"] is True
    assert [(i["id"], i["signed"]) for i in not_mine] == [(initiative["id"], False)]


async def test_a_closed_initiative_refuses_sign_ons_and_nothing_changes(
    community_app: AppFactory, tokens: Tokens, sql: Sql
) -> None:
    clock = SettableClock(NOON)
    async with community_app(clock=clock) as client:
        initiative = await launch(client, tokens, closes_at=(NOON + timedelta(days=1)).isoformat())
        clock.advance(timedelta(days=2))

        refused = await client.post(
            f"/initiatives/{initiative['id']}/signatures", headers=resident(tokens, "wang-fang", 3)
        )
        shown = (await client.get(f"/initiatives/{initiative['id']}", headers=resident(tokens, "wang-fang", 3))).json()

    assert refused.status_code == 409
    assert refused.json()["reason"] == "initiative-closed"
    assert shown["open"] is False
    assert await sql.fetchval("SELECT count(*) FROM initiative_signatures") == 0


async def test_an_initiative_closing_in_the_past_or_of_another_community_is_refused(
    client: httpx.AsyncClient, tokens: Tokens, sql: Sql
) -> None:
    past = await client.post(
        "/initiatives", json={**GOVERNANCE, "closes_at": "2020-01-01T00:00:00+08:00"}, headers=committee(tokens)
    )
    initiative = await launch(client, tokens)
    elsewhere = tokens.headers("li-si", "resident", community="binhu", building_group=1)

    foreign_sign = await client.post(f"/initiatives/{initiative['id']}/signatures", headers=elsewhere)
    foreign_read = await client.get(f"/initiatives/{initiative['id']}", headers=elsewhere)

    assert past.status_code == 400
    assert foreign_sign.status_code == 404
    assert foreign_read.status_code == 404
    assert await sql.fetchval("SELECT count(*) FROM initiatives") == 1
