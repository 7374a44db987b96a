"""Postgres repository of venture projects, their linked shifts, and the participations read model."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from contracts.enums import PostType
from contracts.events.shifts import ParticipationCompleted
from services.community.domain.ventures import Participation, Plan, Venture
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents

_COLUMNS = """id, community, status, title, aim, post_type, budget, activities_planned, lead_id, return_reason,
decided_by, decided_at, spent, report, activities_held, participants, volunteer_hours, created_at, updated_at,
closed_at"""


def _venture(row: asyncpg.Record) -> Venture:
    participation = (
        Participation(row["activities_held"], row["participants"], float(row["volunteer_hours"]))
        if row["activities_held"] is not None
        else None
    )
    return Venture(
        id=row["id"],
        community=row["community"],
        lead_id=row["lead_id"],
        plan=Plan(
            row["title"], row["aim"], PostType(row["post_type"]), row["budget"], tuple(row["activities_planned"])
        ),
        status=row["status"],
        created_at=row["created_at"],
        return_reason=row["return_reason"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        spent=row["spent"],
        report=row["report"],
        participation=participation,
        closed_at=row["closed_at"],
    )


class VentureRepository:
    def __init__(self, conn: Connection, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.seen = seen

    async def get_for_update(self, venture_id: uuid.UUID) -> Venture | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM ventures WHERE id = $1 FOR UPDATE", venture_id)
        if row is None:
            return None
        venture = _venture(row)
        self.seen(venture)
        return venture

    async def add(self, venture: Venture) -> None:
        p = venture.plan
        await self.conn.execute(
            """INSERT INTO ventures (id, community, status, title, aim, post_type, budget, activities_planned, lead_id,
                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)""",
            venture.id,
            venture.community,
            venture.status,
            p.title,
            p.aim,
            p.post_type.value,
            p.budget,
            list(p.activities_planned),
            venture.lead_id,
            venture.created_at,
        )
        self.seen(venture)

    async def save(self, venture: Venture, now: datetime) -> None:
        p, c = venture.plan, venture.participation
        await self.conn.execute(
            """UPDATE ventures SET status = $2, title = $3, aim = $4, post_type = $5, budget = $6,
                activities_planned = $7, return_reason = $8, decided_by = $9, decided_at = $10, spent = $11,
                report = $12, activities_held = $13, participants = $14, volunteer_hours = $15, closed_at = $16,
                updated_at = $17
               WHERE id = $1""",
            venture.id,
            venture.status,
            p.title,
            p.aim,
            p.post_type.value,
            p.budget,
            list(p.activities_planned),
            venture.return_reason,
            venture.decided_by,
            venture.decided_at,
            venture.spent,
            venture.report,
            c.activities_held if c else None,
            c.participants if c else None,
            Decimal(str(c.volunteer_hours)) if c else None,
            venture.closed_at,
            now,
        )
        self.seen(venture)

    async def link_shift(self, venture: Venture, shift_id: uuid.UUID, actor: str, now: datetime) -> uuid.UUID:
        """Link a shift; returns the venture it is linked to (another one's if it was linked there before)."""
        linked: uuid.UUID = await self.conn.fetchval(
            """WITH new AS (
                   INSERT INTO venture_shifts (community, shift_id, venture_id, linked_by, linked_at)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING venture_id)
               SELECT venture_id FROM new
               UNION ALL SELECT venture_id FROM venture_shifts WHERE community = $1 AND shift_id = $2
               LIMIT 1""",
            venture.community,
            shift_id,
            venture.id,
            actor,
            now,
        )
        return linked

    async def participation(self, venture: Venture) -> Participation:
        """The linked shifts' confirmed participations on the venture's own post."""
        row = await self.conn.fetchrow(
            """SELECT count(DISTINCT p.shift_id) AS held, count(DISTINCT p.volunteer_id) AS people,
                      coalesce(sum(p.hours), 0) AS hours
               FROM venture_shifts s JOIN participations p ON p.community = s.community AND p.shift_id = s.shift_id
               WHERE s.venture_id = $1 AND p.post_type = $2""",
            venture.id,
            venture.plan.post_type.value,
        )
        assert row is not None
        return Participation(int(row["held"]), int(row["people"]), float(row["hours"]))

    async def record_participation(self, community: str, data: ParticipationCompleted) -> bool:
        """Keep a confirmed participation (once per participation id); False if it was known."""
        return bool(
            await self.conn.fetchval(
                """INSERT INTO participations (participation_id, community, shift_id, volunteer_id, post_type, hours,
                    started_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                   ON CONFLICT DO NOTHING RETURNING true""",
                data.participation_id,
                community,
                data.shift_id,
                data.volunteer_id,
                data.post_type.value,
                Decimal(str(data.hours)),
                data.started_at,
                data.confirmed_at,
            )
        )


# -- reads ------------------------------------------------------------------------------------


async def get_venture(conn: Connection, venture_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM ventures WHERE id = $1", venture_id)
    if row is None:
        return None
    shifts = await conn.fetch(
        "SELECT shift_id FROM venture_shifts WHERE venture_id = $1 ORDER BY linked_at, shift_id", venture_id
    )
    return {**dict(row), "shift_ids": [r["shift_id"] for r in shifts]}


async def list_ventures(
    conn: Connection, community: str, status: str | None, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS}, ARRAY(SELECT shift_id FROM venture_shifts s WHERE s.venture_id = v.id
                                    ORDER BY linked_at, shift_id) AS shift_ids
            FROM ventures v
            WHERE community = $1 AND ($2::text IS NULL OR status = $2)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
            ORDER BY created_at DESC, id DESC LIMIT $5""",
        community,
        status,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return [dict(r) for r in rows]
