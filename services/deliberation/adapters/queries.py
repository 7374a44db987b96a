"""Reads of the deliberation routes: functions of a connection, no domain, no transaction needed."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from services.kernel.db import Connection

Record = asyncpg.Record

SESSION_COLUMNS = """
    s.*, c.kind AS council_kind, c.timezone, c.majority_rule, c.quorum_fraction, c.name AS council_name
"""


async def council(conn: Connection, council_id: uuid.UUID) -> Record | None:
    row: Record | None = await conn.fetchrow("SELECT * FROM councils WHERE id = $1", council_id)
    return row


async def council_by_feed_token(conn: Connection, token: str) -> Record | None:
    row: Record | None = await conn.fetchrow("SELECT * FROM councils WHERE feed_token = $1", token)
    return row


async def councils(conn: Connection, community: str) -> list[Record]:
    return list(await conn.fetch("SELECT * FROM councils WHERE community = $1 ORDER BY kind", community))


async def members(conn: Connection, council_id: uuid.UUID) -> list[Record]:
    return list(
        await conn.fetch(
            """
            SELECT * FROM members WHERE council_id = $1
            ORDER BY array_position(ARRAY['chair','vice_chair','secretary','member','observer'], position), person_id
            """,
            council_id,
        )
    )


async def session(conn: Connection, session_id: uuid.UUID, *, lock: bool = False) -> Record | None:
    suffix = " FOR UPDATE OF s" if lock else ""
    row: Record | None = await conn.fetchrow(
        f"SELECT {SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id WHERE s.id = $1{suffix}",
        session_id,
    )
    return row


async def sessions(
    conn: Connection,
    council_id: uuid.UUID,
    *,
    start: datetime | None,
    end: datetime | None,
    status: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Record]:
    """Sessions of a council in time order, keyset-paginated on (starts_at, id)."""
    return list(
        await conn.fetch(
            f"""
            SELECT {SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id
            WHERE s.council_id = $1
              AND ($2::timestamptz IS NULL OR s.starts_at >= $2)
              AND ($3::timestamptz IS NULL OR s.starts_at < $3)
              AND ($4::text IS NULL OR s.status = $4)
              AND ($5::timestamptz IS NULL OR (s.starts_at, s.id) > ($5, $6::uuid))
            ORDER BY s.starts_at, s.id
            LIMIT $7
            """,
            council_id,
            start,
            end,
            status,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
    )


async def calendar_sessions(conn: Connection, council_id: uuid.UUID, since: datetime) -> list[Record]:
    return list(
        await conn.fetch(
            f"""
            SELECT {SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id
            WHERE s.council_id = $1 AND s.starts_at >= $2 ORDER BY s.starts_at, s.id LIMIT 500
            """,
            council_id,
            since,
        )
    )


async def attendees(conn: Connection, session_id: uuid.UUID) -> list[Record]:
    return list(
        await conn.fetch(
            "SELECT person_id, recorded_by, recorded_at FROM attendance WHERE session_id = $1 ORDER BY recorded_at, person_id",
            session_id,
        )
    )


async def agenda_item(conn: Connection, item_id: uuid.UUID, *, lock: bool = False) -> Record | None:
    suffix = " FOR UPDATE" if lock else ""
    row: Record | None = await conn.fetchrow(f"SELECT * FROM agenda_items WHERE id = $1{suffix}", item_id)
    return row


async def agenda_items(conn: Connection, session_id: uuid.UUID) -> list[Record]:
    return list(
        await conn.fetch(
            "SELECT * FROM agenda_items WHERE session_id = $1 ORDER BY created_at, id LIMIT 500", session_id
        )
    )


async def waiting_items(conn: Connection, community: str) -> list[Record]:
    """Open items of the community that wait for a session."""
    return list(
        await conn.fetch(
            "SELECT * FROM agenda_items WHERE community = $1 AND session_id IS NULL AND status = 'open'"
            " ORDER BY created_at, id LIMIT 500",
            community,
        )
    )


async def motion(conn: Connection, motion_id: uuid.UUID, *, lock: str = "") -> Record | None:
    """A motion; `lock` is "", "FOR SHARE" or "FOR UPDATE"."""
    if lock not in ("", "FOR SHARE", "FOR UPDATE"):
        raise ValueError(f"unknown lock {lock!r}")
    row: Record | None = await conn.fetchrow(f"SELECT * FROM motions WHERE id = $1 {lock}", motion_id)
    return row


async def motions(conn: Connection, session_id: uuid.UUID) -> list[Record]:
    return list(await conn.fetch("SELECT * FROM motions WHERE session_id = $1 ORDER BY created_at, id", session_id))


async def vote_counts(conn: Connection, motion_id: uuid.UUID, person_id: str) -> Record:
    """How many voted, for, against and abstaining, and how `person_id` voted (`mine`)."""
    row: Record | None = await conn.fetchrow(
        """
        SELECT count(*) AS cast,
               count(*) FILTER (WHERE choice = 'for') AS f,
               count(*) FILTER (WHERE choice = 'against') AS a,
               count(*) FILTER (WHERE choice = 'abstain') AS n,
               max(choice) FILTER (WHERE person_id = $2) AS mine
        FROM votes WHERE motion_id = $1
        """,
        motion_id,
        person_id,
    )
    assert row is not None
    return row


async def decisions(
    conn: Connection,
    council_id: uuid.UUID,
    *,
    before: tuple[datetime, uuid.UUID] | None,
    limit: int,
    session_id: uuid.UUID | None = None,
    forwarded: bool | None = None,
) -> list[Record]:
    """A council's decisions, newest first, keyset-paginated on (decided_at, id) descending; of one session,
    or only those forwarded (or not) to the committees as suggestions."""
    return list(
        await conn.fetch(
            """
            SELECT * FROM decisions WHERE council_id = $1
              AND ($2::timestamptz IS NULL OR (decided_at, id) < ($2, $3::uuid))
              AND ($5::uuid IS NULL OR session_id = $5)
              AND ($6::boolean IS NULL OR (suggestion_id IS NOT NULL) = $6)
            ORDER BY decided_at DESC, id DESC LIMIT $4
            """,
            council_id,
            before[0] if before else None,
            before[1] if before else None,
            limit,
            session_id,
            forwarded,
        )
    )


async def decision(conn: Connection, decision_id: uuid.UUID) -> Record | None:
    row: Record | None = await conn.fetchrow("SELECT * FROM decisions WHERE id = $1", decision_id)
    return row


async def cases_settled(conn: Connection, community: str, zone: str, year: int, month: int | None) -> list[Record]:
    """Decisions each council of the community adopted in a month or a year of the community's time zone
    (the community's yearly "disputes settled by the council"); every council, also with none."""
    return list(
        await conn.fetch(
            """
            WITH bounds AS (
                SELECT make_timestamp($3, coalesce($4, 1), 1, 0, 0, 0) AT TIME ZONE $2 AS since,
                       (make_timestamp($3, coalesce($4, 1), 1, 0, 0, 0)
                        + CASE WHEN $4::int IS NULL THEN interval '1 year' ELSE interval '1 month' END)
                       AT TIME ZONE $2 AS until
            )
            SELECT c.id AS council_id, c.kind, c.name, count(d.id)::int AS cases_settled
            FROM councils c CROSS JOIN bounds b
            LEFT JOIN decisions d ON d.council_id = c.id AND d.outcome = 'adopted'
                 AND d.decided_at >= b.since AND d.decided_at < b.until
            WHERE c.community = $1
            GROUP BY c.id, c.kind, c.name ORDER BY c.kind
            """,
            community,
            zone,
            year,
            month,
        )
    )
