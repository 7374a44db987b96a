"""Read side of publicity: plain SQL into dictionaries for the routes (no domain, no transaction)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.community.adapters.announcements import COLUMNS
from services.kernel.db import Connection

# $1 community, $2 now, $3 the reader's building group, $4 the reader, $5 every one (the committees).
# A reader sees the whole community's, their building group's, and those of the posts they
# volunteer on (as shifts told community, or as addressed when published); live ones only.
_READABLE = """
    a.community = $1 AND a.withdrawn_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > $2)
    AND ($5 OR a.audience = 'community'
         OR (a.audience = 'building_group' AND a.building_group = $3)
         OR (a.audience = 'post' AND ($4 = ANY (a.recipient_ids) OR a.post_type IN (
                SELECT v.post_type FROM post_volunteers v WHERE v.community = $1 AND v.person_id = $4))))
"""
_SELECT = f"""
SELECT {COLUMNS}, EXISTS (SELECT 1 FROM announcement_acknowledgements k
                          WHERE k.announcement_id = a.id AND k.person_id = $4) AS acknowledged
FROM announcements a WHERE {_READABLE}
"""


def _view(row: Any) -> dict[str, Any]:
    item = dict(row.items())
    item.pop("recipient_ids", None)  # who a post's announcement reached is not every reader's business
    return item


async def announcements(
    conn: Connection, *, community: str, person_id: str, building_group: int | None, every: bool, now: datetime
) -> list[dict[str, Any]]:
    """Live announcements for a reader (every live one for the committees), pinned first, newest first."""
    rows = await conn.fetch(
        f"{_SELECT} ORDER BY a.pinned DESC, a.published_at DESC, a.id DESC LIMIT 200",
        community,
        now,
        building_group,
        person_id,
        every,
    )
    return [_view(r) for r in rows]


async def announcement(
    conn: Connection,
    announcement_id: uuid.UUID,
    *,
    community: str,
    person_id: str,
    building_group: int | None,
    every: bool,
    now: datetime,
) -> dict[str, Any] | None:
    """One live announcement, if it is for this reader."""
    row = await conn.fetchrow(
        f"{_SELECT} AND a.id = $6", community, now, building_group, person_id, every, announcement_id
    )
    return _view(row) if row else None


async def acknowledgement_counts(conn: Connection, announcement_id: uuid.UUID) -> dict[str, Any]:
    rows = await conn.fetch(
        """SELECT building_group, count(*) AS n FROM announcement_acknowledgements
           WHERE announcement_id = $1 GROUP BY building_group ORDER BY building_group NULLS LAST""",
        announcement_id,
    )
    by_group = {str(r["building_group"]): r["n"] for r in rows if r["building_group"] is not None}
    unknown = next((r["n"] for r in rows if r["building_group"] is None), 0)
    return {
        "announcement_id": announcement_id,
        "total": sum(r["n"] for r in rows),
        "by_building_group": {str(g): by_group.get(str(g), 0) for g in range(1, 7)},
        "without_building_group": unknown,
    }


async def announcement_exists(conn: Connection, announcement_id: uuid.UUID, community: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM announcements WHERE id = $1 AND community = $2", announcement_id, community
        )
    )


async def agents(conn: Connection, community: str) -> list[dict[str, Any]]:
    """The publicity agents, by building group, each with what they published (all, and still live)."""
    rows = await conn.fetch(
        """SELECT g.person_id, g.name, g.building_group, g.kind, g.registered_at,
                  count(a.id) AS published,
                  count(a.id) FILTER (WHERE a.withdrawn_at IS NULL) AS not_withdrawn,
                  max(a.published_at) AS last_published_at
           FROM publicity_agents g
           LEFT JOIN announcements a ON a.community = g.community AND a.published_by = g.person_id
                                        AND a.agent_group IS NOT NULL
           WHERE g.community = $1
           GROUP BY g.person_id, g.name, g.building_group, g.kind, g.registered_at
           ORDER BY g.building_group, g.kind, g.person_id""",
        community,
    )
    return [dict(r.items()) for r in rows]


# -- initiatives ------------------------------------------------------------------------------

_INITIATIVE = """
SELECT i.id, i.community, i.title, i.body, i.closes_at, i.launched_by, i.launched_at,
       (i.closes_at IS NULL OR i.closes_at > $2) AS open,
       (SELECT count(*) FROM initiative_signatures s WHERE s.initiative_id = i.id) AS signatures,
       (SELECT s.signed_at FROM initiative_signatures s WHERE s.initiative_id = i.id AND s.person_id = $3) AS my_signed_at,
       (SELECT coalesce(jsonb_object_agg(coalesce(g.bg::text, 'none'), g.n), '{}'::jsonb) FROM (
            SELECT s.building_group AS bg, count(*) AS n FROM initiative_signatures s
            WHERE s.initiative_id = i.id GROUP BY s.building_group) g) AS by_group
FROM initiatives i WHERE i.community = $1
"""


def _initiative(row: Any) -> dict[str, Any]:
    item = dict(row.items())
    counts = item.pop("by_group") or {}
    item["by_building_group"] = {str(g): int(counts.get(str(g), 0)) for g in range(1, 7)}
    item["without_building_group"] = int(counts.get("none", 0))
    item["signed"] = item["my_signed_at"] is not None
    return item


async def initiatives(conn: Connection, community: str, person_id: str, now: datetime) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"{_INITIATIVE} ORDER BY i.launched_at DESC, i.id DESC LIMIT 200", community, now, person_id
    )
    return [_initiative(r) for r in rows]


async def initiative(
    conn: Connection, initiative_id: uuid.UUID, community: str, person_id: str, now: datetime
) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"{_INITIATIVE} AND i.id = $4", community, now, person_id, initiative_id)
    return _initiative(row) if row else None


# -- the 亮身份 board --------------------------------------------------------------------------

BOARD_COLUMNS = "person_id, name, photo_url, role, post_type, phone, building_group"


async def board(conn: Connection, community: str, building_group: int | None) -> list[dict[str, Any]]:
    """Everyone who consents to be on the board (read straight from the consents: nothing cached)."""
    rows = await conn.fetch(
        f"""SELECT {BOARD_COLUMNS} FROM board_consents
            WHERE community = $1 AND ($2::int IS NULL OR building_group = $2)
            ORDER BY building_group, role DESC, person_id""",
        community,
        building_group,
    )
    return [dict(r.items()) for r in rows]


async def consents(conn: Connection, community: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {BOARD_COLUMNS}, consented_at FROM board_consents WHERE community = $1
            ORDER BY building_group, person_id""",
        community,
    )
    return [dict(r.items()) for r in rows]


async def my_entry(conn: Connection, community: str, person_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {BOARD_COLUMNS}, consented_at FROM board_consents WHERE community = $1 AND person_id = $2",
        community,
        person_id,
    )
    return dict(row.items()) if row else None
