"""Reference-data caches: kept per process, forgotten by every instance when the database says their rows
changed, and forgotten whole when the LISTEN connection that hears it is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

import asyncpg
import pytest

from services.kernel import db
from services.kernel.cache import Cache, CacheInvalidation
from services.kernel.listener import DatabaseListener
from tests.support.infra import eventually
from tests.support.sql import Sql, connection

SCHEMA = "probe"  # the kernel tests' service: the kernel's migrations are applied into its schema


class Counted:
    """A cache's loads of each key, counted, reading the table `levels` of the probe's schema."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.loads: dict[str, int] = {}

    async def level(self, cache: Cache[int], community: str) -> int:
        async def load() -> int:
            self.loads[community] = self.loads.get(community, 0) + 1
            value: int = await self.conn.fetchval("SELECT level FROM levels WHERE community = $1", community)
            return value

        return await cache.get(community, load)


@asynccontextmanager
async def listening(database_url: str, *caches: Cache[int]) -> AsyncIterator[DatabaseListener]:
    """One process's caches behind its LISTEN connection, as create_app wires them."""
    invalidation = CacheInvalidation(caches)
    listener = DatabaseListener(database_url, SCHEMA, heartbeat=1.0, retry=0.1)
    await listener.listen(
        f"cache_{SCHEMA}",
        invalidation.heard,
        connected=invalidation.forget_everything,
        lost=invalidation.forget_everything,
    )
    await listener.start()
    try:
        yield listener
    finally:
        await listener.stop()


@pytest.fixture
async def levels(database_url: str) -> Sql:
    sql = Sql(database_url, SCHEMA)
    await sql.execute("CREATE TABLE levels (community text PRIMARY KEY, level int NOT NULL)")
    await sql.execute("INSERT INTO levels VALUES ('meihu', 1), ('xinhua', 1)")
    await sql.execute("SELECT cache_invalidated_by('levels', 'levels', 'community')")
    return sql


async def test_a_value_is_read_once_and_then_kept() -> None:
    cache: Cache[int] = Cache("levels")
    loads: list[str] = []

    async def load() -> int:
        loads.append("meihu")
        return 1

    assert [await cache.get("meihu", load) for _ in range(3)] == [1, 1, 1]
    assert loads == ["meihu"]


async def test_a_value_loaded_while_its_key_was_forgotten_is_returned_but_not_kept() -> None:
    cache: Cache[int] = Cache("levels")
    loading = asyncio.Event()
    changed = asyncio.Event()

    async def slow_old_read() -> int:
        loading.set()
        await changed.wait()  # the change commits and is heard while this read is on its way
        return 1

    reader = asyncio.create_task(cache.get("meihu", slow_old_read))
    await loading.wait()
    cache.forget("meihu")
    changed.set()

    assert await reader == 1

    async def fresh_read() -> int:
        return 2

    assert await cache.get("meihu", fresh_read) == 2


async def test_a_notification_forgets_the_key_it_names_and_a_star_forgets_every_key() -> None:
    cache: Cache[int] = Cache("levels")
    other: Cache[int] = Cache("templates")
    invalidation = CacheInvalidation([cache, other])
    values = iter(range(100))

    async def load() -> int:
        return next(values)

    for community in ("meihu", "xinhua"):
        await cache.get(community, load)
    await other.get("*", load)
    kept = {c: await cache.get(c, load) for c in ("meihu", "xinhua")}

    invalidation.heard("levels:meihu")
    assert await cache.get("xinhua", load) == kept["xinhua"]
    assert await cache.get("meihu", load) != kept["meihu"]
    template = await other.get("*", load)

    invalidation.heard("levels:*")
    assert await cache.get("xinhua", load) != kept["xinhua"]
    assert await other.get("*", load) == template  # another cache's entries stay


async def test_a_change_committed_by_another_connection_is_seen_by_every_listening_process(
    database_url: str, levels: Sql
) -> None:
    first: Cache[int] = Cache("levels", ttl=3600)  # the TTL cannot be what makes them see it
    second: Cache[int] = Cache("levels", ttl=3600)
    async with (
        listening(database_url, first),
        listening(database_url, second),
        connection(database_url, SCHEMA) as conn,
    ):
        reader = Counted(conn)
        assert (await reader.level(first, "meihu"), await reader.level(second, "meihu")) == (1, 1)
        assert await reader.level(first, "xinhua") == 1

        await levels.execute("UPDATE levels SET level = 2 WHERE community = 'meihu'")

        await eventually(lambda: _is(reader.level(first, "meihu"), 2), message="the first process heard it")
        await eventually(lambda: _is(reader.level(second, "meihu"), 2), message="the second process heard it")
        loads_of_xinhua = reader.loads["xinhua"]
        assert await reader.level(first, "xinhua") == 1
        assert reader.loads["xinhua"] == loads_of_xinhua  # another community's entry was kept


async def test_a_change_rolled_back_forgets_nothing(database_url: str, levels: Sql) -> None:
    cache: Cache[int] = Cache("levels", ttl=3600)
    async with listening(database_url, cache), connection(database_url, SCHEMA) as conn:
        reader = Counted(conn)
        await reader.level(cache, "meihu")
        writer = await db.connect(database_url, SCHEMA)
        try:
            transaction = writer.transaction()
            await transaction.start()
            await writer.execute("UPDATE levels SET level = 9 WHERE community = 'meihu'")
            await transaction.rollback()
            await writer.execute("UPDATE levels SET level = 3 WHERE community = 'xinhua'")  # heard after the other
        finally:
            await writer.close()
        await eventually(lambda: _is(reader.level(cache, "xinhua"), 3), message="the later change heard")

        assert await reader.level(cache, "meihu") == 1
        assert reader.loads["meihu"] == 1


async def test_a_truncate_forgets_every_community(database_url: str, levels: Sql) -> None:
    cache: Cache[int] = Cache("levels", ttl=3600)
    async with listening(database_url, cache), connection(database_url, SCHEMA) as conn:
        reader = Counted(conn)
        for community in ("meihu", "xinhua"):
            await reader.level(cache, community)

        await levels.execute("TRUNCATE levels")

        async def both_read_again() -> bool:
            for community in ("meihu", "xinhua"):
                await reader.level(cache, community)
            return reader.loads == {"meihu": 2, "xinhua": 2}

        await eventually(both_read_again, message="every community forgotten")


async def test_a_lost_listen_connection_forgets_everything_and_listens_again(database_url: str, levels: Sql) -> None:
    cache: Cache[int] = Cache("levels", ttl=3600)
    async with listening(database_url, cache) as listener, connection(database_url, SCHEMA) as conn:
        reader = Counted(conn)
        for community in ("meihu", "xinhua"):
            await reader.level(cache, community)
        backend = listener.backend_pid
        assert backend is not None

        await conn.execute("SELECT pg_terminate_backend($1)", backend)  # what it missed is unknown

        async def both_read_again() -> bool:
            for community in ("meihu", "xinhua"):
                await reader.level(cache, community)
            return reader.loads["meihu"] >= 2 and reader.loads["xinhua"] >= 2

        await eventually(both_read_again, message="everything forgotten when the connection was lost")
        await eventually(lambda: listener.connected, message="listening again")
        assert listener.backend_pid not in (None, backend)
        await levels.execute("UPDATE levels SET level = 4 WHERE community = 'meihu'")
        await eventually(lambda: _is(reader.level(cache, "meihu"), 4), message="a change heard on the new connection")


async def _is(value: Awaitable[int], expected: int) -> bool:
    return await value == expected
