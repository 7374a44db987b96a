"""Postgres side of the 亮身份 board: a consent is a row, and withdrawing it deletes the row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.community.domain.board import BoardEntry
from services.kernel.db import Connection


class BoardRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, entry: BoardEntry, at: datetime) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            """INSERT INTO board_consents (community, person_id, name, photo_url, role, post_type, phone,
                   building_group, consented_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (community, person_id) DO UPDATE SET name = EXCLUDED.name,
                   photo_url = EXCLUDED.photo_url, role = EXCLUDED.role, post_type = EXCLUDED.post_type,
                   phone = EXCLUDED.phone, building_group = EXCLUDED.building_group,
                   consented_at = EXCLUDED.consented_at
               RETURNING person_id, name, photo_url, role, post_type, phone, building_group, consented_at""",
            entry.community,
            entry.person_id,
            entry.name,
            entry.photo_url,
            entry.role,
            entry.post_type.value,
            entry.phone,
            entry.building_group,
            at,
        )
        assert row is not None
        return dict(row.items())

    async def withdraw(self, community: str, person_id: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "DELETE FROM board_consents WHERE community = $1 AND person_id = $2 RETURNING true",
                community,
                person_id,
            )
        )
