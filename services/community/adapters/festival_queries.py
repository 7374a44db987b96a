"""Reads of the festival that skip the domain: festivals, proposals with their support, sign-ups."""

from __future__ import annotations

import uuid

import asyncpg

from services.kernel.db import Connection

_FESTIVALS = "SELECT * FROM festivals WHERE community = $1 ORDER BY year DESC"
_BY_YEAR = "SELECT * FROM festivals WHERE community = $1 AND year = $2"
_BY_ID = "SELECT * FROM festivals WHERE id = $1"
_ACTIVITIES = """
SELECT a.*, f.year AS festival_year, f.edition AS festival_edition,
       (SELECT count(*)::int FROM festival_supports s WHERE s.activity_id = a.id) AS support_count,
       EXISTS (SELECT 1 FROM festival_supports s WHERE s.activity_id = a.id AND s.person_id = $2) AS supported,
       (SELECT count(*)::int FROM festival_signups u WHERE u.activity_id = a.id) AS signed_up,
       EXISTS (SELECT 1 FROM festival_signups u WHERE u.activity_id = a.id AND u.person_id = $2) AS signed_up_me
FROM festival_activities a JOIN festivals f ON f.id = a.festival_id
"""
_OF_FESTIVAL = _ACTIVITIES + " WHERE a.festival_id = $1 ORDER BY support_count DESC, a.proposed_at, a.id"
_ONE = _ACTIVITIES + " WHERE a.id = $1"
_SIGNUPS = "SELECT * FROM festival_signups WHERE activity_id = $1 ORDER BY signed_up_at, person_id"


async def festivals(conn: Connection, community: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(_FESTIVALS, community))


async def festival_by_year(conn: Connection, community: str, year: int) -> asyncpg.Record | None:
    return await conn.fetchrow(_BY_YEAR, community, year)


async def festival(conn: Connection, festival_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_BY_ID, festival_id)


async def activities(conn: Connection, festival_id: uuid.UUID, person_id: str) -> list[asyncpg.Record]:
    """The festival's proposals and activities, most supported first."""
    return list(await conn.fetch(_OF_FESTIVAL, festival_id, person_id))


async def activity(conn: Connection, activity_id: uuid.UUID, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(_ONE, activity_id, person_id)


async def signups(conn: Connection, activity_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_SIGNUPS, activity_id))
