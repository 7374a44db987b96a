"""Postgres side of inbox broadcasts (one row per community or building-group announcement) and of
the announcements' sources (which event published each, and whether it was withdrawn)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.kernel.db import Connection
from services.notifications.adapters.queries import BROADCAST_ITEM, INBOX_COLUMNS


class BroadcastRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert(
        self,
        *,
        event_id: uuid.UUID,
        event_type: str,
        community: str,
        building_group: int | None,
        texts: dict[str, tuple[str, str]],
        now: datetime,
        expires_at: datetime | None,
    ) -> bool:
        """One broadcast per event (a second insert of the same event does nothing)."""
        (subject_zh, body_zh), (subject_en, body_en) = texts["zh-CN"], texts["en"]
        return bool(
            await self.conn.fetchval(
                """INSERT INTO inbox_broadcasts (id, event_id, event_type, community, building_group, subject_zh,
                       body_zh, subject_en, body_en, created_at, expires_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                   ON CONFLICT (event_id) DO NOTHING RETURNING true""",
                uuid.uuid4(),
                event_id,
                event_type,
                community,
                building_group,
                subject_zh,
                body_zh,
                subject_en,
                body_en,
                now,
                expires_at,
            )
        )

    async def published(self, announcement_id: uuid.UUID, event_id: uuid.UUID) -> bool:
        """Remember the event that published an announcement; False if it was withdrawn already."""
        withdrawn = await self.conn.fetchval(
            """INSERT INTO announcement_sources (announcement_id, event_id) VALUES ($1, $2)
               ON CONFLICT (announcement_id) DO UPDATE SET event_id = EXCLUDED.event_id
               RETURNING withdrawn""",
            announcement_id,
            event_id,
        )
        return not withdrawn

    async def withdrawn(self, announcement_id: uuid.UUID) -> None:
        """Take a withdrawn announcement out of every inbox (its broadcast, and each person's item)."""
        event_id = await self.conn.fetchval(
            """INSERT INTO announcement_sources (announcement_id, withdrawn) VALUES ($1, true)
               ON CONFLICT (announcement_id) DO UPDATE SET withdrawn = true RETURNING event_id""",
            announcement_id,
        )
        if event_id is None:
            return
        await self.conn.execute("DELETE FROM inbox_broadcasts WHERE event_id = $1", event_id)
        await self.conn.execute("DELETE FROM notifications WHERE event_id = $1 AND channel = 'inbox'", event_id)

    async def mark_read(
        self, item_id: uuid.UUID, person_id: str, community: str, building_group: int | None, at: datetime
    ) -> dict[str, Any] | None:
        """Mark a broadcast read for one reader it is for (the first time counts)."""
        row = await self.conn.fetchrow(
            """WITH b AS (
                    SELECT id FROM inbox_broadcasts
                    WHERE id = $1 AND community = $3 AND (building_group IS NULL OR building_group = $4)
                ), r AS (
                    INSERT INTO inbox_broadcast_reads (broadcast_id, person_id, read_at)
                    SELECT id, $2, $5 FROM b ON CONFLICT DO NOTHING
                )
                SELECT true FROM b""",
            item_id,
            person_id,
            community,
            building_group,
            at,
        )
        if row is None:
            return None
        item = await self.conn.fetchrow(
            f"SELECT {INBOX_COLUMNS} FROM ({BROADCAST_ITEM}) items WHERE id = $5",
            person_id,
            community,
            building_group,
            None,
            item_id,
        )
        if item is None:
            return None
        read = dict(item.items())
        read["read_at"] = read["read_at"] or at  # the CTE's insert is not visible to the same statement
        return read

    async def mark_all_read(self, person_id: str, community: str, building_group: int | None, at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO inbox_broadcast_reads (broadcast_id, person_id, read_at)
               SELECT id, $1, $4 FROM inbox_broadcasts
               WHERE community = $2 AND (building_group IS NULL OR building_group = $3)
               ON CONFLICT DO NOTHING""",
            person_id,
            community,
            building_group,
            at,
        )
