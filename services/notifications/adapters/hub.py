"""Live inbox fan-out: Postgres LISTEN/NOTIFY into the SSE streams open in this process.

An inbox row's trigger calls pg_notify (migration 20261129220000), so a stream hears of an item
only once it is committed, and every instance of the service hears it, whichever instance stored it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

import asyncpg
import orjson

from services.kernel import db
from services.notifications.adapters.repository import INBOX_CHANNEL

log = logging.getLogger("linli.notifications.hub")


class InboxHub:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self._conn: asyncpg.Connection | None = None

    def subscribe(self, person_id: str) -> asyncio.Queue[str]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=1000)
        self._queues[person_id].add(queue)
        return queue

    def unsubscribe(self, person_id: str, queue: asyncio.Queue[str]) -> None:
        queues = self._queues.get(person_id)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del self._queues[person_id]

    def publish(self, person_id: str, notification_id: str) -> None:
        for queue in self._queues.get(person_id, ()):
            with contextlib.suppress(asyncio.QueueFull):  # a stalled client loses live items, not the inbox
                queue.put_nowait(notification_id)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            message = orjson.loads(str(payload))
            self.publish(str(message["recipient"]), str(message["id"]))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring a malformed inbox notification: %r", payload)

    async def connect(self) -> None:
        self._conn = await db.connect(self.dsn, "notifications")
        await self._conn.add_listener(INBOX_CHANNEL, self._on_notify)

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            with contextlib.suppress(Exception):
                await self._conn.close()
        self._conn = None

    async def keep_listening(self, interval: float = 5.0) -> None:
        """Reconnect the LISTEN connection whenever it drops (runs as a background loop)."""
        try:
            while True:
                if self._conn is None or self._conn.is_closed():
                    try:
                        await self.connect()
                    except db.INFRASTRUCTURE_ERRORS as exc:
                        log.warning("inbox LISTEN connection failed: %s", exc)
                await asyncio.sleep(interval)
        finally:
            await self.close()
