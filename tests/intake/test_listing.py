"""Listing issues: filters, Chinese and English full-text search, cursor pagination without gaps."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from tests.intake.support import COMMITTEE, NEIGHBOUR, RESIDENT, as_, sql, submit
from tests.support.infra import Tokens


async def test_full_text_search_finds_chinese_and_english_words(client: httpx.AsyncClient, tokens: Tokens) -> None:
    dog = await submit(
        client, tokens, title="小区里有狗随地大小便", description="Dog fouling the stairs", category="dog_keeping"
    )
    light = await submit(
        client, tokens, title="路灯坏了", description="street light broken near gate 2", category="repairs"
    )

    async def found(q: str) -> list[str]:
        response = await client.get("/issues", params={"q": q}, headers=as_(tokens, NEIGHBOUR))
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await found("随地大小便") == [dog["id"]]
    assert await found("狗") == [dog["id"]]
    assert await found("路灯") == [light["id"]]
    assert await found("LIGHT broken") == [light["id"]]
    assert await found("stair") == [dog["id"]]
    assert await found("灯狗") == []
    assert await found("'&|!") == []


async def test_filters_by_status_category_building_group_and_reporter(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    mine = await submit(client, tokens, RESIDENT, category="noise")
    theirs = await submit(client, tokens, NEIGHBOUR, category="sanitation")
    await client.post(f"/issues/{theirs['id']}/review", json={"decision": "accept"}, headers=as_(tokens, COMMITTEE))

    async def ids(who: tuple[str, str, int] = COMMITTEE, **params: str | int | list[str]) -> list[str]:
        response = await client.get("/issues", params=params, headers=as_(tokens, who))
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await ids(status="accepted") == [theirs["id"]]
    assert set(await ids(status=["accepted", "submitted"])) == {mine["id"], theirs["id"]}
    assert await ids(category="noise") == [mine["id"]]
    assert await ids(building_group=6) == [theirs["id"]]
    assert await ids(RESIDENT, reporter="me") == [mine["id"]]
    assert (
        await client.get("/issues", params={"status": "nonsense"}, headers=as_(tokens, COMMITTEE))
    ).status_code == 422


async def test_cursor_pagination_walks_every_issue_once_newest_first(client: httpx.AsyncClient, tokens: Tokens) -> None:
    created = [(await submit(client, tokens, title=f"issue {n}"))["id"] for n in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/issues", params=params, headers=as_(tokens, NEIGHBOUR))).json()
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    assert pages == 3
    bad = await client.get("/issues", params={"cursor": "not-a-cursor"}, headers=as_(tokens, NEIGHBOUR))
    assert bad.status_code == 400


async def test_comments_are_listed_oldest_first_with_a_cursor(client: httpx.AsyncClient, tokens: Tokens) -> None:
    issue = await submit(client, tokens)
    for n in range(3):
        response = await client.post(
            f"/issues/{issue['id']}/comments", json={"body": f"第{n}条"}, headers=as_(tokens, COMMITTEE)
        )
        assert response.status_code == 201
    first = (
        await client.get(f"/issues/{issue['id']}/comments", params={"limit": 2}, headers=as_(tokens, NEIGHBOUR))
    ).json()
    rest = (
        await client.get(
            f"/issues/{issue['id']}/comments",
            params={"limit": 2, "cursor": first["next_cursor"]},
            headers=as_(tokens, NEIGHBOUR),
        )
    ).json()
    assert [c["body"] for c in first["items"] + rest["items"]] == ["第0条", "第1条", "第2条"]
    assert rest["next_cursor"] is None
    assert first["items"][0]["author_id"] == COMMITTEE[0]


async def test_the_board_filters_by_channel_and_age(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    by_phone = await submit(client, tokens, COMMITTEE, channel="phone")
    old = await submit(client, tokens)
    await sql(database_url).execute(
        "UPDATE issues SET created_at = $2 WHERE id = $1::uuid", old["id"], datetime(2026, 1, 5, tzinfo=UTC)
    )
    headers = as_(tokens, COMMITTEE)

    phone = (await client.get("/issues", params={"channel": "phone"}, headers=headers)).json()["items"]
    aged = (await client.get("/issues", params={"raised_before": "2026-02-01T00:00:00Z"}, headers=headers)).json()

    assert [i["id"] for i in phone] == [by_phone["id"]]
    assert [i["id"] for i in aged["items"]] == [old["id"]]
