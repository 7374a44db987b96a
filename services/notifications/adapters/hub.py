"""Live inbox fan-out: Postgres LISTEN/NOTIFY into the SSE streams open in this process.

An inbox row's trigger calls pg_notify (migration 20261129220000), so a stream hears of an item
only once it is committed, and every instance of the service hears it, whichever instance stored it.
It is heard on the process's one LISTEN connection (services/kernel/listener.py), which the relay
and the caches share; an item committed while that connection is being made again is not pushed
live (the stream's client reads the inbox when it reconnects).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

import orjson

from services.notifications.adapters.repository import INBOX_CHANNEL

log = logging.getLogger("linli.notifications.hub")


class InboxHub:
    channel = INBOX_CHANNEL
    """The channel the inbox_announce trigger notifies, which `heard` is to be called for."""

    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

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
