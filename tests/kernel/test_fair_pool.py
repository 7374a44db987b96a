"""The kernel's pool hands connections out first come, first served (services/kernel/db.py FairPool).

asyncpg's own pool gives a released connection to whichever acquirer runs first: a request
arriving while the connection is being given back takes it from the request that has been
waiting, which goes to the back of the line. Under load that made POST /issues' p99 ~5x its p50."""

from __future__ import annotations

import asyncio
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
