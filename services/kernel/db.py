"""Postgres access: one asyncpg pool per service, bound to the service's own schema."""

from __future__ import annotations

import asyncio
from typing import Any, TypeAlias, cast

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""What handlers receive: a plain connection or one borrowed from the pool; both behave alike."""


def _encode_json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _init_connection(conn: Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(kind, encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog")


async def _keep_session(conn: Connection) -> None:
    """Return a connection to the pool as it is.

    asyncpg's default reset runs `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`, a
    round trip on every release. Pooled connections here never change session state: LISTEN
    runs on dedicated connections (db.connect) and advisory locks are transaction-scoped, so
    the round trip buys nothing. An open transaction is still rolled back by asyncpg itself."""


class FairPool(asyncpg.Pool):
    """asyncpg's pool, its connections handed out first come, first served.

    asyncpg keeps idle connections in an asyncio queue, which gives a released connection to
    whichever acquirer runs first: a request arriving in the same turn of the loop takes it before
    the waiter woken for it, which goes back to the end of the line. Under load (32 requests, 10
    connections) a few requests then wait round after round: POST /issues' p99 was ~5x its p50
    (bench/proposals, fifth pass). asyncio's Semaphore lets no newcomer past a waiter, so one of
    the pool's size, taken before a connection and given back after it, keeps the line in order."""

    def __init__(self, *args: Any, max_size: int, **kwargs: Any) -> None:
        # Pool itself has no defaults; these are asyncpg.create_pool's.
        defaults = {
            "max_queries": 50_000,
            "max_inactive_connection_lifetime": 300.0,
            "loop": None,
            "connection_class": asyncpg.Connection,
            "record_class": asyncpg.Record,
        }
        super().__init__(*args, max_size=max_size, **{**defaults, **kwargs})
        self._turns = asyncio.Semaphore(max_size)

    async def _acquire(self, timeout: float | None) -> Any:
        if timeout is None:
            await self._turns.acquire()
        else:  # the timeout bounds the whole acquire, the wait for a turn included, as asyncpg's does
            deadline = asyncio.get_running_loop().time() + timeout
            await asyncio.wait_for(self._turns.acquire(), timeout)
            timeout = max(deadline - asyncio.get_running_loop().time(), 0.0)
        try:
            return await super()._acquire(timeout)  # type: ignore[misc]  # asyncpg's one way in, await and async with
        except BaseException:
            self._turns.release()
            raise

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        # Only a connection of this pool not yet given back frees a turn (asyncpg ignores a second release).
        returning = getattr(getattr(connection, "_holder", None), "_pool", None) is self and connection._con is not None
        try:
            if returning and self._returns_at_once(connection):
                cast(Any, self)._check_init()  # asyncpg's Pool.release from here on, without its shield
                connection._con._on_release()
                holder = connection._holder
                await holder.release(holder._timeout if timeout is None else timeout)
            else:
                await super().release(connection, timeout=timeout)
        finally:
            if returning:
                self._turns.release()

    def _returns_at_once(self, proxy: Any) -> bool:
        """Whether asyncpg's own release of this connection would run to its end without waiting.

        asyncpg runs every release in a new task behind asyncio.shield, so that a cancellation
        cannot leave a connection half returned; that task and its loop turn were half of an
        acquire and release (20 vs 10 us with 32 tasks taking turns; issue 19). A connection
        outside a transaction, not being cancelled, not due to close and reset by `_keep_session`
        (which sends nothing) goes back without one await that suspends, so no cancellation can
        reach it halfway: it is given back directly. Anything else takes asyncpg's way."""
        try:
            con, holder = proxy._con, proxy._holder
            protocol, asyncpg_pool = con._protocol, cast(Any, self)
            return bool(
                asyncpg_pool._reset is _keep_session
                and callable(con._on_release)
                and callable(asyncpg_pool._check_init)
                and not con.is_closed()
                and con._top_xact is None
                and not protocol.is_in_transaction()
                and not protocol._is_cancelling()
                and protocol.queries_count < holder._max_queries
                and holder._generation == asyncpg_pool._generation
            )
        except AttributeError:  # an asyncpg whose insides differ (uv.lock pins one): its own way, always
            return False


async def create_pool(
    dsn: str, schema: str, *, min_size: int = 2, max_size: int = 10, notify_outbox: bool = True
) -> asyncpg.Pool:
    """A pool whose connections see the service's schema first; JSON columns map to Python values.

    `notify_outbox=False` is for a process that publishes its own commits (publisher.py): its
    outbox rows then wake no relay (the outbox trigger reads `linli.outbox_notify`), because
    the one relay they concern, its own, is woken in-process whenever rows are left to it."""
    settings = {"search_path": f"{schema},public", "application_name": f"linli-{schema}"}
    if not notify_outbox:
        settings["linli.outbox_notify"] = "off"
    pool = await FairPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings=settings,
        command_timeout=30,
    )
    assert pool is not None
    return pool


async def connect(dsn: str, schema: str) -> asyncpg.Connection:
    """A single connection with the same settings as the pool's (for LISTEN and tools)."""
    conn: asyncpg.Connection = await asyncpg.connect(
        dsn, server_settings={"search_path": f"{schema},public", "application_name": f"linli-{schema}"}
    )
    await _init_connection(conn)
    return conn


INFRASTRUCTURE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    TimeoutError,
)
"""Failures of the database or network, not of the message: retried without counting as poison."""
