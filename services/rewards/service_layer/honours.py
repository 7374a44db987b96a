"""Honours: star levels granted automatically when hours cross a threshold; yearly honours by the committee."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import asyncpg

from contracts.events.rewards import HonourGranted
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.rewards.domain.errors import AlreadyExists
from services.rewards.domain.honours import HonourKind, levels_crossed, title

OUTBOX = Outbox("rewards")

_INSERT = """
INSERT INTO honours (id, community, person_id, kind, level, year, building_group, citation, granted_by, granted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING
RETURNING id
"""

HOURS_OF = """
SELECT coalesce(max(confirmed_hours), 0) FROM accounts WHERE community = $1 AND kind = 'person' AND person_id = $2
"""


async def confirmed_hours(conn: Connection, community: str, person_id: str) -> Decimal:
    """Hours of every participation.hours award of the person: the account's running total, kept by the award writers."""
    hours: Decimal = await conn.fetchval(HOURS_OF, community, person_id)
    return hours


async def grant_crossed(
    conn: Connection, community: str, person_id: str, before: Decimal, after: Decimal, building_group: int | None
) -> list[int]:
    """Grant each star level crossed when the person's confirmed hours grew from `before` to `after`."""
    granted = []
    for level in levels_crossed(before, after):
        if await _grant(conn, community, person_id, HonourKind.STAR_LEVEL, level=level, building_group=building_group):
            granted.append(level)
    return granted


async def grant_yearly(
    conn: Connection,
    community: str,
    person_id: str,
    kind: HonourKind,
    year: int,
    *,
    granted_by: str,
    building_group: int | None,
    citation: str | None,
) -> uuid.UUID:
    honour_id = await _grant(
        conn,
        community,
        person_id,
        kind,
        year=year,
        building_group=building_group,
        granted_by=granted_by,
        citation=citation,
    )
    if honour_id is None:
        raise AlreadyExists(f"{person_id} already holds this honour for {year}.")
    return honour_id


async def _grant(
    conn: Connection,
    community: str,
    person_id: str,
    kind: HonourKind,
    *,
    level: int | None = None,
    year: int | None = None,
    building_group: int | None = None,
    granted_by: str | None = None,
    citation: str | None = None,
) -> uuid.UUID | None:
    now = datetime.now(UTC)
    honour_id: uuid.UUID | None = await conn.fetchval(
        _INSERT,
        uuid.uuid4(),
        community,
        person_id,
        str(kind),
        level,
        year,
        building_group,
        citation,
        granted_by,
        now,
    )
    if honour_id is None:
        return None
    await OUTBOX.emit(
        conn,
        HonourGranted(
            honour_id=honour_id,
            person_id=person_id,
            kind=kind.value,
            level=level,
            year=year,
            title=title(kind, level, year),
            building_group=building_group,
            granted_by=granted_by,
            granted_at=now,
        ),
        community=community,
        subject=person_id,
    )
    return honour_id


async def candidates(
    conn: Connection, community: str, kind: HonourKind, year: int, building_group: int | None, limit: int
) -> list[asyncpg.Record]:
    """People ranked by points earned in the year, then confirmed hours; for group leaders, per building group."""
    partition = "a.building_group" if kind is HonourKind.EXCELLENT_GROUP_LEADER else "NULL::int"
    return list(
        await conn.fetch(
            f"""
            WITH totals AS (
                SELECT w.person_id, acc.building_group, sum(w.points)::bigint AS points, sum(w.hours) AS hours
                FROM awards w JOIN accounts acc
                  ON acc.community = w.community AND acc.kind = 'person' AND acc.person_id = w.person_id
                WHERE w.community = $1 AND extract(year FROM w.service_day) = $2
                  AND ($3::int IS NULL OR acc.building_group = $3)
                GROUP BY w.person_id, acc.building_group
            )
            SELECT * FROM (
                SELECT a.*, rank() OVER (PARTITION BY {partition} ORDER BY a.points DESC, a.hours DESC) AS rank,
                       EXISTS (SELECT 1 FROM honours h WHERE h.community = $1 AND h.person_id = a.person_id
                               AND h.kind = $5 AND h.year = $2) AS granted
                FROM totals a
            ) ranked WHERE rank <= $4
            ORDER BY building_group NULLS LAST, rank, person_id
            """,
            community,
            year,
            building_group,
            limit,
            str(kind),
        )
    )
