"""Categories: the community's own row wins over the default ('*') row of the same code."""

from __future__ import annotations

from typing import Any

from services.kernel.cache import Cache
from services.kernel.db import Connection

DEFAULTS = "*"

_SELECT = """
SELECT DISTINCT ON (code) code, name_zh, name_en, description, attributes, active, sort_order, community
FROM categories WHERE community IN ($1, '*')
ORDER BY code, (community = '*')
"""


async def list_categories(conn: Connection, community: str, *, active_only: bool = False) -> list[dict[str, Any]]:
    rows = [dict(r) for r in await conn.fetch(_SELECT, community)]
    if active_only:
        rows = [r for r in rows if r["active"]]
    return sorted(rows, key=lambda r: (r["sort_order"], r["code"]))


async def get_category(conn: Connection, community: str, code: str) -> dict[str, Any] | None:
    for row in await list_categories(conn, community):
        if row["code"] == code:
            return row
    return None


async def save_category(conn: Connection, community: str, code: str, values: dict[str, Any]) -> dict[str, Any]:
    await conn.execute(
        """
        INSERT INTO categories (community, code, name_zh, name_en, description, attributes, active, sort_order)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (community, code) DO UPDATE SET name_zh = $3, name_en = $4, description = $5,
            attributes = $6, active = $7, sort_order = $8, updated_at = now()
        """,
        community,
        code,
        values["name_zh"],
        values["name_en"],
        values["description"],
        values["attributes"],
        values["active"],
        values["sort_order"],
    )
    row = await get_category(conn, community, code)
    assert row is not None
    return row


def category_cache() -> Cache[dict[str, dict[str, Any]]]:
    """Each community's categories by code, kept per process instead of read on every submission;
    forgotten by every instance when a row changes (migration 20261207030000, services/kernel/cache.py).
    A change to a default ('*') row forgets every community's."""
    return Cache("categories")


async def category_in_use(
    conn: Connection, cache: Cache[dict[str, dict[str, Any]]], community: str, code: str
) -> dict[str, Any] | None:
    """The category as the community uses it, from the cache."""

    async def load() -> dict[str, dict[str, Any]]:
        return {row["code"]: row for row in await list_categories(conn, community)}

    return (await cache.get(community, load)).get(code)
