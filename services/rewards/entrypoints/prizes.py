"""The prize catalogue and redemptions: reserve, fulfil at the counter, cancel."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi import Response as FastAPIResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page
from services.rewards.adapters import queries
from services.rewards.domain.errors import NotAllowed
from services.rewards.entrypoints.access import STAFF, community_of
from services.rewards.entrypoints.deps import get_uow
from services.rewards.service_layer import redemptions
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

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
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[Prize]:
    where = community_of(principal, community)
    async with uow.read() as conn:
        rows = await queries.prizes(conn, where)
    return [_prize(r) for r in rows]


@router.post("/prizes", response_model=Prize, status_code=201, summary="Add a prize to the catalogue")
async def create_prize(
    body: PrizeCreate,
    principal: Principal = Depends(require_roles(*STAFF)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Prize:
    values = body.model_dump(exclude={"description_zh", "description_en"})
    values["description"] = {"zh-CN": body.description_zh, "en": body.description_en}
    return _prize(await redemptions.create_prize(uow, principal, values))


@router.post("/prizes/{prize_id}/stock", response_model=Prize, summary="Restock (or write off) a prize")
async def restock(
    prize_id: uuid.UUID,
    body: StockChange,
    principal: Principal = Depends(require_roles(*STAFF)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Prize:
    return _prize(await redemptions.restock(uow, principal, prize_id, body.add))


@router.post(
    "/redemptions",
    response_model=Redemption,
    status_code=201,
    summary="Redeem: reserve points and stock",
    responses={
        200: {"model": Redemption, "description": "The same Idempotency-Key again: its redemption, nothing changed"}
    },
)
async def redeem(
    body: RedeemRequest,
    response: FastAPIResponse,
    idempotency_key: str | None = Header(default=None, min_length=8, max_length=100),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Redemption:
    """Send an `Idempotency-Key` header to make a retry safe: the same key returns the same redemption (200)."""
    row, created = await redemptions.reserve(uow, principal.community, principal.sub, body.prize_id, idempotency_key)
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
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Page[Redemption]:
    if not principal.has(*STAFF):
        if person_id not in (None, principal.sub) or pickup_code is not None:
            raise NotAllowed("Only the committees look up other people's redemptions.")
        person_id = principal.sub
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        rows: list[Any] = await queries.redemptions(
            conn,
            principal.community,
            person_id=person_id,
            status=status,
            pickup_code=pickup_code,
            after=after,
            limit=limit,
        )
    page, next_cursor = keyset_page(rows, limit, "reserved_at", "id")
    return Page[Redemption](items=[_redemption(r) for r in page], next_cursor=next_cursor)


@router.post("/redemptions/{redemption_id}/fulfil", response_model=Redemption, summary="Hand over at the counter")
async def fulfil(
    redemption_id: uuid.UUID,
    principal: Principal = Depends(require_roles(*STAFF)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Redemption:
    return _redemption(await redemptions.fulfil(uow, principal.community, redemption_id, principal))


@router.post("/redemptions/{redemption_id}/cancel", response_model=Redemption, summary="Cancel and refund")
async def cancel(
    redemption_id: uuid.UUID,
    body: CancelRequest | None = None,
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Redemption:
    row = await redemptions.cancel(
        uow,
        principal.community,
        redemption_id,
        principal,
        body.reason if body else None,
        staff=principal.has(*STAFF),
    )
    return _redemption(row)
