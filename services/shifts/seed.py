"""Meihu demo data for the shifts service, created through its own HTTP API; running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from contracts.demo import BY_ID
from services.kernel.settings import ServiceSettings

POSTS: dict[str, tuple[str, str]] = {
    "publicity": ("yang-min", "宣传党的政策，组织主题党日与政策宣讲。"),
    "patrol": ("liu-yang", "夜间与节假日治安巡逻，排查安全隐患。"),
    "environment": ("yang-min", "监督楼道堆物、垃圾分类与环境卫生。"),
    "culture": ("yang-min", "组织广场文化活动、读书会与邻里节。"),
}

# (person, kind, posts served, skills)
VOLUNTEERS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("liu-yang", "party_member", ("patrol",), ("巡逻", "急救")),
    ("yang-min", "party_member", ("publicity", "environment", "culture"), ("宣讲", "组织")),
    ("wang-fang", "party_member", ("publicity", "patrol"), ("宣讲",)),
    ("chen-jing", "resident_backbone", ("environment", "culture"), ("垃圾分类",)),
    ("huang-li", "resident_backbone", ("culture", "environment"), ("舞蹈", "书法")),
    ("zhao-lei", "resident", ("patrol",), ("english",)),
    ("wu-xia", "resident", ("patrol", "environment"), ()),
)

PATROL_TEMPLATE: dict[str, Any] = {
    "post": "patrol",
    "title": "治安巡逻 · 每周二、五晚",
    "weekdays": [2, 5],
    "start_time": "19:00:00",
    "end_time": "21:00:00",
    "location": "美湖小区东门集合",
    "capacity": 6,
    "min_party_members": 1,
    "notes": "请佩戴红袖标，携带手电筒。Wear the red armband and bring a torch.",
}


def _next(weekday: int, at: time, today: date) -> datetime:
    """The next local `weekday` (ISO) at `at`, at least a day from today: a wall-clock time without an
    offset, which the API reads in the community's zone."""
    day = today + timedelta(days=1)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return datetime.combine(day, at)


def _one_off_shifts(today: date) -> list[dict[str, Any]]:
    saturday = _next(6, time(9), today)
    sunday = _next(7, time(8), today)
    return [
        {
            "post": "publicity",
            "title": "主题党日 · 政策宣讲",
            "starts_at": saturday.isoformat(),
            "ends_at": (saturday + timedelta(hours=2)).isoformat(),
            "location": "社区党群服务中心",
            "capacity": 8,
            "min_party_members": 2,
        },
        {
            "post": "environment",
            "title": "楼道堆物清理",
            "starts_at": sunday.isoformat(),
            "ends_at": (sunday + timedelta(hours=2)).isoformat(),
            "location": "第三楼栋组",
            "capacity": 10,
        },
        {
            "post": "culture",
            "title": "美湖邻里节 · 广场演出",
            "starts_at": (saturday + timedelta(hours=10)).isoformat(),
            "ends_at": (saturday + timedelta(hours=12)).isoformat(),
            "location": "美湖广场",
            "capacity": 12,
        },
    ]


async def _ok(response: httpx.Response, already: str | None = None) -> dict[str, Any]:
    """The response body; a 409 with the reason `already` means a previous run did this."""
    if already and response.status_code == 409 and response.json().get("reason") == already:
        return {}
    if response.status_code not in (200, 201):
        raise RuntimeError(f"shifts seed: {response.request.method} {response.request.url} -> {response.text}")
    body: dict[str, Any] = response.json() if response.content else {}
    return body


async def _all_titles(client: httpx.AsyncClient, auth: dict[str, str], path: str, params: dict[str, str]) -> set[str]:
    titles: set[str] = set()
    cursor: str | None = None
    while True:
        page = await _ok(
            await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})}, headers=auth)
        )
        titles |= {item["title"] for item in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return titles


async def seed_demo(
    client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]], zone: ZoneInfo | None = None
) -> None:
    """`zone`: the community's, for "today"; by default the one the stack's environment gives the services."""
    today = datetime.now(zone or ServiceSettings().zone).date()
    admin = headers("admin")
    for post, (leader, description) in POSTS.items():
        await _ok(
            await client.put(f"/posts/{post}", json={"leader_ids": [leader], "description": description}, headers=admin)
        )
    for person_id, kind, posts, skills in VOLUNTEERS:
        person = BY_ID[person_id]
        body = {
            "name": person.name,
            "kind": kind,
            "building_group": person.building_group,
            "skills": list(skills),
            "posts": list(posts),
        }
        await _ok(await client.put(f"/volunteers/{person_id}", json=body, headers=admin))

    patrol_leader = headers("liu-yang")
    if PATROL_TEMPLATE["title"] not in await _all_titles(client, patrol_leader, "/templates", {}):
        await _ok(
            await client.post(
                "/templates", json={**PATROL_TEMPLATE, "valid_from": today.isoformat()}, headers=patrol_leader
            )
        )

    other_leader = headers("yang-min")
    existing = await _all_titles(client, other_leader, "/shifts", {"include_cancelled": "true"})
    for shift in _one_off_shifts(today):
        if shift["title"] in existing:
            continue
        created = await _ok(await client.post("/shifts", json=shift, headers=other_leader))
        for volunteer in ("yang-min", "huang-li", "chen-jing"):
            # Signed up by the post leader; a second run is refused as already signed up (409).
            await _ok(
                await client.post(
                    f"/shifts/{created['id']}/signups", json={"volunteer_id": volunteer}, headers=other_leader
                ),
                already="already_signed_up",
            )
