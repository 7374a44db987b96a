"""Meihu demo data for intake, created through intake's own HTTP API. Idempotent: each demo
issue is found by its reporter and title, and only the steps it still lacks are taken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

DEMO_OPEN311_KEY = "meihu-12345-hotline-demo-key"
"""The api key the demo 12345 hotline uses for /open311/v2/ (a real deployment generates its own)."""

Step = tuple[str, str, dict[str, Any], str]
"""(status reached, action, body, who acts)."""

COMMITTEE = "zhang-wei"

DEMO: list[tuple[str, dict[str, Any], list[Step]]] = [
    (
        "wang-fang",
        {
            "category": "corridor_clutter",
            "title": "12栋3单元楼道堆放纸箱杂物",
            "description": "二楼到四楼楼道堆满纸箱和旧家具，堵住消防通道。",
            "location": {"building": "12栋", "unit": "3单元", "text": "二至四楼楼道"},
        },
        [],
    ),
    (
        "liu-yang",
        {
            "category": "dog_keeping",
            "title": "小区花园有狗不拴绳",
            "description": "Dogs off the leash in the central garden every evening.",
            "location": {"building": "8栋", "text": "中心花园"},
        },
        [
            ("accepted", "review", {"decision": "accept", "note": "交环境监督岗跟进"}, COMMITTEE),
            ("in_progress", "start", {}, COMMITTEE),
        ],
    ),
    (
        "chen-jing",
        {
            "category": "neighbour_dispute",
            "title": "楼上卫生间漏水引发邻里纠纷",
            "description": "楼上卫生间长期渗水到我家天花板，多次协商未果。",
            "location": {"building": "5栋", "unit": "1单元"},
        },
        [("referred", "review", {"decision": "refer", "note": "提交协商议事会调解"}, "li-na")],
    ),
    (
        "sun-hao",
        {
            "category": "repairs",
            "title": "6号楼前路灯不亮",
            "description": "The street light in front of building 6 has been dark for a week.",
            "location": {"building": "6栋", "text": "楼前路灯"},
            "attributes": {"facility": "light"},
        },
        [
            ("accepted", "review", {"decision": "accept"}, COMMITTEE),
            ("in_progress", "start", {}, COMMITTEE),
            ("resolved", "resolve", {"summary": "物业已更换灯泡", "contributors": ["liu-yang", "yang-min"]}, COMMITTEE),
        ],
    ),
    (
        "zhao-lei",
        {
            "category": "noise",
            "title": "Late-night renovation noise",
            "description": "Drilling after 22:00 in building 2, unit 2.",
            "location": {"building": "2栋", "unit": "2单元"},
        },
        [
            ("accepted", "review", {"decision": "accept"}, "li-na"),
            ("in_progress", "start", {}, "li-na"),
            ("resolved", "resolve", {"summary": "已与装修户约定施工时间", "contributors": ["wang-fang"]}, "li-na"),
            ("closed", "confirm", {"satisfaction": 5}, "zhao-lei"),
        ],
    ),
    (
        "wu-xia",
        {
            "category": "micro_wish",
            "title": "为独居老人送一台助听器",
            "description": "5栋一位独居老人听力不好，希望能有一台助听器。",
            "location": {"building": "5栋"},
            "anonymous": True,
        },
        [("accepted", "review", {"decision": "accept", "note": "列入微心愿认领"}, COMMITTEE)],
    ),
    (
        "huang-li",
        {
            "category": "property_management",
            "title": "物业费上涨不合理",
            "description": "希望物业公开收支明细。",
        },
        [("rejected", "review", {"decision": "reject", "note": "属于业委会职责，已转告业委会"}, COMMITTEE)],
    ),
]


async def _find(client: httpx.AsyncClient, headers: dict[str, str], title: str) -> dict[str, Any] | None:
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"reporter": "me", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/issues", params=params, headers=headers)
        response.raise_for_status()
        body = response.json()
        for item in body["items"]:
            if item["title"] == title:
                return dict(item)
        cursor = body["next_cursor"]
        if cursor is None:
            return None


async def seed_demo(client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]]) -> None:
    key = await client.post(
        "/open311-keys",
        json={"name": "12345 市民热线 / 12345 hotline (demo)", "principal": "hotline-12345", "key": DEMO_OPEN311_KEY},
        headers=headers("admin"),
    )
    if key.status_code not in (201, 409):
        key.raise_for_status()
    for reporter, body, steps in DEMO:
        issue = await _find(client, headers(reporter), body["title"])
        if issue is None:
            created = await client.post("/issues", json=body, headers=headers(reporter))
            created.raise_for_status()
            issue = created.json()
        reached = ["submitted"] + [status for status, *_ in steps]
        done = reached.index(issue["status"]) if issue["status"] in reached else len(reached) - 1
        for _status, action, step_body, who in steps[done:]:
            response = await client.post(f"/issues/{issue['id']}/{action}", json=step_body, headers=headers(who))
            response.raise_for_status()
