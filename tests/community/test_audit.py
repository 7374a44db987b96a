"""The community service's privileged actions are in its audit log: publicity agents, selections, wishes."""

from __future__ import annotations

import httpx

from tests.support.audit import audit_entries
from tests.support.infra import Tokens


async def test_registering_and_removing_a_publicity_agent_are_audited(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    committee = tokens.headers("zhang-wei", "committee", building_group=1)
    put = await client.put(
        "/publicity-agents/huang-li",
        json={"building_group": 3, "kind": "party_group_leader", "name": "黄丽"},
        headers=committee,
    )
    assert put.status_code == 200, put.text
    removed = await client.delete("/publicity-agents/huang-li", headers=committee)
    assert removed.status_code == 204, removed.text

    entries = await audit_entries(client, tokens.headers("admin", "admin"))

    assert [(e["action"], e["subject"], e["actor"]) for e in entries] == [
        ("publicity_agent.removed", "huang-li", "zhang-wei"),
        ("publicity_agent.registered", "huang-li", "zhang-wei"),
    ]
    assert entries[1]["details"] == {"building_group": 3, "kind": "party_group_leader"}
