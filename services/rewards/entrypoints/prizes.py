"""The prize catalogue and redemptions: reserve, fulfil at the counter, cancel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, Header, Query
from fastapi import Response as FastAPIResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import Forbidden
from services.rewards.domain.errors import AlreadyExists, NotFoundError, OutOfStock
from services.rewards.entrypoints.access import STAFF, community_of
from services.rewards.service_layer import redemptions

router = APIRouter(tags=["prizes"])


class Prize(BaseModel):
    id: uuid.UUID
    code: str
    name: dict[str, str]
    description: dict[str, str]
    cost: int
    stock: int
    active_from: datetime | None
    active_until: datetime | None
    available: bool


class PrizeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name_zh: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    description_zh: str = Field(default="", max_length=1000)
    description_en: str = Field(default="", max_length=1000)
    cost: int = Field(gt=0, le=1_000_000)
    stock: int = Field(ge=0, le=1_000_000)
    active_from: datetime | None = None
    active_until: datetime | None = None

    @model_validator(mode="after")
    def _window(self) -> PrizeCreate:
        if self.active_from and self.active_until and self.active_until <= self.active_from:
            raise ValueError("active_until must be after active_from")
        return self


class StockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add: int = Field(ge=-1_000_000, le=1_000_000, description="Units added to (or, negative, removed from) stock.")


class Redemption(BaseModel):
    id: uuid.UUID
    person_id: str
    prize_id: uuid.UUID
    points: int
    status: str
    pickup_code: str
    reserved_at: datetime
    settled_at: datetime | None
    settled_by: str | None
    cancel_reason: str | None


class RedeemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prize_id: uuid.UUID


class CancelRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(default=None, max_length=500)


_PRIZE = """
SELECT *, stock > 0 AND (active_from IS NULL OR active_from <= now())
          AND (active_until IS NULL OR active_until > now()) AS available FROM prizes
"""


def _prize(row: Any) -> Prize:
    return Prize(
        id=row["id"],
        code=row["code"],
        name={"zh-CN": row["name_zh"], "en": row["name_en"]},
        description=row["description"],
        cost=row["cost"],
        stock=row["stock"],
        active_from=row["active_from"],
        active_until=row["active_until"],
        available=row["available"],
    )


def _redemption(row: Any) -> Redemption:
    return Redemption(**{k: row[k] for k in Redemption.model_fields})


@router.get("/prizes", response_model=list[Prize], summary="The prize catalogue")
async def prizes(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[Prize]:
    where = community_of(principal, community)
    rows = await ctx.pool.fetch(_PRIZE + " WHERE community = $1 ORDER BY cost, code", where)
    return [_prize(r) for r in rows]


@router.post("/prizes", response_model=Prize, status_code=201, summary="Add a prize to the catalogue")
async def create_prize(
    body: PrizeCreate,
    principal: Principal = Depends(require_roles(*STAFF)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Prize:
    try:
        prize_id = await ctx.pool.fetchval(
            """INSERT INTO prizes (community, code, name_zh, name_en, description, cost, stock, active_from, active_until)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id""",
            principal.community,
            body.code,
            body.name_zh,
            body.name_en,
            {"zh-CN": body.description_zh, "en": body.description_en},
            body.cost,
            body.stock,
            body.active_from,
            body.active_until,
        )
    except asyncpg.UniqueViolationError as exc:
        raise AlreadyExists(f"A prize with code {body.code!r} exists.") from exc
    row = await ctx.pool.fetchrow(_PRIZE + " WHERE id = $1", prize_id)
    return _prize(row)


@router.post("/prizes/{prize_id}/stock", response_model=Prize, summary="Restock (or write off) a prize")
async def restock(
    prize_id: uuid.UUID,
    body: StockChange,
    principal: Principal = Depends(require_roles(*STAFF)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Prize:
    try:
        row = await ctx.pool.fetchrow(
            "UPDATE prizes SET stock = stock + $3 WHERE id = $1 AND community = $2 RETURNING id",
            prize_id,
            principal.community,
            body.add,
        )
    except asyncpg.CheckViolationError as exc:
        raise OutOfStock("Stock cannot go below zero.") from exc
    if row is None:
        raise NotFoundError("There is no such prize.")
    return _prize(await ctx.pool.fetchrow(_PRIZE + " WHERE id = $1", prize_id))


@router.post("/redemptions", response_model=Redemption, status_code=201, summary="Redeem: reserve points and stock")
async def redeem(
    body: RedeemRequest,
    response: FastAPIResponse,
    idempotency_key: str | None = Header(default=None, min_length=8, max_length=100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Redemption:
    """Send an `Idempotency-Key` header to make a retry safe: the same key returns the same redemption (200)."""
    async with ctx.pool.acquire() as conn, conn.transaction():
        row, created = await redemptions.reserve(
            conn, principal.community, principal.sub, body.prize_id, idempotency_key
        )
    if not created:
        response.status_code = 200
    return _redemption(row)


@router.get("/redemptions", response_model=Page[Redemption], summary="Redemptions (mine; staff see all)")
async def list_redemptions(
    person_id: str | None = Query(default=None, max_length=100),
    status: str | None = Query(default=None, pattern="^(reserved|fulfilled|cancelled)$"),
    pickup_code: str | None = Query(default=None, pattern=r"^\d{6}$"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[Redemption]:
    if not principal.has(*STAFF):
        if person_id not in (None, principal.sub) or pickup_code is not None:
            raise Forbidden("Only the committees look up other people's redemptions.")
        person_id = principal.sub
    after = decode_cursor(cursor, 2)
    rows = await ctx.pool.fetch(
        """SELECT * FROM redemptions WHERE community = $1
             AND ($2::text IS NULL OR person_id = $2) AND ($3::text IS NULL OR status = $3)
             AND ($4::text IS NULL OR pickup_code = $4)
             AND ($5::timestamptz IS NULL OR (reserved_at, id) < ($5, $6::uuid))
           ORDER BY reserved_at DESC, id DESC LIMIT $7""",
        principal.community,
        person_id,
        status,
        pickup_code,
        datetime.fromisoformat(after[0]) if after else None,
        uuid.UUID(after[1]) if after else None,
        limit + 1,
    )
    items = [_redemption(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].reserved_at.isoformat(), items[-1].id) if len(rows) > limit else None
    return Page[Redemption](items=items, next_cursor=next_cursor)


@router.post("/redemptions/{redemption_id}/fulfil", response_model=Redemption, summary="Hand over at the counter")
async def fulfil(
    redemption_id: uuid.UUID,
    principal: Principal = Depends(require_roles(*STAFF)),
    ctx: ServiceContext = Depends(get_ctx),
) -> Redemption:
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await redemptions.fulfil(conn, principal.community, redemption_id, principal.sub)
    return _redemption(row)


@router.post("/redemptions/{redemption_id}/cancel", response_model=Redemption, summary="Cancel and refund")
async def cancel(
    redemption_id: uuid.UUID,
    body: CancelRequest | None = None,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Redemption:
    async with ctx.pool.acquire() as conn, conn.transaction():
        owner = await conn.fetchval(
            "SELECT person_id FROM redemptions WHERE id = $1 AND community = $2", redemption_id, principal.community
        )
        if owner is None:
            raise NotFoundError("There is no such redemption.")
        if owner != principal.sub and not principal.has(*STAFF):
            raise Forbidden("Only the holder or the committees may cancel a redemption.")
        row = await redemptions.cancel(
            conn, principal.community, redemption_id, principal.sub, body.reason if body else None
        )
    return _redemption(row)
