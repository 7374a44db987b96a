"""What PostgreSQL NOTIFYs on a channel, heard on a LISTEN connection of the test's own."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from services.kernel import db

MARKER = "nothing-after-this"


class Heard:
    def __init__(self, conn: db.Connection, channel: str) -> None:
        self.conn = conn
        self.channel = channel
        self.payloads: asyncio.Queue[str] = asyncio.Queue()

    async def next(self, timeout: float = 10) -> str:
        return await asyncio.wait_for(self.payloads.get(), timeout)

    async def so_far(self) -> list[str]:
        """Every payload committed before now. Notifications arrive in commit order, so once a marker
        notified after them is heard, they have been too."""
        await self.conn.execute("SELECT pg_notify($1, $2)", self.channel, MARKER)
        heard: list[str] = []
        while (payload := await self.next()) != MARKER:
            heard.append(payload)
        return heard


@contextlib.asynccontextmanager
async def listening(database_url: str, schema: str, channel: str) -> AsyncIterator[Heard]:
    conn = await db.connect(database_url, schema)
    heard = Heard(conn, channel)
    try:
        await conn.add_listener(channel, lambda *args: heard.payloads.put_nowait(args[-1]))
        yield heard
    finally:
        await conn.close()
