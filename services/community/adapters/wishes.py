"""Postgres repository of the micro-wish aggregate, and the board's reads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from services.community.domain.wishes import Claimer, Wish
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents

_COLUMNS = """id, community, status, channel, issue_id, family_id, private_title, private_description, public_title,
public_description, building_group, claimer_kind, claimer_id, claimer_name, unit_contact, fulfil_note, photo_url,
created_at, approved_by, approved_at, claimed_at, fulfilled_at, confirmed_at"""


def _wish(row: asyncpg.Record) -> Wish:
    claimer = (
        Claimer(row["claimer_kind"], row["claimer_name"], row["claimer_id"], row["unit_contact"])
        if row["claimer_kind"]
        else None
    )
    return Wish(
        id=row["id"],
        community=row["community"],
        status=row["status"],
        channel=row["channel"],
        family_id=row["family_id"],
        private_title=row["private_title"],
        private_description=row["private_description"],
        issue_id=row["issue_id"],
        public_title=row["public_title"],
        public_description=row["public_description"],
        building_group=row["building_group"],
        claimer=claimer,
        fulfil_note=row["fulfil_note"],
        photo_url=row["photo_url"],
        created_at=row["created_at"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        claimed_at=row["claimed_at"],
        fulfilled_at=row["fulfilled_at"],
        confirmed_at=row["confirmed_at"],
    )


class WishRepository:
    def __init__(self, conn: Connection, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.seen = seen

    async def get_for_update(self, wish_id: uuid.UUID) -> Wish | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM wishes WHERE id = $1 FOR UPDATE", wish_id)
        if row is None:
            return None
        wish = _wish(row)
        self.seen(wish)
        return wish

    async def add(self, wish: Wish) -> bool:
        """Store a new wish; False (and nothing written) when one with its id or issue already exists."""
        done = await self.conn.fetchval(
            f"""INSERT INTO wishes ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                $15, $16, $17, $18, $19, $20, $21, $22, $23)
                ON CONFLICT DO NOTHING RETURNING true""",
            *self._values(wish),
        )
        if done:
            self.seen(wish)
        return bool(done)

    async def save(self, wish: Wish) -> None:
        await self.conn.execute(
            """UPDATE wishes SET status = $2, public_title = $3, public_description = $4, building_group = $5,
                claimer_kind = $6, claimer_id = $7, claimer_name = $8, unit_contact = $9, fulfil_note = $10,
                photo_url = $11, approved_by = $12, approved_at = $13, claimed_at = $14, fulfilled_at = $15,
                confirmed_at = $16
               WHERE id = $1""",
            wish.id,
            wish.status,
            wish.public_title,
            wish.public_description,
            wish.building_group,
            wish.claimer.kind if wish.claimer else None,
            wish.claimer.person_id if wish.claimer else None,
            wish.claimer.name if wish.claimer else None,
            wish.claimer.unit_contact if wish.claimer else None,
            wish.fulfil_note,
            wish.photo_url,
            wish.approved_by,
            wish.approved_at,
            wish.claimed_at,
            wish.fulfilled_at,
            wish.confirmed_at,
        )
        self.seen(wish)

    @staticmethod
    def _values(w: Wish) -> list[Any]:
        c = w.claimer
        return [
            w.id,
            w.community,
            w.status,
            w.channel,
            w.issue_id,
            w.family_id,
            w.private_title,
            w.private_description,
            w.public_title,
            w.public_description,
            w.building_group,
            c.kind if c else None,
            c.person_id if c else None,
            c.name if c else None,
            c.unit_contact if c else None,
            w.fulfil_note,
            w.photo_url,
            w.created_at,
            w.approved_by,
            w.approved_at,
            w.claimed_at,
            w.fulfilled_at,
            w.confirmed_at,
        ]


# -- reads ------------------------------------------------------------------------------------


async def get_wish(conn: Connection, wish_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM wishes WHERE id = $1", wish_id)
    return dict(row) if row else None


async def list_wishes(
    conn: Connection,
    community: str,
    statuses: list[str],
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Wishes of a community in the given statuses, newest first (keyset on created_at, id)."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM wishes
            WHERE community = $1 AND status = ANY($2::text[])
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
            ORDER BY created_at DESC, id DESC LIMIT $5""",
        community,
        statuses,
        after[0] if after else None,
        after[1] if after else None,
        limit + 1,
    )
    return [dict(r) for r in rows]
