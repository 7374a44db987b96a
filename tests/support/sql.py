"""The one way tests read and write a service's tables: a short-lived connection in that service's schema.

Tests look at rows to prove what an API promised (a balance, an outbox row, a history entry);
they never share the services' pools, so what they see is what was committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from services.kernel import db


@asynccontextmanager
async def connection(database_url: str, schema: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection whose search path is `schema` (JSON columns decoded as the services decode them)."""
    conn = await db.connect(database_url, schema)
    try:
        yield conn
    finally:
        await conn.close()


class Sql:
    """Runs statements against one service's schema: `Sql(url, "intake").fetch("SELECT ...")`."""

    def __init__(self, database_url: str, schema: str) -> None:
        self.database_url = database_url
        self.schema = schema

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with connection(self.database_url, self.schema) as conn:
            return list(await conn.fetch(sql, *args))

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        async with connection(self.database_url, self.schema) as conn:
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        async with connection(self.database_url, self.schema) as conn:
            return await conn.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> str:
        async with connection(self.database_url, self.schema) as conn:
            result: str = await conn.execute(sql, *args)
            return result

    async def outbox(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The CloudEvents the service wrote to its outbox (of one type, if given), oldest first."""
        import orjson

        rows = await self.fetch(
            "SELECT payload FROM outbox WHERE $1::text IS NULL OR event_type = $1 ORDER BY seq", event_type
        )
        return [orjson.loads(r["payload"]) for r in rows]
