"""Categories: the community's own row wins over the default ('*') row of the same code."""

from __future__ import annotations

import time
from typing import Any

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
    """Each community's categories, read once per `ttl` seconds instead of on every submission.

    Categories change only through the admin route, which calls `forget` on its own instance;
    other instances see the change within `ttl`. A submission in that window against a category
    another instance just switched off is accepted, as it would have been a moment earlier."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._by_community: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}

    async def get(self, conn: Connection, community: str, code: str) -> dict[str, Any] | None:
        now = time.monotonic()
        cached = self._by_community.get(community)
        if cached is None or cached[0] <= now:
            rows = {row["code"]: row for row in await list_categories(conn, community)}
            cached = self._by_community[community] = (now + self.ttl, rows)
        return cached[1].get(code)

    def forget(self, community: str) -> None:
        """Drop what is kept for `community` (every community, if it is the defaults' '*')."""
        if community == DEFAULTS:
            self._by_community.clear()
        else:
            self._by_community.pop(community, None)
