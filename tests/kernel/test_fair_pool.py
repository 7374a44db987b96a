"""The kernel's pool hands connections out first come, first served (services/kernel/db.py FairPool).

asyncpg's own pool gives a released connection to whichever acquirer runs first: a request
arriving while the connection is being given back takes it from the request that has been
waiting, which goes to the back of the line. Under load that made POST /issues' p99 ~5x its p50."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from services.kernel import db


async def test_a_released_connection_goes_to_the_waiting_acquirer_not_to_one_arriving_meanwhile(
    database_url: str,
) -> None:
    order: list[str] = []
    arrivals: list[asyncio.Task[None]] = []

    in_line = asyncio.Event()

    async def take(who: str) -> None:
        in_line.set()  # asking for a connection puts it in line within the same step
        async with pool.acquire():
            order.append(who)

    async def reset(_: Any) -> None:
        # Runs while the connection is being given back, before the pool has it again: the moment
        # at which a request arriving could take it from the one waiting.
        if not arrivals:
            arrivals.append(asyncio.create_task(take("arrived meanwhile")))

    pool = await db.FairPool(database_url, min_size=1, max_size=1, reset=reset)
    try:
        held = await pool.acquire()
        waiting = asyncio.create_task(take("waiting"))
        await in_line.wait()
        in_line.clear()

        await pool.release(held)
        await asyncio.gather(waiting, *arrivals)
    finally:
        await pool.close()

    assert order == ["waiting", "arrived meanwhile"]


async def test_an_acquire_with_a_timeout_gives_up_when_no_connection_comes_back_in_time(database_url: str) -> None:
    pool = await db.FairPool(database_url, min_size=1, max_size=1)
    try:
        held = await pool.acquire()
        try:
            with pytest.raises(TimeoutError):
                await pool.acquire(timeout=0.05)
        finally:
            await pool.release(held)

        async with pool.acquire(timeout=1.0) as conn:  # the turn given up was given back
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()


class _TaskCount:
    """Counts the tasks the running loop starts while it is installed."""

    def __init__(self) -> None:
        self.started = 0

    def __call__(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        self.started += 1
        return asyncio.Task(coro, loop=loop, **kwargs)


async def test_an_idle_connection_goes_back_to_the_pool_without_a_task_of_its_own(database_url: str) -> None:
    pool = await db.create_pool(database_url, "public", min_size=1, max_size=1)
    loop = asyncio.get_running_loop()
    count = _TaskCount()
    try:
        conn = await pool.acquire()
        await conn.fetchval("SELECT 1")
        loop.set_task_factory(count)
        try:
            await pool.release(conn)
        finally:
            loop.set_task_factory(None)

        async with pool.acquire(timeout=1.0) as again:  # back in the pool, and its turn with it
            assert await again.fetchval("SELECT 2") == 2
    finally:
        await pool.close()

    assert count.started == 0


async def test_a_connection_left_in_a_transaction_is_rolled_back_as_it_goes_back(database_url: str) -> None:
    pool = await db.create_pool(database_url, "public", min_size=1, max_size=1)
    try:
        conn = await pool.acquire()
        await conn.execute("BEGIN")
        await conn.execute("CREATE TEMP TABLE left_open (n int) ON COMMIT DROP")

        await pool.release(conn)

        async with pool.acquire(timeout=1.0) as again:
            assert not again.is_in_transaction()
            assert await again.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
    finally:
        await pool.close()


async def test_a_connection_goes_back_the_asyncpg_way_when_the_pools_insides_are_not_the_known_ones(
    database_url: str,
) -> None:
    pool = await db.create_pool(database_url, "public", min_size=1, max_size=1)
    try:
        unknown = SimpleNamespace(_con=SimpleNamespace(), _holder=SimpleNamespace())  # as another asyncpg might be

        assert pool._returns_at_once(unknown) is False  # type: ignore[attr-defined]
    finally:
        await pool.close()
