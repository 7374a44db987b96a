"""Postgres access: one asyncpg pool per service, bound to the service's own schema."""

from __future__ import annotations

from typing import Any, TypeAlias

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


async def create_pool(dsn: str, schema: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    """A pool whose connections see the service's schema first; JSON columns map to Python values."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={"search_path": f"{schema},public", "application_name": f"linli-{schema}"},
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
