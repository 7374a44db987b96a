"""Postgres side of announcements, their acknowledgements, the publicity agents and the red posts' volunteers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from contracts.enums import PostType
from services.community.domain.announcements import Addressing, Announcement, PublicityAgent
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents

COLUMNS = """id, community, title, body, audience, building_group, post_type, recipient_ids, pinned, expires_at,
published_by, agent_group, published_at, withdrawn_at, withdrawn_by"""


def _announcement(row: asyncpg.Record) -> Announcement:
    return Announcement(
        id=row["id"],
        community=row["community"],
        title=row["title"],
        body=row["body"],
        to=Addressing(row["audience"], row["building_group"], PostType(row["post_type"]) if row["post_type"] else None),
        pinned=row["pinned"],
        expires_at=row["expires_at"],
        published_by=row["published_by"],
        agent_group=row["agent_group"],
        published_at=row["published_at"],
        recipient_ids=list(row["recipient_ids"]),
        withdrawn_at=row["withdrawn_at"],
        withdrawn_by=row["withdrawn_by"],
    )


def _agent(row: asyncpg.Record) -> PublicityAgent:
    return PublicityAgent(row["person_id"], row["community"], row["building_group"], row["kind"], row["name"])


class AnnouncementRepository:
    def __init__(self, conn: Connection, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.seen = seen

    # -- announcements ----------------------------------------------------------------------

    async def add(self, a: Announcement) -> None:
        await self.conn.execute(
            """INSERT INTO announcements (id, community, title, body, audience, building_group, post_type,
                   recipient_ids, pinned, expires_at, published_by, agent_group, published_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
            a.id,
            a.community,
            a.title,
            a.body,
            a.to.audience,
            a.to.building_group,
            a.to.post_type.value if a.to.post_type else None,
            a.recipient_ids,
            a.pinned,
            a.expires_at,
            a.published_by,
            a.agent_group,
            a.published_at,
        )
        self.seen(a)

    async def get_for_update(self, announcement_id: uuid.UUID, community: str) -> Announcement | None:
        row = await self.conn.fetchrow(
            f"SELECT {COLUMNS} FROM announcements WHERE id = $1 AND community = $2 FOR UPDATE",
            announcement_id,
            community,
        )
        if row is None:
            return None
        announcement = _announcement(row)
        self.seen(announcement)
        return announcement

    async def save_withdrawal(self, a: Announcement) -> None:
        await self.conn.execute(
            "UPDATE announcements SET withdrawn_at = $2, withdrawn_by = $3 WHERE id = $1",
            a.id,
            a.withdrawn_at,
            a.withdrawn_by,
        )

    async def acknowledge(
        self, announcement_id: uuid.UUID, person_id: str, building_group: int | None, at: datetime
    ) -> tuple[dict[str, Any], bool]:
        """The reader's acknowledgement and whether it is new (a second one returns the first)."""
        row = await self.conn.fetchrow(
            """INSERT INTO announcement_acknowledgements (announcement_id, person_id, building_group, acknowledged_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
               RETURNING announcement_id, person_id, building_group, acknowledged_at""",
            announcement_id,
            person_id,
            building_group,
            at,
        )
        if row is not None:
            return dict(row.items()), True
        first = await self.conn.fetchrow(
            """SELECT announcement_id, person_id, building_group, acknowledged_at
               FROM announcement_acknowledgements WHERE announcement_id = $1 AND person_id = $2""",
            announcement_id,
            person_id,
        )
        assert first is not None
        return dict(first.items()), False

    # -- the red posts' volunteers (read copy) -----------------------------------------------

    async def volunteers_of(self, community: str, post_type: PostType) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT person_id FROM post_volunteers WHERE community = $1 AND post_type = $2 ORDER BY person_id",
            community,
            post_type.value,
        )
        return [r["person_id"] for r in rows]

    async def remember_volunteers(self, community: str, post_type: PostType, people: list[str], at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO post_volunteers (community, post_type, person_id, seen_at)
               SELECT $1, $2, p, $4 FROM unnest($3::text[]) AS p
               ON CONFLICT (community, post_type, person_id) DO UPDATE SET seen_at = GREATEST(post_volunteers.seen_at, EXCLUDED.seen_at)""",
            community,
            post_type.value,
            people,
            at,
        )

    # -- publicity agents ---------------------------------------------------------------------

    async def agent(self, community: str, person_id: str) -> PublicityAgent | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM publicity_agents WHERE community = $1 AND person_id = $2", community, person_id
        )
        return _agent(row) if row else None

    async def put_agent(self, agent: PublicityAgent, by: str, at: datetime) -> None:
        await self.conn.execute(
            """INSERT INTO publicity_agents (community, person_id, building_group, kind, name, registered_by, registered_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (community, person_id) DO UPDATE SET building_group = EXCLUDED.building_group,
                   kind = EXCLUDED.kind, name = EXCLUDED.name, registered_by = EXCLUDED.registered_by,
                   registered_at = EXCLUDED.registered_at""",
            agent.community,
            agent.person_id,
            agent.building_group,
            agent.kind,
            agent.name,
            by,
            at,
        )

    async def remove_agent(self, community: str, person_id: str) -> bool:
        done = await self.conn.fetchval(
            "DELETE FROM publicity_agents WHERE community = $1 AND person_id = $2 RETURNING true", community, person_id
        )
        return bool(done)
