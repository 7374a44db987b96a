"""Postgres repository of care visits and of the love-bank-per-year read model they pick from."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import asyncpg

from services.community.domain.visits import AlreadyPlannedThisYear, CareVisit, LoveBankYear
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents

_COLUMNS = """id, community, year, volunteer_id, status, planned_for, visitors, points, hours, planned_by, planned_at,
visited_at, visited_with, note"""

_ADD_TO_YEAR = """
INSERT INTO love_bank_years (community, person_id, year, points, hours) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (community, year, person_id)
DO UPDATE SET points = love_bank_years.points + EXCLUDED.points, hours = love_bank_years.hours + EXCLUDED.hours
"""


def _visit(row: asyncpg.Record) -> CareVisit:
    return CareVisit(
        id=row["id"],
        community=row["community"],
        year=row["year"],
        volunteer_id=row["volunteer_id"],
        planned_for=row["planned_for"],
        visitors=list(row["visitors"]),
        points=row["points"],
        hours=float(row["hours"]),
        planned_by=row["planned_by"],
        planned_at=row["planned_at"],
        status=row["status"],
        visited_at=row["visited_at"],
        visited_with=list(row["visited_with"]) if row["visited_with"] is not None else None,
        note=row["note"],
    )


class VisitRepository:
    def __init__(self, conn: Connection, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.seen = seen

    async def add_to_year(
        self, community: str, person_id: str, year: int, *, points: int = 0, hours: float = 0
    ) -> None:
        """Add points (points.awarded) or confirmed hours (participation.completed) to a person's year."""
        await self.conn.execute(_ADD_TO_YEAR, community, person_id, year, points, Decimal(str(hours)))

    async def standing(self, community: str, person_id: str, year: int) -> LoveBankYear | None:
        row = await self.conn.fetchrow(
            "SELECT person_id, points, hours FROM love_bank_years WHERE community = $1 AND year = $2 AND person_id = $3",
            community,
            year,
            person_id,
        )
        return LoveBankYear(row["person_id"], row["points"], float(row["hours"])) if row else None

    async def get_for_update(self, visit_id: uuid.UUID) -> CareVisit | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM care_visits WHERE id = $1 FOR UPDATE", visit_id)
        if row is None:
            return None
        visit = _visit(row)
        self.seen(visit)
        return visit

    async def add(self, visit: CareVisit) -> None:
        """Store a planned visit; a second one for the volunteer that year is refused."""
        done = await self.conn.fetchval(
            """INSERT INTO care_visits (id, community, year, volunteer_id, status, planned_for, visitors, points, hours,
                planned_by, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
               ON CONFLICT (community, year, volunteer_id) DO NOTHING RETURNING true""",
            visit.id,
            visit.community,
            visit.year,
            visit.volunteer_id,
            visit.status,
            visit.planned_for,
            visit.visitors,
            visit.points,
            Decimal(str(visit.hours)),
            visit.planned_by,
            visit.planned_at,
        )
        if not done:
            raise AlreadyPlannedThisYear(visit.volunteer_id, visit.year)
        self.seen(visit)

    async def save(self, visit: CareVisit) -> None:
        await self.conn.execute(
            "UPDATE care_visits SET status = $2, visited_at = $3, visited_with = $4, note = $5 WHERE id = $1",
            visit.id,
            visit.status,
            visit.visited_at,
            visit.visited_with,
            visit.note,
        )
        self.seen(visit)


# -- reads ------------------------------------------------------------------------------------


async def candidates(conn: Connection, community: str, year: int, limit: int) -> list[dict[str, Any]]:
    """The year's volunteers by points, then hours (the backbones first), with any visit planned for them."""
    rows = await conn.fetch(
        """SELECT y.person_id, y.points, y.hours, v.id AS visit_id, v.status AS visit_status
           FROM love_bank_years y
           LEFT JOIN care_visits v ON v.community = y.community AND v.year = y.year AND v.volunteer_id = y.person_id
           WHERE y.community = $1 AND y.year = $2 AND (y.points > 0 OR y.hours > 0)
           ORDER BY y.points DESC, y.hours DESC, y.person_id LIMIT $3""",
        community,
        year,
        limit,
    )
    return [{**dict(r), "hours": float(r["hours"])} for r in rows]


async def get_visit(conn: Connection, visit_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM care_visits WHERE id = $1", visit_id)
    return {**dict(row), "hours": float(row["hours"])} if row else None


async def visits_of_year(conn: Connection, community: str, year: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM care_visits WHERE community = $1 AND year = $2 ORDER BY planned_for, volunteer_id",
        community,
        year,
    )
    return [{**dict(r), "hours": float(r["hours"])} for r in rows]
