"""Volunteer-service certificates in Postgres: the hours they certify, their numbers, their rows."""

from __future__ import annotations

import uuid
from datetime import date

import asyncpg

from services.kernel.db import Connection

_HOURS_BY_POST = """
SELECT post_type, sum(hours) AS hours, count(*) AS times FROM awards
WHERE community = $1 AND person_id = $2 AND rule_id = 'participation.hours'
  AND ($3::date IS NULL OR service_day >= $3) AND ($4::date IS NULL OR service_day <= $4)
GROUP BY post_type ORDER BY post_type
"""
_NEXT_SERIAL = "SELECT nextval('certificate_numbers')"
_INSERT = """
INSERT INTO certificates (id, community, number, person_id, person_name, id_document, id_number,
                          volunteer_no, hours, content, period_from, period_to, issued_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *
"""


class CertificateRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def hours_by_post(
        self, community: str, person_id: str, period_from: date | None, period_to: date | None
    ) -> list[asyncpg.Record]:
        """Confirmed service hours and times served, per red post, within the period."""
        return list(await self.conn.fetch(_HOURS_BY_POST, community, person_id, period_from, period_to))

    async def next_serial(self) -> int:
        serial: int = await self.conn.fetchval(_NEXT_SERIAL)
        return serial

    async def insert(self, community: str, number: str, values: dict[str, object]) -> asyncpg.Record:
        row = await self.conn.fetchrow(
            _INSERT,
            uuid.uuid4(),
            community,
            number,
            values["person_id"],
            values["person_name"],
            values["id_document"],
            values["id_number"],
            values["volunteer_no"],
            values["hours"],
            values["content"],
            values["period_from"],
            values["period_to"],
            values["issued_by"],
        )
        assert row is not None
        return row
