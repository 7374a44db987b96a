"""Reference data kept per process instead of read on every request or event, forgotten by the database.

For what changes seldom and is read per event (categories, message templates, webhook subscriptions,
award rules, system accounts). A `Cache` keeps what `load` returned for a key (a community, or '*'
for a cache of one entry) and drops it when:

- the database says it changed: a service's migration names the cached table with
  `cache_invalidated_by(table, cache, key_column)` (kernel migration 20261207030000), whose
  statement-level triggers notify `cache_<schema>` with '<cache>:<key>' on commit. The process's
  one LISTEN connection (listener.py) hears it in every instance, whichever instance, tool or psql
  made the change, and `CacheInvalidation.heard` forgets that key;
- the LISTEN connection is lost or made again: what was missed in between is unknown, so every
  cache forgets everything;
- `ttl` seconds have passed (the backstop: without any LISTEN, a change is seen within `ttl`).

A service lists its caches in its ServiceDefinition (`caches=`); create_app puts them behind the
process's listener. A value loaded while that key was being forgotten is returned to its caller but
not kept: it may have been read before the change committed. Values are shared by every caller:
treat them as read-only. A load runs on the caller's connection, inside its transaction; what a transaction
writes is no value to keep before it commits (the repositories keep only what was already there).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

V = TypeVar("V")
EVERYTHING = "*"
"""The key that stands for every key of a cache (a TRUNCATE, a table cached as one entry, the defaults)."""

log = logging.getLogger("linli.cache")


class Cache(Generic[V]):
    """Values by key (str), each kept until forgotten or `ttl` seconds old; `name` is the one the triggers use."""

    def __init__(self, name: str, ttl: float = 30.0) -> None:
        self.name = name
        self.ttl = ttl
        self._entries: dict[str, tuple[float, V]] = {}
        self._forgotten = 0  # counts forgets: a load that saw one happen while it ran is not kept

    async def get(self, key: str, load: Callable[[], Awaitable[V]]) -> V:
        """The value kept for `key`, loaded with `load` when absent or older than `ttl`."""
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        before = self._forgotten
        value = await load()
        if self._forgotten == before:
            self._entries[key] = (now + self.ttl, value)
        return value

    def forget(self, key: str = EVERYTHING) -> None:
        """Drop what is kept for `key` (everything, for '*')."""
        self._forgotten += 1
        if key == EVERYTHING:
            self._entries.clear()
        else:
            self._entries.pop(key, None)


class CacheInvalidation:
    """The caches of one process, forgetting what the database's notifications name (see the module)."""

    def __init__(self, caches: Sequence[Cache[Any]]) -> None:
        self._caches: dict[str, list[Cache[Any]]] = {}
        for cache in caches:
            self._caches.setdefault(cache.name, []).append(cache)

    def heard(self, payload: str) -> None:
        """One notification, '<cache>:<key>': that cache forgets that key."""
        name, separator, key = payload.partition(":")
        if not separator:
            log.warning("ignoring a malformed cache notification: %r", payload)
            return
        for cache in self._caches.get(name, ()):
            cache.forget(key)

    def forget_everything(self) -> None:
        """Every cache forgets every key (the LISTEN connection was lost or made again)."""
        for caches in self._caches.values():
            for cache in caches:
                cache.forget()
