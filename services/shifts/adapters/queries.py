"""Read side of the shifts service: plain SQL into dictionaries, for routes and the repository alike.

Lists use keyset pagination; times in SQL that need the community's wall clock take the zone's
name as a parameter (`AT TIME ZONE $n`), never a literal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.kernel.db import Connection

Row = dict[str, Any]

SHIFT_COLUMNS = """
    s.id, s.community, s.post_id, p.post_type, s.template_id, s.title, s.starts_at, s.ends_at, s.location,
    s.capacity, s.min_party_members, s.notes, s.status, s.cancel_reason, s.confirmed_count, s.waitlist_count,
    s.created_by, s.created_at
"""
TEMPLATE_SELECT = "SELECT t.*, p.post_type FROM templates t JOIN posts p ON p.id = t.post_id"


def _one(row: Any) -> Row | None:
    return dict(row) if row is not None else None


def _all(rows: Any) -> list[Row]:
    return [dict(r) for r in rows]


# ---- posts and leaders -----------------------------------------------------------------------------


async def posts(conn: Connection, community: str) -> list[Row]:
    return _all(await conn.fetch("SELECT * FROM posts WHERE community = $1 ORDER BY post_type", community))


async def post_by_type(conn: Connection, community: str, post_type: str) -> Row | None:
    return _one(
        await conn.fetchrow("SELECT * FROM posts WHERE community = $1 AND post_type = $2", community, post_type)
    )


async def leader_ids(conn: Connection, post_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch("SELECT person_id FROM post_leaders WHERE post_id = $1 ORDER BY person_id", post_id)
    return [r["person_id"] for r in rows]


async def is_post_leader(conn: Connection, post_id: uuid.UUID, person_id: str) -> bool:
    found = await conn.fetchval(
        "SELECT true FROM post_leaders WHERE post_id = $1 AND person_id = $2", post_id, person_id
    )
    return bool(found)


async def leads_a_post(conn: Connection, community: str, person_id: str) -> bool:
    found = await conn.fetchval(
        """SELECT true FROM post_leaders l JOIN posts p ON p.id = l.post_id
           WHERE l.person_id = $1 AND p.community = $2 LIMIT 1""",
        person_id,
        community,
    )
    return bool(found)


# ---- volunteers ------------------------------------------------------------------------------------


async def volunteer(conn: Connection, community: str, person_id: str) -> Row | None:
    return _one(await conn.fetchrow("SELECT * FROM volunteers WHERE community = $1 AND id = $2", community, person_id))


async def posts_of(conn: Connection, community: str, volunteer_id: str) -> list[str]:
    rows = await conn.fetch(
        """SELECT p.post_type FROM volunteer_posts vp JOIN posts p ON p.id = vp.post_id
           WHERE vp.community = $1 AND vp.volunteer_id = $2 ORDER BY p.post_type""",
        community,
        volunteer_id,
    )
    return [r["post_type"] for r in rows]


async def volunteers(
    conn: Connection, community: str, *, after: str | None, suspended: bool | None, limit: int
) -> list[Row]:
    """Up to limit + 1 volunteers by id (the extra one tells whether there is a next page)."""
    return _all(
        await conn.fetch(
            """SELECT * FROM volunteers WHERE community = $1 AND ($2::text IS NULL OR id > $2)
                 AND ($3::boolean IS NULL OR (suspended_at IS NOT NULL) = $3)
               ORDER BY id LIMIT $4""",
            community,
            after,
            suspended,
            limit + 1,
        )
    )


async def volunteer_by_feed(conn: Connection, digest: bytes) -> Row | None:
    return _one(await conn.fetchrow("SELECT community, id, name FROM volunteers WHERE feed_token_hash = $1", digest))


# ---- shifts ----------------------------------------------------------------------------------------


async def shift(conn: Connection, community: str, shift_id: uuid.UUID) -> Row | None:
    return _one(
        await conn.fetchrow(
            f"SELECT {SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id WHERE s.id = $1 AND s.community = $2",
            shift_id,
            community,
        )
    )


@dataclass(frozen=True)
class ShiftFilter:
    community: str
    post_id: uuid.UUID | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    open_places: bool = False
    include_cancelled: bool = False
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 50


async def shifts(conn: Connection, f: ShiftFilter) -> list[Row]:
    """Up to limit + 1 shifts by (start, id)."""
    return _all(
        await conn.fetch(
            f"""SELECT {SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id
                WHERE s.community = $1
                  AND ($2::uuid IS NULL OR s.post_id = $2)
                  AND ($3::timestamptz IS NULL OR s.starts_at >= $3)
                  AND ($4::timestamptz IS NULL OR s.starts_at < $4)
                  AND (NOT $5 OR (s.status = 'scheduled' AND s.confirmed_count < s.capacity))
                  AND ($6 OR s.status = 'scheduled')
                  AND ($7::timestamptz IS NULL OR (s.starts_at, s.id) > ($7, $8::uuid))
                ORDER BY s.starts_at, s.id LIMIT $9""",
            f.community,
            f.post_id,
            f.starts_from,
            f.starts_before,
            f.open_places,
            f.include_cancelled,
            f.after[0] if f.after else None,
            f.after[1] if f.after else None,
            f.limit + 1,
        )
    )


async def volunteer_shifts(
    conn: Connection,
    community: str,
    volunteer_id: str,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
    ends_after: datetime | None = None,
) -> list[tuple[Row, Row]]:
    """Up to limit + 1 (shift, live sign-up) pairs of a volunteer, by (start, id); `ends_after`: not ended yet."""
    rows = await conn.fetch(
        f"""SELECT {SHIFT_COLUMNS}, su.id AS signup_id FROM signups su
            JOIN shifts s ON s.id = su.shift_id JOIN posts p ON p.id = s.post_id
            WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status <> 'cancelled'
              AND ($3::timestamptz IS NULL OR (s.starts_at, s.id) > ($3, $4::uuid))
              AND ($6::timestamptz IS NULL OR s.ends_at > $6)
            ORDER BY s.starts_at, s.id LIMIT $5""",
        community,
        volunteer_id,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
        ends_after,
    )
    signups = {
        r["id"]: dict(r)
        for r in await conn.fetch("SELECT * FROM signups WHERE id = ANY($1::uuid[])", [r["signup_id"] for r in rows])
    }
    return [(dict(r), signups[r["signup_id"]]) for r in rows]


async def feed_shifts(conn: Connection, community: str, volunteer_id: str, since: datetime) -> list[Row]:
    """A volunteer's live sign-ups with their shifts, of shifts ending after `since` (the calendar feed)."""
    return _all(
        await conn.fetch(
            """SELECT s.id, s.community, s.title, s.starts_at, s.ends_at, s.location, s.notes, s.status, s.created_at,
                      p.post_type, su.status AS signup_status
               FROM signups su JOIN shifts s ON s.id = su.shift_id JOIN posts p ON p.id = s.post_id
               WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status <> 'cancelled' AND s.ends_at >= $3
               ORDER BY s.starts_at LIMIT 1000""",
            community,
            volunteer_id,
            since,
        )
    )


# ---- sign-ups and participations -------------------------------------------------------------------


async def live_signups(conn: Connection, shift_id: uuid.UUID) -> list[Row]:
    """Confirmed first, then the waitlist in order."""
    return _all(
        await conn.fetch(
            """SELECT * FROM signups WHERE shift_id = $1 AND status <> 'cancelled'
               ORDER BY status = 'waitlisted', queued_seq LIMIT 2000""",
            shift_id,
        )
    )


async def roster(conn: Connection, shift_id: uuid.UUID) -> list[Row]:
    """The live sign-ups of a shift with each volunteer's name and kind and their confirmed outcome, if any;
    confirmed first, then the waitlist in order."""
    return _all(
        await conn.fetch(
            """SELECT s.*, v.name AS volunteer_name, v.kind AS volunteer_kind,
                      p.outcome AS outcome, p.hours AS hours, p.hours_source AS hours_source
               FROM signups s
               JOIN volunteers v ON v.community = s.community AND v.id = s.volunteer_id
               LEFT JOIN participations p ON p.shift_id = s.shift_id AND p.volunteer_id = s.volunteer_id
               WHERE s.shift_id = $1 AND s.status <> 'cancelled'
               ORDER BY s.status = 'waitlisted', s.queued_seq LIMIT 2000""",
            shift_id,
        )
    )


async def waitlisted(conn: Connection, shift_id: uuid.UUID) -> list[Row]:
    return _all(
        await conn.fetch(
            "SELECT * FROM signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY queued_seq LIMIT 2000",
            shift_id,
        )
    )


async def live_signup(conn: Connection, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
    return _one(
        await conn.fetchrow(
            "SELECT * FROM signups WHERE shift_id = $1 AND volunteer_id = $2 AND status <> 'cancelled'",
            shift_id,
            volunteer_id,
        )
    )


async def waitlist_position(conn: Connection, signup: Row) -> int:
    position: int = await conn.fetchval(
        "SELECT count(*) FROM signups WHERE shift_id = $1 AND status = 'waitlisted' AND queued_seq <= $2",
        signup["shift_id"],
        signup["queued_seq"],
    )
    return position


async def participations(conn: Connection, shift_id: uuid.UUID) -> list[Row]:
    return _all(
        await conn.fetch(
            "SELECT * FROM participations WHERE shift_id = $1 ORDER BY confirmed_at, volunteer_id LIMIT 2000",
            shift_id,
        )
    )


# ---- templates -------------------------------------------------------------------------------------


async def template(conn: Connection, community: str, template_id: uuid.UUID) -> Row | None:
    return _one(await conn.fetchrow(TEMPLATE_SELECT + " WHERE t.id = $1 AND t.community = $2", template_id, community))


async def templates(conn: Connection, community: str, *, after: str | None, limit: int) -> list[Row]:
    """Up to limit + 1 templates by id."""
    return _all(
        await conn.fetch(
            TEMPLATE_SELECT
            + " WHERE t.community = $1 AND ($2::text IS NULL OR t.id::text > $2) ORDER BY t.id LIMIT $3",
            community,
            after,
            limit + 1,
        )
    )


# ---- statistics ------------------------------------------------------------------------------------

_BY_MONTH = """
SELECT to_char(s.starts_at AT TIME ZONE $4, 'YYYY-MM') AS month,
       count(*) FILTER (WHERE pa.outcome = 'completed') AS activities,
       coalesce(sum(pa.hours) FILTER (WHERE pa.outcome = 'completed'), 0) AS hours,
       count(*) FILTER (WHERE pa.outcome = 'no_show') AS no_shows
FROM participations pa JOIN shifts s ON s.id = pa.shift_id
WHERE pa.community = $1 AND {subject} = $2
  AND ($3::int IS NULL OR extract(year FROM s.starts_at AT TIME ZONE $4) = $3)
GROUP BY 1 ORDER BY 1
"""


async def monthly_of_volunteer(
    conn: Connection, community: str, volunteer_id: str, year: int | None, zone: str
) -> list[Row]:
    """Activities, hours and no-shows by local month (in `zone`) of one volunteer."""
    return _all(await conn.fetch(_BY_MONTH.format(subject="pa.volunteer_id"), community, volunteer_id, year, zone))


async def monthly_of_post(
    conn: Connection, community: str, post_id: uuid.UUID, year: int | None, zone: str
) -> list[Row]:
    """Activities, hours and no-shows by local month (in `zone`) of one post."""
    return _all(await conn.fetch(_BY_MONTH.format(subject="pa.post_id"), community, post_id, year, zone))
