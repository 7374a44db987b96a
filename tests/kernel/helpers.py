"""Reading the probe service's database and the broker, for the kernel tests."""

from __future__ import annotations

import asyncpg


async def probe_rows(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url, server_settings={"search_path": "probe"})
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


async def effect_titles(database_url: str) -> list[str]:
    return [r["title"] for r in await probe_rows(database_url, "SELECT title FROM effects ORDER BY id")]


async def effect_count(database_url: str) -> int:
    return len(await effect_titles(database_url))
