"""Live inbox fan-out: Postgres LISTEN/NOTIFY into the SSE streams open in this process.

An inbox row's trigger calls pg_notify (migration 20261129220000), so a stream hears of an item
only once it is committed, and every instance of the service hears it, whichever instance stored it.
It is heard on the process's one LISTEN connection (services/kernel/listener.py), which the relay
and the caches share; an item committed while that connection is being made again is not pushed
live (the stream's client reads the inbox when it reconnects).

The trigger notifies only while some instance has a stream open: each NOTIFY wakes every listening
backend of the database, and nobody streams most of the time. An instance with open streams keeps
a row in live_inbox_listeners fresh for `ttl` seconds: at once when its first stream opens (before
the stream's 'ready': an item committed after 'ready' is announced, one committed before it is in
its unread count) and on `keep`'s beat after that; `keep` takes the row away once its last stream
has closed, and the instance's at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import defaultdict

import asyncpg
import orjson

from services.notifications.adapters.repository import INBOX_CHANNEL

log = logging.getLogger("linli.notifications.hub")

_LIST = """
INSERT INTO live_inbox_listeners (instance, until) VALUES ($1, now() + make_interval(secs => $2))
ON CONFLICT (instance) DO UPDATE SET until = excluded.until
"""
# A writer that looked for a row before ours committed holds the trigger's shared lock until it
# commits: taking the lock exclusively, and letting it go at once, waits for every such writer.
_BARRIER = "SELECT pg_advisory_xact_lock(hashtextextended('linli.live_inbox_listeners', 0))"
_UNLIST = "DELETE FROM live_inbox_listeners WHERE instance = $1"
_FORGET_LAPSED = "DELETE FROM live_inbox_listeners WHERE until < now()"  # instances that died listed


class InboxHub:
    channel = INBOX_CHANNEL
    """The channel the inbox_announce trigger notifies, which `heard` is to be called for."""

    def __init__(self, *, ttl: float = 300.0) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)
        self.instance = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.ttl = ttl
        """How long the row stands for this instance unless renewed; `keep` renews it at a third of that."""
        self._listed_until = 0.0  # time.monotonic() when the row lapses; 0: no row of ours
        self._listing = asyncio.Lock()  # one of listing, renewing and unlisting at a time

    @property
    def streaming(self) -> bool:
        return bool(self._queues)

    async def listen_for_streams(self, pool: asyncpg.Pool) -> None:
        """Make sure inbox items are announced from now on: a stream calls it once subscribed, before 'ready'.

        When it lists the row, it also waits for the writers that looked for one just before and
        may not have committed yet, so that the unread count 'ready' reads next includes their items."""
        async with self._listing:
            if time.monotonic() < self._listed_until - self.ttl * 2 / 3:
                return  # listed within the last beat: `keep` renews it long before it lapses
            await self._list(pool)
            await pool.execute(_BARRIER)

    async def keep(self, pool: asyncpg.Pool) -> None:
        """The beat (every ttl/3): renew the row while streams are open, take it away once none is."""
        async with self._listing:
            if self.streaming:
                await self._list(pool)
            elif self._listed_until:
                await self._unlist(pool)
            await pool.execute(_FORGET_LAPSED)

    async def stop_listening(self, pool: asyncpg.Pool) -> None:
        """At shutdown: this instance's streams end with it."""
        async with self._listing:
            await self._unlist(pool)

    async def _list(self, pool: asyncpg.Pool) -> None:
        asked = time.monotonic()
        await pool.execute(_LIST, self.instance, self.ttl)
        self._listed_until = asked + self.ttl

    async def _unlist(self, pool: asyncpg.Pool) -> None:
        self._listed_until = 0.0  # first: should the DELETE fail, the next stream lists the row again
        await pool.execute(_UNLIST, self.instance)

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

    def heard(self, payload: str) -> None:
        """One notification of the inbox channel: {"recipient": ..., "id": ...}."""
        try:
            message = orjson.loads(payload)
            self.publish(str(message["recipient"]), str(message["id"]))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("ignoring a malformed inbox notification: %r", payload)
