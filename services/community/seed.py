"""Meihu demo data for community's publicity, through its own HTTP API; a second run changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from contracts.demo import BY_ID, PUBLICITY_AGENTS

GOVERNANCE_INITIATIVE = {
    "title": "美湖社区治理共建共享倡议书",
    "body": (
        "邻里同心，共建美湖。我们倡议：人人关心社区事，有事好商量，遇事共参与；"
        "积极加入红色岗位志愿服务，文明养犬、垃圾分类、守望相助，让美湖成为我们共同的美好家园。"
    ),
}


async def seed_demo(client: httpx.AsyncClient, headers: Callable[[str], dict[str, str]]) -> None:
    """The building groups' publicity agents (registered by PUT, so again is the same) and the
    community governance co-participation initiative (launched only if missing)."""
    admin = headers("admin")
    for person_id, kind in PUBLICITY_AGENTS:
        person = BY_ID[person_id]
        response = await client.put(
            f"/publicity-agents/{person_id}",
            json={"building_group": person.building_group, "kind": kind, "name": person.name},
            headers=admin,
        )
        response.raise_for_status()
    existing = await client.get("/initiatives", headers=admin)
    existing.raise_for_status()
    if not any(i["title"] == GOVERNANCE_INITIATIVE["title"] for i in existing.json()):
        (await client.post("/initiatives", json=GOVERNANCE_INITIATIVE, headers=admin)).raise_for_status()
