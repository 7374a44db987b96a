"""The publicity seed: the demo publicity agents and the governance initiative, the same after a second run."""

from __future__ import annotations

import httpx

from contracts.demo import BY_ID, PUBLICITY_AGENTS
from services.community.seed import seed_demo
from tests.support.infra import Tokens


async def test_the_seed_registers_the_demo_publicity_agents_and_a_second_run_changes_nothing(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    def headers(person_id: str) -> dict[str, str]:
        person = BY_ID[person_id]
        return tokens.headers(person.id, *person.roles, name=person.name, building_group=person.building_group)

    await seed_demo(client, headers)
    await seed_demo(client, headers)
    agents = (await client.get("/publicity-agents", headers=headers("sun-hao"))).json()
    initiatives = (await client.get("/initiatives", headers=headers("sun-hao"))).json()

    assert [(a["person_id"], a["building_group"], a["kind"]) for a in agents] == [
        ("huang-li", 3, "party_group_leader"),
        ("wu-xia", 5, "building_leader"),
    ]
    assert all("publicity_agent" in BY_ID[person_id].roles for person_id, _ in PUBLICITY_AGENTS)
    assert len(initiatives) == 1
