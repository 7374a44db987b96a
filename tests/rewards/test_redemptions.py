"""Redeeming prizes: points and stock move together or not at all, even under concurrent requests."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from services.rewards.adapters import prizes_repo
from services.stack.postgres import PostgresServer
from tests.support.documented import assert_documented
from tests.support.infra import Tokens


async def give(client: httpx.AsyncClient, admin: dict[str, str], person: str, points: int) -> None:
    response = await client.post(
        f"/accounts/{person}/adjustments", json={"points": points, "reason": "测试充值 test top-up"}, headers=admin
    )
    assert response.status_code == 201, response.text


async def prize(client: httpx.AsyncClient, admin: dict[str, str], *, cost: int, stock: int, code: str = "rice") -> Any:
    response = await client.post(
        "/prizes",
        json={"code": code, "name_zh": "大米 5kg", "name_en": "Rice 5 kg", "cost": cost, "stock": stock},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def state(client: httpx.AsyncClient, admin: dict[str, str], person: str, prize_id: str) -> tuple[int, int, int]:
    account = (await client.get(f"/accounts/{person}", headers=admin)).json()
    stock = next(p["stock"] for p in (await client.get("/prizes", headers=admin)).json() if p["id"] == prize_id)
    return account["balance"], account["reserved"], stock


async def test_redemption_beyond_the_balance_is_a_409_that_changes_nothing(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    rice = await prize(client, admin, cost=120, stock=3)
    await give(client, admin, "zhao-lei", 100)
    before = await state(client, admin, "zhao-lei", rice["id"])

    response = await client.post("/redemptions", json={"prize_id": rice["id"]}, headers=tokens.headers("zhao-lei"))

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/insufficient-points")
    assert response.json()["reason"] == "insufficient-points"
    assert response.json()["balance"] == 100
    assert await state(client, admin, "zhao-lei", rice["id"]) == before == (100, 0, 3)
    assert (await client.get("/ledger/verify", headers=admin)).status_code == 200


async def test_reserve_then_fulfil_moves_points_to_redeemed(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    oil = await prize(client, admin, cost=150, stock=2, code="oil")
    await give(client, admin, "wu-xia", 200)
    reserved = await client.post("/redemptions", json={"prize_id": oil["id"]}, headers=tokens.headers("wu-xia"))
    assert reserved.status_code == 201, reserved.text
    code = reserved.json()["pickup_code"]
    assert len(code) == 6
    assert await state(client, admin, "wu-xia", oil["id"]) == (50, 150, 1)

    found = (await client.get(f"/redemptions?pickup_code={code}", headers=admin)).json()["items"]
    assert [r["id"] for r in found] == [reserved.json()["id"]]
    fulfilled = await client.post(f"/redemptions/{found[0]['id']}/fulfil", headers=admin)
    assert fulfilled.status_code == 200
    assert fulfilled.json()["status"] == "fulfilled"
    assert await state(client, admin, "wu-xia", oil["id"]) == (50, 0, 1)

    again = await client.post(f"/redemptions/{found[0]['id']}/cancel", headers=admin)
    assert again.status_code == 409
    assert again.json()["current_state"] == "fulfilled"


async def test_cancel_refunds_points_and_stock(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    haircut = await prize(client, admin, cost=60, stock=1, code="haircut")
    await give(client, admin, "huang-li", 60)
    reserved = await client.post("/redemptions", json={"prize_id": haircut["id"]}, headers=tokens.headers("huang-li"))
    assert await state(client, admin, "huang-li", haircut["id"]) == (0, 60, 0)
    other = await client.post(f"/redemptions/{reserved.json()['id']}/cancel", headers=tokens.headers("sun-hao"))
    assert other.status_code == 403

    cancelled = await client.post(
        f"/redemptions/{reserved.json()['id']}/cancel", json={"reason": "改天再来"}, headers=tokens.headers("huang-li")
    )

    assert cancelled.status_code == 200
    assert await state(client, admin, "huang-li", haircut["id"]) == (60, 0, 1)
    statement = (await client.get("/accounts/huang-li/statement", headers=admin)).json()["items"]
    assert [line["kind"] for line in statement] == ["refund", "reservation", "adjustment"]


async def test_thirty_concurrent_redemptions_never_oversell_or_overdraw(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    cinema = await prize(client, admin, cost=100, stock=5, code="cinema")
    await give(client, admin, "yang-min", 300)  # enough for three
    headers = tokens.headers("yang-min")

    responses = await asyncio.gather(
        *(client.post("/redemptions", json={"prize_id": cinema["id"]}, headers=headers) for _ in range(30))
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 3, statuses
    assert statuses.count(409) == 27
    assert await state(client, admin, "yang-min", cinema["id"]) == (0, 300, 2)
    assert (await client.get("/ledger/verify", headers=admin)).status_code == 200


async def test_concurrent_redemptions_by_many_people_take_exactly_the_stock(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    detergent = await prize(client, admin, cost=80, stock=5, code="detergent")
    people = [f"resident-{i}" for i in range(30)]
    for person in people:
        await give(client, admin, person, 80)

    responses = await asyncio.gather(
        *(client.post("/redemptions", json={"prize_id": detergent["id"]}, headers=tokens.headers(p)) for p in people)
    )

    won = [r for r in responses if r.status_code == 201]
    assert len(won) == 5
    assert all(r.json()["type"].endswith("/out-of-stock") for r in responses if r.status_code != 201)
    stock = next(p["stock"] for p in (await client.get("/prizes", headers=admin)).json() if p["code"] == "detergent")
    assert stock == 0
    report = (await client.get("/ledger/verify", headers=admin)).json()
    assert report["clean"]


async def test_a_retried_redemption_with_the_same_idempotency_key_reserves_once(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    rice = await prize(client, admin, cost=50, stock=5)
    await give(client, admin, "zhao-lei", 200)
    headers = tokens.headers("zhao-lei") | {"Idempotency-Key": "counter-retry-0001"}

    responses = await asyncio.gather(
        *(client.post("/redemptions", json={"prize_id": rice["id"]}, headers=headers) for _ in range(5))
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    for response in responses:
        assert_documented("rewards", "/redemptions", response)
    assert await state(client, admin, "zhao-lei", rice["id"]) == (150, 50, 4)


async def test_a_prize_outside_its_active_window_cannot_be_redeemed_until_restocked_and_open(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    later = await client.post(
        "/prizes",
        json={
            "code": "mooncake",
            "name_zh": "月饼",
            "name_en": "Mooncakes",
            "cost": 10,
            "stock": 0,
            "active_from": "2099-09-01T00:00:00+08:00",
        },
        headers=admin,
    )
    assert later.status_code == 201
    assert later.json()["available"] is False
    await give(client, admin, "sun-hao", 100)
    closed_window = await client.post(
        "/redemptions", json={"prize_id": later.json()["id"]}, headers=tokens.headers("sun-hao")
    )
    assert closed_window.status_code == 409
    assert closed_window.json()["type"].endswith("/prize-unavailable")

    open_now = await prize(client, admin, cost=10, stock=0, code="tea")
    empty = await client.post("/redemptions", json={"prize_id": open_now["id"]}, headers=tokens.headers("sun-hao"))
    assert empty.json()["type"].endswith("/out-of-stock")
    restocked = await client.post(f"/prizes/{open_now['id']}/stock", json={"add": 2}, headers=admin)
    assert restocked.json()["stock"] == 2
    assert (await client.post(f"/prizes/{open_now['id']}/stock", json={"add": -3}, headers=admin)).status_code == 409
    ok = await client.post("/redemptions", json={"prize_id": open_now["id"]}, headers=tokens.headers("sun-hao"))
    assert ok.status_code == 201
    assert await state(client, admin, "sun-hao", open_now["id"]) == (90, 10, 1)


async def test_a_pickup_code_an_open_reservation_holds_is_drawn_again_and_never_reaches_the_database_log(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    tokens: Tokens,
    postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = iter([424242, 424242, 171717])
    monkeypatch.setattr(prizes_repo, "secrets", SimpleNamespace(randbelow=lambda _: next(drawn)))
    rice = await prize(client, admin, cost=10, stock=5)
    await give(client, admin, "zhao-lei", 50)

    codes = []
    for _ in range(2):
        reserved = await client.post("/redemptions", json={"prize_id": rice["id"]}, headers=tokens.headers("zhao-lei"))
        assert reserved.status_code == 201, reserved.text
        codes.append(reserved.json()["pickup_code"])

    assert codes == ["424242", "171717"]
    # A collision caught as a unique violation would have PostgreSQL log the held code in its DETAIL.
    log_path = Path(getattr(postgres.log, "name", ""))
    assert "424242" not in await asyncio.to_thread(log_path.read_text)


async def test_the_counter_is_told_in_chinese_too_why_a_code_was_used_or_stock_cannot_go_below_zero(
    client: httpx.AsyncClient, admin: dict[str, str], tokens: Tokens
) -> None:
    soap = await prize(client, admin, cost=30, stock=1, code="soap")
    await give(client, admin, "chen-jing", 30)
    reserved = await client.post("/redemptions", json={"prize_id": soap["id"]}, headers=tokens.headers("chen-jing"))
    assert reserved.status_code == 201, reserved.text
    assert (await client.post(f"/redemptions/{reserved.json()['id']}/fulfil", headers=admin)).status_code == 200

    twice = await client.post(f"/redemptions/{reserved.json()['id']}/fulfil", headers=admin)
    below_zero = await client.post(f"/prizes/{soap['id']}/stock", json={"add": -1}, headers=admin)

    assert twice.status_code == 409
    assert twice.json()["current_state"] == "fulfilled"
    assert twice.json()["detail_zh"] == "这笔兑换的奖品已经发放。"
    assert below_zero.status_code == 409
    assert below_zero.json()["reason"] == "out-of-stock"
    assert below_zero.json()["detail_zh"] == "库存不能少于零。"
