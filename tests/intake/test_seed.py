"""The demo seed runs through the API and a second run changes nothing."""

from __future__ import annotations

import httpx

from contracts.demo import BY_ID
from services.intake.seed import DEMO, DEMO_OPEN311_KEY, seed_demo
from tests.intake.support import sql
from tests.support.infra import Tokens


async def test_seed_creates_demo_issues_in_several_states_and_is_idempotent(
    client: httpx.AsyncClient, tokens: Tokens, database_url: str
) -> None:
    def headers(person: str) -> dict[str, str]:
        p = BY_ID[person]
        return tokens.headers(p.id, *p.roles, name=p.name, building_group=p.building_group)

    await seed_demo(client, headers)
    first = await sql(database_url).fetch("SELECT status, count(*) AS n FROM issues GROUP BY status ORDER BY status")
    events = await sql(database_url).fetch("SELECT count(*) AS n FROM outbox")
    await seed_demo(client, headers)

    assert (
        await sql(database_url).fetch("SELECT status, count(*) AS n FROM issues GROUP BY status ORDER BY status")
        == first
    )
    assert await sql(database_url).fetch("SELECT count(*) AS n FROM outbox") == events
    assert {r["status"] for r in first} == {
        "submitted",
        "in_progress",
        "referred",
        "resolved",
        "closed",
        "accepted",
        "rejected",
    }
    assert sum(r["n"] for r in first) == len(DEMO)
    services = await client.get("/open311/v2/requests.json", params={"api_key": DEMO_OPEN311_KEY})
    assert len(services.json()) == len(DEMO)
