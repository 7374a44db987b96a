"""Reference data read once per `ttl` seconds per process instead of on every request or event.

For data that changes only through an admin route (categories, message templates): the route
calls `forget` on its own instance, other instances see the change within `ttl`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TimedCache(Generic[K, V]):
    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._entries: dict[K, tuple[float, V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The value kept for `key`, loaded with `load` when absent or older than `ttl`."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            entry = self._entries[key] = (now + self.ttl, await load())
        return entry[1]

    def forget(self, key: K | None = None) -> None:
        """Drop what is kept for `key` (everything, if None)."""
        if key is None:
            self._entries.clear()
        else:
            self._entries.pop(key, None)
