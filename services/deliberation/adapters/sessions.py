"""Postgres access to sessions, attendance and the placing of agenda items on sessions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from services.kernel.db import Connection

Record = asyncpg.Record

_SESSION_COLUMNS = """
    s.*, c.kind AS council_kind, c.timezone, c.majority_rule, c.quorum_fraction, c.name AS council_name
"""


async def insert_session(conn: Connection, values: dict[str, object], *, regular: bool) -> Record | None:
    """Insert a session; a regular one only if its council has none on that date yet (None then)."""
    columns = ", ".join(values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    conflict = " ON CONFLICT (council_id, regular_date) DO NOTHING" if regular else ""
    row: Record | None = await conn.fetchrow(
        f"INSERT INTO sessions ({columns}) VALUES ({params}){conflict} RETURNING id", *values.values()
    )
    if row is None:
        return None
    return await get_session(conn, row["id"])


async def get_session(conn: Connection, session_id: uuid.UUID, *, lock: bool = False) -> Record | None:
    suffix = " FOR UPDATE OF s" if lock else ""
    row: Record | None = await conn.fetchrow(
        f"SELECT {_SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id WHERE s.id = $1{suffix}",
        session_id,
    )
    return row


async def next_scheduled_session(
    conn: Connection, council_id: uuid.UUID, after: datetime, exclude: uuid.UUID | None = None
) -> Record | None:
    """The council's earliest scheduled session starting after `after`."""
    row: Record | None = await conn.fetchrow(
        """
        SELECT id, starts_at FROM sessions
        WHERE council_id = $1 AND status = 'scheduled' AND starts_at > $2 AND id IS DISTINCT FROM $3
        ORDER BY starts_at, id LIMIT 1
        """,
        council_id,
        after,
        exclude,
    )
    return row


async def list_sessions(
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
            SELECT {_SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id
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
            SELECT {_SESSION_COLUMNS} FROM sessions s JOIN councils c ON c.id = s.council_id
            WHERE s.council_id = $1 AND s.starts_at >= $2 ORDER BY s.starts_at, s.id LIMIT 500
            """,
            council_id,
            since,
        )
    )


async def set_status(conn: Connection, session_id: uuid.UUID, status: str, **columns: object) -> None:
    extra = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
    await conn.execute(f"UPDATE sessions SET status = $2{extra} WHERE id = $1", session_id, status, *columns.values())


async def record_attendance(conn: Connection, session_id: uuid.UUID, person_id: str, recorded_by: str) -> bool:
    row = await conn.fetchrow(
        """
        INSERT INTO attendance (session_id, person_id, recorded_by) VALUES ($1, $2, $3)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        session_id,
        person_id,
        recorded_by,
    )
    return row is not None


async def remove_attendance(conn: Connection, session_id: uuid.UUID, person_id: str) -> None:
    await conn.execute("DELETE FROM attendance WHERE session_id = $1 AND person_id = $2", session_id, person_id)


async def attendees(conn: Connection, session_id: uuid.UUID) -> list[Record]:
    return list(
        await conn.fetch(
            "SELECT person_id, recorded_by, recorded_at FROM attendance WHERE session_id = $1 ORDER BY recorded_at, person_id",
            session_id,
        )
    )


async def is_present(conn: Connection, session_id: uuid.UUID, person_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM attendance WHERE session_id = $1 AND person_id = $2", session_id, person_id
    )
    return bool(found)


async def present_voting_count(conn: Connection, session_id: uuid.UUID, voting_ids: list[str]) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM attendance WHERE session_id = $1 AND person_id = ANY($2::text[])",
        session_id,
        voting_ids,
    )
    return count


async def place_waiting_items(conn: Connection, council: Record, session_id: uuid.UUID) -> int:
    """Put the items waiting for a session of this council onto `session_id`.

    Waiting referrals without a council go to the community's consultation council."""
    result: str = await conn.execute(
        """
        UPDATE agenda_items SET session_id = $1, council_id = $2
        WHERE session_id IS NULL AND status = 'open' AND community = $3
          AND (council_id = $2 OR (council_id IS NULL AND $4 = 'consultation'))
        """,
        session_id,
        council["id"],
        council["community"],
        council["kind"],
    )
    return int(result.split()[-1])


async def move_open_items(conn: Connection, from_session: uuid.UUID, to_session: uuid.UUID | None) -> int:
    """Defer the undecided items of a session to another one (or to waiting, when None)."""
    result: str = await conn.execute(
        """
        UPDATE agenda_items SET session_id = $2, times_deferred = times_deferred + 1
        WHERE session_id = $1 AND status = 'open'
        """,
        from_session,
        to_session,
    )
    return int(result.split()[-1])


def local_day(session: Record) -> date:
    day: date = session["starts_at"].astimezone(ZoneInfo(session["timezone"])).date()
    return day
