"""Meihu demo data, created through the service's own HTTP API; a second run changes nothing.

The consultation council (协商议事会) is chaired by the party branch ("one core, many
parties") with members from the residents' committee, the volunteer alliance, social
organisations, residents and property management; the women's council (妇女议事会) is
chaired by the residents' committee.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from contracts.demo import BY_ID

TERM = {"term_from": "2026-01-01", "term_until": "2028-12-31"}

COUNCILS: dict[str, dict[str, Any]] = {
    "consultation": {
        "kind": "consultation",
        "name": "美湖社区协商议事会",
        "majority_rule": "simple",
        "default_mode": "in_person",
        "location": "美湖社区党群服务中心 二楼议事厅",
    },
    "women": {
        "kind": "women",
        "name": "美湖社区妇女议事会",
        "majority_rule": "simple",
        "default_mode": "online",
        "location": "微信群 / WeChat group",
    },
}

MEMBERS: dict[str, list[tuple[str, str, str]]] = {
    "consultation": [
        ("zhang-wei", "party_branch", "chair"),
        ("li-na", "residents_committee", "vice_chair"),
        ("wang-fang", "volunteer_alliance", "secretary"),
        ("chen-jing", "social_organization", "member"),
        ("yang-min", "volunteer_alliance", "member"),
        ("huang-li", "resident", "member"),
        ("zhou-qiang", "property_management", "member"),
    ],
    "women": [
        ("li-na", "residents_committee", "chair"),
        ("wang-fang", "volunteer_alliance", "secretary"),
        ("chen-jing", "social_organization", "member"),
        ("yang-min", "volunteer_alliance", "member"),
        ("huang-li", "resident", "member"),
    ],
}


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"seeding deliberation failed: {response.status_code} {response.text}")
    return response.json() if response.content else None


async def seed_demo(client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]]) -> None:
    admin = headers("admin")
    existing = {c["kind"]: c for c in _check(await client.get("/councils", headers=admin))}
    for kind, body in COUNCILS.items():
        wanted = [
            {"person_id": person_id, "name": BY_ID[person_id].name, "party": party, "position": position, **TERM}
            for person_id, party, position in MEMBERS[kind]
        ]
        council = existing.get(kind)
        if council is None:  # with its members, so the scheduled sessions are announced to them
            _check(await client.post("/councils", json={**body, "members": wanted}, headers=admin))
            continue
        members = {
            m["person_id"]: m for m in _check(await client.get(f"/councils/{council['id']}/members", headers=admin))
        }
        for member in wanted:
            current = members.get(member["person_id"])
            if current and (current["party"], current["position"]) == (member["party"], member["position"]):
                continue
            put = {k: v for k, v in member.items() if k != "person_id"}
            _check(
                await client.put(f"/councils/{council['id']}/members/{member['person_id']}", json=put, headers=admin)
            )
