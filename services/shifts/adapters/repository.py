"""Postgres access for the shifts service: plain SQL, one function per question."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from contracts.enums import VolunteerKind
from services.kernel.db import Connection
from services.shifts.domain.rules import Overlap, ShiftView, Waiting

Row = asyncpg.Record

SHIFT_COLUMNS = """
    s.id, s.community, s.post_id, p.post_type, s.template_id, s.title, s.starts_at, s.ends_at, s.location,
    s.capacity, s.min_party_members, s.notes, s.status, s.cancel_reason, s.confirmed_count, s.waitlist_count,
    s.created_by, s.created_at
"""


async def post_by_type(conn: Connection, community: str, post_type: str) -> Row | None:
    return await conn.fetchrow("SELECT * FROM posts WHERE community = $1 AND post_type = $2", community, post_type)


async def leader_ids(conn: Connection, post_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch("SELECT person_id FROM post_leaders WHERE post_id = $1 ORDER BY person_id", post_id)
    return [r["person_id"] for r in rows]


async def is_post_leader(conn: Connection, post_id: uuid.UUID, person_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM post_leaders WHERE post_id = $1 AND person_id = $2", post_id, person_id
    )
    return bool(found)


async def post_volunteer_ids(conn: Connection, community: str, post_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT volunteer_id FROM volunteer_posts WHERE community = $1 AND post_id = $2 ORDER BY volunteer_id",
        community,
        post_id,
    )
    return [r["volunteer_id"] for r in rows]


async def volunteer(conn: Connection, community: str, person_id: str, *, lock: bool = False) -> Row | None:
    sql = "SELECT * FROM volunteers WHERE community = $1 AND id = $2"
    return await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), community, person_id)


async def shift(conn: Connection, community: str, shift_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    sql = f"SELECT {SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id WHERE s.id = $1 AND s.community = $2"
    return await conn.fetchrow(sql + (" FOR UPDATE OF s" if lock else ""), shift_id, community)


async def shift_view(conn: Connection, row: Row) -> ShiftView:
    party: int = await conn.fetchval(
        """SELECT count(*) FROM signups su
           JOIN volunteers v ON v.community = su.community AND v.id = su.volunteer_id
           WHERE su.shift_id = $1 AND su.status = 'confirmed' AND v.kind = 'party_member'""",
        row["id"],
    )
    return ShiftView(
        id=str(row["id"]),
        title=row["title"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        capacity=row["capacity"],
        min_party_members=row["min_party_members"],
        status=row["status"],
        confirmed_count=row["confirmed_count"],
        confirmed_party_members=party,
    )


async def overlapping(
    conn: Connection, community: str, volunteer_id: str, shift_id: uuid.UUID, starts_at: datetime, ends_at: datetime
) -> Overlap | None:
    """A live sign-up (confirmed or waitlisted) of the volunteer on another shift that overlaps this one."""
    row = await conn.fetchrow(
        """SELECT s.id, s.title, s.starts_at, s.ends_at FROM signups su JOIN shifts s ON s.id = su.shift_id
           WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status IN ('confirmed', 'waitlisted')
             AND s.status = 'scheduled' AND s.id <> $3 AND s.starts_at < $5 AND s.ends_at > $4
           ORDER BY s.starts_at LIMIT 1""",
        community,
        volunteer_id,
        shift_id,
        starts_at,
        ends_at,
    )
    if row is None:
        return None
    return Overlap(str(row["id"]), row["title"], row["starts_at"], row["ends_at"])


async def live_signup(conn: Connection, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
    return await conn.fetchrow(
        "SELECT * FROM signups WHERE shift_id = $1 AND volunteer_id = $2 AND status <> 'cancelled'",
        shift_id,
        volunteer_id,
    )


async def waitlist(conn: Connection, shift_id: uuid.UUID) -> list[Waiting]:
    rows = await conn.fetch(
        """SELECT su.id, v.kind FROM signups su
           JOIN volunteers v ON v.community = su.community AND v.id = su.volunteer_id
           WHERE su.shift_id = $1 AND su.status = 'waitlisted' ORDER BY su.queued_seq""",
        shift_id,
    )
    return [Waiting(str(r["id"]), VolunteerKind(r["kind"])) for r in rows]


async def signed_up_ids(conn: Connection, shift_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT volunteer_id FROM signups WHERE shift_id = $1 AND status <> 'cancelled' ORDER BY queued_seq",
        shift_id,
    )
    return [r["volunteer_id"] for r in rows]


async def recent_no_shows(conn: Connection, community: str, volunteer_id: str, since: datetime) -> int:
    count: int = await conn.fetchval(
        """SELECT count(*) FROM participations
           WHERE community = $1 AND volunteer_id = $2 AND outcome = 'no_show' AND confirmed_at > $3""",
        community,
        volunteer_id,
        since,
    )
    return count
