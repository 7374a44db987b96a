"""The Meihu demo seed builds both councils through the API, and a second run changes nothing."""

from __future__ import annotations

import httpx

from contracts.demo import BY_ID
from services.deliberation.seed import seed_demo
from tests.deliberation.helpers import sql
from tests.support.infra import Tokens


async def test_seed_creates_both_councils_and_is_idempotent(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    def headers(person_id: str) -> dict[str, str]:
        person = BY_ID[person_id]
        return tokens.headers(person.id, *person.roles, building_group=person.building_group)

    await seed_demo(client, headers)
    counts = "SELECT (SELECT count(*) FROM councils) || '/' || (SELECT count(*) FROM members) || '/' || (SELECT count(*) FROM sessions) || '/' || (SELECT count(*) FROM outbox)"
    first = await sql(database_url).fetchval(counts)
    await seed_demo(client, headers)
    assert await sql(database_url).fetchval(counts) == first
    councils = {c["kind"]: c for c in (await client.get("/councils", headers=headers("admin"))).json()}
    assert set(councils) == {"consultation", "women"}
    members = (await client.get(f"/councils/{councils['consultation']['id']}/members", headers=headers("li-na"))).json()
    assert members[0]["person_id"] == "zhang-wei"
    assert (members[0]["party"], members[0]["position"]) == ("party_branch", "chair")
    assert len(members) == 7
