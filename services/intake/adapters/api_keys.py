"""Open311 api keys: stored as SHA-256 hashes, each mapped to a community and a system principal."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from services.kernel.db import Connection


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create(conn: Connection, *, community: str, key: str, principal: str, name: str) -> dict[str, Any] | None:
    """Store a key; None if that key already exists (a second seed run changes nothing)."""
    row = await conn.fetchrow(
        """INSERT INTO open311_keys (id, community, key_hash, principal, name) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (key_hash) DO NOTHING RETURNING id, community, principal, name, created_at, revoked_at""",
        uuid.uuid4(),
        community,
        key_hash(key),
        principal,
        name,
    )
    return dict(row) if row else None


async def find(conn: Connection, key: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT id, community, principal, name FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        key_hash(key),
    )
    return dict(row) if row else None


async def list_keys(
    conn: Connection, community: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT id, community, principal, name, created_at, revoked_at FROM open311_keys
           WHERE community = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
           ORDER BY created_at DESC, id DESC LIMIT $4""",
        community,
        after[0] if after else None,
        after[1] if after else uuid.UUID(int=0),
        limit + 1,
    )
    return [dict(r) for r in rows]


async def revoke(conn: Connection, community: str, key_id: uuid.UUID) -> bool:
    done = await conn.fetchval(
        """UPDATE open311_keys SET revoked_at = now() WHERE id = $1 AND community = $2 AND revoked_at IS NULL
           RETURNING true""",
        key_id,
        community,
    )
    return bool(done)
