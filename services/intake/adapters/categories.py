"""Categories: the community's own row wins over the default ('*') row of the same code."""

from __future__ import annotations

from typing import Any

from services.kernel.cache import TimedCache
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


class CategoryCache:
    """Each community's categories, read once per 30 s per instance instead of on every submission
    (services/kernel/cache.py). A submission in the window after another instance switched a
    category off is accepted, as it would have been a moment earlier."""

    def __init__(self, ttl: float = 30.0) -> None:
        self._cache: TimedCache[str, dict[str, dict[str, Any]]] = TimedCache(ttl)

    async def get(self, conn: Connection, community: str, code: str) -> dict[str, Any] | None:
        async def load() -> dict[str, dict[str, Any]]:
            return {row["code"]: row for row in await list_categories(conn, community)}

        return (await self._cache.get(community, load)).get(code)

    def forget(self, community: str) -> None:
        """Drop what is kept for `community` (every community, if it is the defaults' '*')."""
        self._cache.forget(None if community == DEFAULTS else community)
