"""The process's one LISTEN connection: PostgreSQL's notifications to whoever in the process asked.

The outbox relay (`outbox_<schema>`: a commit wrote outbox rows) and the caches (`cache_<schema>`:
a cached table changed, cache.py) share it, so a process holds one connection for them, not one
each. The connection is dedicated (LISTEN is session state; pooled connections never keep any)
and kept: when it closes, or a heartbeat query finds it silently dead, every listener is told it
was `lost`, and once it is back and LISTENs again they are told `connected`, since a notification
sent while no connection listened is gone for good (the relay then claims, the caches forget).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.kernel import db

log = logging.getLogger("linli.listener")


@dataclass(frozen=True)
class _Listening:
    channel: str
    heard: Callable[[str], None]
    connected: Callable[[], None] | None
    lost: Callable[[], None] | None


class DatabaseListener:
    """One dedicated connection LISTENing on every channel asked for, made again whenever it is lost."""

    def __init__(self, dsn: str, schema: str, *, heartbeat: float = 5.0, retry: float = 1.0) -> None:
        self.dsn = dsn
        self.schema = schema
        self.heartbeat = heartbeat
        self.retry = retry
        self._listening: list[_Listening] = []
        self._live: asyncpg.Connection | None = None  # set once it LISTENs on every channel asked for
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._busy = asyncio.Lock()  # one statement at a time on the connection: a heartbeat, a new LISTEN

    @property
    def connected(self) -> bool:
        return self._live is not None and not self._live.is_closed()

    @property
    def backend_pid(self) -> int | None:
        """The server process of the live connection (pg_stat_activity's pid), None while there is none."""
        live = self._live
        return live.get_server_pid() if live is not None and not live.is_closed() else None

    async def listen(
        self,
        channel: str,
        heard: Callable[[str], None],
        *,
        connected: Callable[[], None] | None = None,
        lost: Callable[[], None] | None = None,
    ) -> None:
        """Call `heard(payload)` for each notification on `channel`; `connected` each time it LISTENs anew
        (also now, if it is connected already), `lost` each time the connection is lost."""
        listening = _Listening(channel, heard, connected, lost)
        self._listening.append(listening)
        live = self._live
        if live is not None:
            with contextlib.suppress(Exception):  # lost meanwhile: the next connection LISTENs on it
                async with self._busy:
                    await live.add_listener(channel, self._heard)
                if connected is not None:
                    connected()

    async def start(self, first_connect_timeout: float = 5.0) -> None:
        """Keep the connection; wait up to `first_connect_timeout` for the first one (it goes on trying after)."""
        self._stopping = False
        first = asyncio.Event()
        self._task = asyncio.create_task(self._run(first), name=f"listener-{self.schema}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first.wait(), first_connect_timeout)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def _heard(self, _conn: Any, _pid: int, channel: str, payload: object) -> None:
        for listening in self._listening:
            if listening.channel == channel:
                try:
                    listening.heard(str(payload))
                except Exception:
                    log.exception("a listener of %s failed on %r", channel, payload)

    def _tell(self, what: str) -> None:
        for listening in list(self._listening):
            callback = listening.connected if what == "connected" else listening.lost
            if callback is not None:
                try:
                    callback()
                except Exception:
                    log.exception("a listener of %s failed when told %s", listening.channel, what)

    async def _run(self, first: asyncio.Event) -> None:
        while not self._stopping:
            conn: asyncpg.Connection | None = None
            try:
                conn = await db.connect(self.dsn, self.schema)
                closed = asyncio.Event()
                conn.add_termination_listener(lambda _c, done=closed: done.set())
                index = 0
                while index < len(self._listening):  # channels asked for meanwhile are taken too
                    await conn.add_listener(self._listening[index].channel, self._heard)
                    index += 1
                self._live = conn
                first.set()
                self._tell("connected")
                await self._watch(conn, closed)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away; the listeners fall back on their own
                log.debug("LISTEN connection of %s failed, trying again: %s", self.schema, exc)
            finally:
                if self._live is not None:
                    self._live = None
                    self._tell("lost")
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=1)
            if not self._stopping:
                await asyncio.sleep(self.retry)

    async def _watch(self, conn: asyncpg.Connection, closed: asyncio.Event) -> None:
        """Return when the connection closes or stops answering (a silently dead socket never closes)."""
        while not closed.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(closed.wait(), self.heartbeat)
            if not closed.is_set():
                async with self._busy:
                    await asyncio.wait_for(conn.fetchval("SELECT 1"), self.heartbeat)
