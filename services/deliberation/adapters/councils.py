"""Postgres access to councils and their members."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from services.deliberation.domain.sessions import Membership
from services.kernel.db import Connection

Record = asyncpg.Record


async def insert_council(conn: Connection, values: dict[str, object]) -> Record | None:
    """Insert a council; None when the community already has a council of that kind."""
    columns = ", ".join(values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    row: Record | None = await conn.fetchrow(
        f"INSERT INTO councils ({columns}) VALUES ({params}) ON CONFLICT (community, kind) DO NOTHING RETURNING *",
        *values.values(),
    )
    return row


async def get_council(conn: Connection, council_id: uuid.UUID) -> Record | None:
    row: Record | None = await conn.fetchrow("SELECT * FROM councils WHERE id = $1", council_id)
    return row


async def council_by_feed_token(conn: Connection, token: str) -> Record | None:
    row: Record | None = await conn.fetchrow("SELECT * FROM councils WHERE feed_token = $1", token)
    return row


async def council_of_kind(conn: Connection, community: str, kind: str) -> Record | None:
    row: Record | None = await conn.fetchrow(
        "SELECT * FROM councils WHERE community = $1 AND kind = $2", community, kind
    )
    return row


async def list_councils(conn: Connection, community: str | None) -> list[Record]:
    if community is None:
        return list(await conn.fetch("SELECT * FROM councils ORDER BY community, kind"))
    return list(await conn.fetch("SELECT * FROM councils WHERE community = $1 ORDER BY kind", community))


async def all_council_ids(conn: Connection) -> list[uuid.UUID]:
    return [r["id"] for r in await conn.fetch("SELECT id FROM councils ORDER BY created_at")]


async def update_council(conn: Connection, council_id: uuid.UUID, values: dict[str, object]) -> Record | None:
    sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(values, start=2))
    row: Record | None = await conn.fetchrow(
        f"UPDATE councils SET {sets} WHERE id = $1 RETURNING *", council_id, *values.values()
    )
    return row


async def upsert_member(conn: Connection, values: dict[str, object]) -> Record:
    """Add a member, or update the party, position and term of one already there."""
    row: Record | None = await conn.fetchrow(
        """
        INSERT INTO members (id, council_id, community, person_id, name, party, position, voting, term_from, term_until)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (council_id, person_id) DO UPDATE SET
            name = EXCLUDED.name, party = EXCLUDED.party, position = EXCLUDED.position,
            voting = EXCLUDED.voting, term_from = EXCLUDED.term_from, term_until = EXCLUDED.term_until
        RETURNING *
        """,
        *values.values(),
    )
    assert row is not None
    return row


async def list_members(conn: Connection, council_id: uuid.UUID) -> list[Record]:
    return list(
        await conn.fetch(
            """
            SELECT * FROM members WHERE council_id = $1
            ORDER BY array_position(ARRAY['chair','vice_chair','secretary','member','observer'], position), person_id
            """,
            council_id,
        )
    )


async def delete_member(conn: Connection, council_id: uuid.UUID, person_id: str) -> bool:
    result: str = await conn.execute(
        "DELETE FROM members WHERE council_id = $1 AND person_id = $2", council_id, person_id
    )
    return result != "DELETE 0"


async def membership(conn: Connection, council_id: uuid.UUID, person_id: str) -> Membership | None:
    row = await conn.fetchrow(
        "SELECT person_id, voting, term_from, term_until FROM members WHERE council_id = $1 AND person_id = $2",
        council_id,
        person_id,
    )
    if row is None:
        return None
    return Membership(row["person_id"], row["voting"], row["term_from"], row["term_until"])


async def member_ids(conn: Connection, council_id: uuid.UUID, on: date) -> list[str]:
    """Members and observers whose term covers `on`: the people a session event is for."""
    rows = await conn.fetch(
        """
        SELECT person_id FROM members
        WHERE council_id = $1 AND term_from <= $2 AND (term_until IS NULL OR term_until >= $2)
        ORDER BY person_id
        """,
        council_id,
        on,
    )
    return [r["person_id"] for r in rows]


async def voting_member_ids(conn: Connection, council_id: uuid.UUID, on: date) -> list[str]:
    rows = await conn.fetch(
        """
        SELECT person_id FROM members
        WHERE council_id = $1 AND voting AND term_from <= $2 AND (term_until IS NULL OR term_until >= $2)
        ORDER BY person_id
        """,
        council_id,
        on,
    )
    return [r["person_id"] for r in rows]
