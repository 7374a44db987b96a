"""Postgres side of initiatives and their sign-ons (one row per person: the primary key is the rule)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from contracts.events.community import InitiativeSigned
from services.community.domain.initiatives import Initiative
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents


class InitiativeRepository:
    def __init__(self, conn: Connection, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.seen = seen

    async def add(self, i: Initiative) -> None:
        await self.conn.execute(
            """INSERT INTO initiatives (id, community, title, body, closes_at, launched_by, launched_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            i.id,
            i.community,
            i.title,
            i.body,
            i.closes_at,
            i.launched_by,
            i.launched_at,
        )
        self.seen(i)

    async def get(self, initiative_id: uuid.UUID, community: str) -> Initiative | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM initiatives WHERE id = $1 AND community = $2", initiative_id, community
        )
        if row is None:
            return None
        initiative = Initiative(
            row["id"],
            row["community"],
            row["title"],
            row["body"],
            row["closes_at"],
            row["launched_by"],
            row["launched_at"],
        )
        self.seen(initiative)
        return initiative

    async def add_signature(self, signed: InitiativeSigned) -> bool:
        """Store a sign-on; False if this person had signed already (the first one stands)."""
        return bool(
            await self.conn.fetchval(
                """INSERT INTO initiative_signatures (initiative_id, person_id, building_group, signed_at)
                   VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING true""",
                signed.initiative_id,
                signed.person_id,
                signed.building_group,
                signed.signed_at,
            )
        )

    async def signature(self, initiative_id: uuid.UUID, person_id: str) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            """SELECT initiative_id, person_id, building_group, signed_at FROM initiative_signatures
               WHERE initiative_id = $1 AND person_id = $2""",
            initiative_id,
            person_id,
        )
        return dict(row.items()) if row else None
