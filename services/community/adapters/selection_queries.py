"""Reads of selections that skip the domain: lists, one selection's page, the public results."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from services.kernel.db import Connection

_LIST = """
SELECT * FROM selections
WHERE community = $1 AND ($2::int IS NULL OR year = $2)
  AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
ORDER BY created_at DESC, id DESC LIMIT $5
"""
_ONE = "SELECT * FROM selections WHERE id = $1"
_NOMINATIONS = "SELECT * FROM selection_nominations WHERE selection_id = $1 ORDER BY nominated_at, id"
_RESULTS = """
SELECT * FROM selection_nominations WHERE selection_id = $1 AND status = 'approved'
ORDER BY votes DESC NULLS LAST, nominated_at, id
"""
_VOTED = "SELECT 1 FROM selection_ballots WHERE selection_id = $1 AND voter_id = $2"


async def selections(
    conn: Connection, community: str, year: int | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[asyncpg.Record]:
    created_at, selection_id = after or (None, None)
    return list(await conn.fetch(_LIST, community, year, created_at, selection_id, limit + 1))


async def selection(conn: Connection, selection_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(_ONE, selection_id)


async def nominations(conn: Connection, selection_id: uuid.UUID) -> list[asyncpg.Record]:
    return list(await conn.fetch(_NOMINATIONS, selection_id))


async def results(conn: Connection, selection_id: uuid.UUID) -> list[asyncpg.Record]:
    """The approved candidates in their final order (votes, then earliest nomination)."""
    return list(await conn.fetch(_RESULTS, selection_id))


async def has_voted(conn: Connection, selection_id: uuid.UUID, voter_id: str) -> bool:
    return await conn.fetchval(_VOTED, selection_id, voter_id) is not None
