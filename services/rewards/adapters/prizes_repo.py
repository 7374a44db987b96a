"""Prizes and redemptions in Postgres: the catalogue, the stock taken and given back, the redemption rows.

Lock order (kept by the service layer, redemptions.py): the prize row, then the redemption row,
then accounts (ledger_repo)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

import asyncpg

from services.kernel.db import Connection
from services.rewards.domain.errors import AlreadyExists, NotFoundError, OutOfStock

PRIZE = """
SELECT *, stock > 0 AND (active_from IS NULL OR active_from <= now())
          AND (active_until IS NULL OR active_until > now()) AS available FROM prizes
"""
_CREATE = """
INSERT INTO prizes (community, code, name_zh, name_en, description, cost, stock, active_from, active_until)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
"""
_RESTOCK = "UPDATE prizes SET stock = stock + $3 WHERE id = $1 AND community = $2 RETURNING id"
_TAKE_STOCK = """
UPDATE prizes SET stock = stock - 1
WHERE id = $1 AND community = $2 AND stock > 0
  AND (active_from IS NULL OR active_from <= now()) AND (active_until IS NULL OR active_until > now())
RETURNING id, cost, name_zh, name_en
"""
_GIVE_BACK = "UPDATE prizes SET stock = stock + 1 WHERE id = $1"
_WHY_NOT = """
SELECT stock, (active_from IS NULL OR active_from <= now())
       AND (active_until IS NULL OR active_until > now()) AS active
FROM prizes WHERE id = $1 AND community = $2
"""
_LOCK_PRIZE = "SELECT * FROM prizes WHERE id = $1 FOR UPDATE"
_KEY_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
_BY_KEY = "SELECT * FROM redemptions WHERE community = $1 AND person_id = $2 AND idempotency_key = $3"
_REDEMPTION = "SELECT * FROM redemptions WHERE id = $1 AND community = $2"
_LOCK_REDEMPTION = "SELECT * FROM redemptions WHERE id = $1 FOR UPDATE"
_INSERT_REDEMPTION = """
INSERT INTO redemptions (id, community, person_id, prize_id, points, status, pickup_code,
                         reserve_tx, reserved_at, idempotency_key)
VALUES ($1, $2, $3, $4, $5, 'reserved', $6, $7, $8, $9)
ON CONFLICT (community, pickup_code) WHERE status = 'reserved' DO NOTHING
RETURNING *
"""
# A code already held by an open reservation returns no row and another is drawn. Not a caught
# unique violation: PostgreSQL would log that error's DETAIL, the other reservation's pickup code.
_SETTLE = """
UPDATE redemptions SET status = $2, settle_tx = $3, settled_at = now(), settled_by = $4, cancel_reason = $5
WHERE id = $1 AND status = 'reserved' RETURNING *
"""


class PrizeRepository:
    """The prize catalogue and the redemptions of the communities, on one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, prize_id: uuid.UUID) -> asyncpg.Record | None:
        """A prize with its `available` flag."""
        return await self.conn.fetchrow(PRIZE + " WHERE id = $1", prize_id)

    async def create(self, community: str, values: dict[str, Any]) -> uuid.UUID:
        try:
            prize_id: uuid.UUID = await self.conn.fetchval(
                _CREATE,
                community,
                values["code"],
                values["name_zh"],
                values["name_en"],
                values["description"],
                values["cost"],
                values["stock"],
                values["active_from"],
                values["active_until"],
            )
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists(f"A prize with code {values['code']!r} exists.") from exc
        return prize_id

    async def restock(self, community: str, prize_id: uuid.UUID, add: int) -> None:
        try:
            row = await self.conn.fetchrow(_RESTOCK, prize_id, community, add)
        except asyncpg.CheckViolationError as exc:
            raise OutOfStock("Stock cannot go below zero.", detail_zh="库存不能少于零。") from exc
        if row is None:
            raise NotFoundError("There is no such prize.")

    async def take_one(self, community: str, prize_id: uuid.UUID) -> asyncpg.Record | None:
        """One unit of stock of a prize open now (one conditional UPDATE: the row stays locked); None if not."""
        return await self.conn.fetchrow(_TAKE_STOCK, prize_id, community)

    async def why_not(self, community: str, prize_id: uuid.UUID) -> asyncpg.Record | None:
        """The stock and whether the prize is open now (to say why it could not be taken)."""
        return await self.conn.fetchrow(_WHY_NOT, prize_id, community)

    async def lock(self, prize_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_LOCK_PRIZE, prize_id)

    async def give_back_one(self, prize_id: uuid.UUID) -> None:
        await self.conn.execute(_GIVE_BACK, prize_id)

    async def serialise_key(self, key: str) -> None:
        """Requests with the same idempotency key wait on each other until this transaction ends."""
        await self.conn.execute(_KEY_LOCK, key)

    async def redemption_by_key(self, community: str, person_id: str, key: str) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_BY_KEY, community, person_id, key)

    async def redemption(self, community: str, redemption_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_REDEMPTION, redemption_id, community)

    async def lock_redemption(self, redemption_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.conn.fetchrow(_LOCK_REDEMPTION, redemption_id)

    async def insert_redemption(
        self,
        redemption_id: uuid.UUID,
        community: str,
        person_id: str,
        prize: asyncpg.Record,
        tx: uuid.UUID,
        now: datetime,
        idempotency_key: str | None,
    ) -> asyncpg.Record:
        """The reservation row with a fresh pickup code, unique among open reservations (drawn again on a collision)."""
        for _ in range(20):
            code = f"{secrets.randbelow(1_000_000):06d}"
            row = await self.conn.fetchrow(
                _INSERT_REDEMPTION,
                redemption_id,
                community,
                person_id,
                prize["id"],
                prize["cost"],
                code,
                tx,
                now,
                idempotency_key,
            )
            if row is not None:
                return row
        raise RuntimeError("could not draw a free pickup code")

    async def settle(
        self, redemption_id: uuid.UUID, status: str, tx: uuid.UUID, actor: str, reason: str | None
    ) -> asyncpg.Record:
        row = await self.conn.fetchrow(_SETTLE, redemption_id, status, tx, actor, reason)
        assert row is not None
        return row
