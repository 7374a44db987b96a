"""The community service is a Linli service like the others: its schema, its stream, its documents."""

from __future__ import annotations

import httpx

from tests.support.sql import Sql


async def test_the_service_is_ready_with_its_own_schema(client: httpx.AsyncClient, sql: Sql) -> None:
    ready = await client.get("/readyz")

    assert ready.status_code == 200, ready.text
    assert await sql.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'community'") == 1


async def test_its_asyncapi_document_lists_the_events_it_publishes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/asyncapi.json")).json()

    channels = " ".join(document["channels"])
    for entity in ("announcement", "initiative", "activity", "selection", "wish", "venture", "visit"):
        assert entity in channels
