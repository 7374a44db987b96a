"""The festival in PostgreSQL: festivals, activities (proposals first), supports and sign-ups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.community.domain.festival import Activity, ActivityStatus, Festival
from services.kernel.db import Connection

_INSERT_FESTIVAL = """
INSERT INTO festivals (id, community, year, edition, theme, proposals_close_at, opened_by, opened_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (community, year) DO NOTHING
RETURNING id
"""
_FESTIVAL = "SELECT * FROM festivals WHERE id = $1"
_INSERT_PROPOSAL = """
INSERT INTO festival_activities (id, festival_id, community, title, description, proposed_by, proposed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""
_ACTIVITY = """
SELECT a.*, (SELECT count(*)::int FROM festival_supports s WHERE s.activity_id = a.id) AS support_count
FROM festival_activities a WHERE a.id = $1 FOR UPDATE OF a
"""
_SAVE = """
UPDATE festival_activities
SET status = $2, adopted_by = $3, adopted_at = $4, support_at_adoption = $5,
    starts_at = $6, ends_at = $7, location = $8, capacity = $9
WHERE id = $1
"""
_SUPPORT = """
INSERT INTO festival_supports (activity_id, person_id, supported_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
"""
_SIGNED_UP = "SELECT count(*)::int FROM festival_signups WHERE activity_id = $1"
_SIGN_UP = """
INSERT INTO festival_signups (activity_id, person_id, name, building_group, signed_up_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING person_id
"""
_CANCEL = "DELETE FROM festival_signups WHERE activity_id = $1 AND person_id = $2 RETURNING person_id"


def festival_of(row: Any) -> Festival:
    return Festival(
        id=row["id"],
        community=row["community"],
        year=row["year"],
        edition=row["edition"],
        theme=row["theme"],
        proposals_close_at=row["proposals_close_at"],
    )


class FestivalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def open(self, festival: Festival, opened_by: str, at: datetime) -> bool:
        """False when the community already has this year's festival (one a year: the key)."""
        return (
            await self.conn.fetchval(
                _INSERT_FESTIVAL,
                festival.id,
                festival.community,
                festival.year,
                festival.edition,
                festival.theme,
                festival.proposals_close_at,
                opened_by,
                at,
            )
            is not None
        )

    async def festival(self, festival_id: uuid.UUID) -> Festival | None:
        row = await self.conn.fetchrow(_FESTIVAL, festival_id)
        return festival_of(row) if row else None

    async def propose(self, activity: Activity, description: str, at: datetime) -> None:
        await self.conn.execute(
            _INSERT_PROPOSAL,
            activity.id,
            activity.festival.id,
            activity.community,
            activity.title,
            description,
            activity.proposed_by,
            at,
        )

    async def activity_for_update(self, activity_id: uuid.UUID) -> Activity | None:
        """The activity with its row locked: adoption, scheduling and sign-ups are serialised on it."""
        row = await self.conn.fetchrow(_ACTIVITY, activity_id)
        if row is None:
            return None
        festival = await self.festival(row["festival_id"])
        assert festival is not None
        return Activity(
            id=row["id"],
            festival=festival,
            title=row["title"],
            proposed_by=row["proposed_by"],
            status=ActivityStatus(row["status"]),
            support_count=row["support_count"],
            adopted_by=row["adopted_by"],
            adopted_at=row["adopted_at"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            location=row["location"],
            capacity=row["capacity"],
        )

    async def save(self, a: Activity) -> None:
        await self.conn.execute(
            _SAVE,
            a.id,
            a.status.value,
            a.adopted_by,
            a.adopted_at,
            a.support_count if a.adopted_at else None,
            a.starts_at,
            a.ends_at,
            a.location,
            a.capacity,
        )

    async def support(self, activity_id: uuid.UUID, person_id: str, at: datetime) -> None:
        """Once per person: a second support changes nothing (the key)."""
        await self.conn.execute(_SUPPORT, activity_id, person_id, at)

    async def signed_up(self, activity_id: uuid.UUID) -> int:
        return int(await self.conn.fetchval(_SIGNED_UP, activity_id))

    async def sign_up(
        self, activity_id: uuid.UUID, person_id: str, name: str, building_group: int | None, at: datetime
    ) -> bool:
        """False when this person has signed up already."""
        return await self.conn.fetchval(_SIGN_UP, activity_id, person_id, name, building_group, at) is not None

    async def cancel(self, activity_id: uuid.UUID, person_id: str) -> bool:
        return await self.conn.fetchval(_CANCEL, activity_id, person_id) is not None

    async def is_signed_up(self, activity_id: uuid.UUID, person_id: str) -> bool:
        found = await self.conn.fetchval(
            "SELECT 1 FROM festival_signups WHERE activity_id = $1 AND person_id = $2", activity_id, person_id
        )
        return found is not None
