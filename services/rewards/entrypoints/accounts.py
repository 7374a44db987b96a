"""Accounts, statements with running balance, award explanations, manual corrections, the ledger audit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page
from services.rewards.adapters import queries
from services.rewards.domain.errors import NotFoundError
from services.rewards.domain.honours import current_star_hours, next_star_hours, star_level
from services.rewards.entrypoints.access import community_of, may_see_person
from services.rewards.entrypoints.deps import get_uow
from services.rewards.service_layer import adjustments
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

router = APIRouter(tags=["accounts"])


class Account(BaseModel):
    person_id: str
    community: str
    volunteer_no: str | None
    building_group: int | None
    balance: int = Field(description="Points available to spend.")
    reserved: int = Field(description="Points held by redemptions waiting at the counter.")
    earned: int = Field(description="Points ever awarded (before corrections).")
    confirmed_hours: float
    star_level: int
    current_star_hours: int = Field(
        default=0, description="Confirmed hours at which the star level held began (0 below one star)."
    )
    next_star_hours: int | None = Field(
        description="Confirmed hours at which the next star level is reached (none at 5)."
    )
    no_shows: int
    opened_at: datetime | None


class StatementLine(BaseModel):
    posting_id: int
    transaction_id: uuid.UUID
    kind: str
    amount: int
    balance_after: int = Field(description="The running balance of the account after this line.")
    memo: dict[str, str]
    reason: str | None
    actor_id: str | None
    redemption_id: uuid.UUID | None
    at: datetime


class Award(BaseModel):
    id: uuid.UUID
    person_id: str
    rule_id: str
    rule_version: int
    cap_version: int | None
    source_event_id: uuid.UUID
    source_event_type: str
    computed_points: int
    points: int
    capped_points: int
    hours: float
    night_hours: float
    service_day: date
    explanation: dict[str, str]
    transaction_id: uuid.UUID | None
    awarded_at: datetime


class AdjustmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: int = Field(ge=-100_000, le=100_000, description="Positive adds, negative takes away; never zero.")
    reason: str = Field(min_length=3, max_length=2000)


class Posted(BaseModel):
    transaction_id: uuid.UUID
    balance_after: int | None


@router.get("/accounts/me", response_model=Account, summary="My love-bank account")
async def my_account(
    principal: Principal = Depends(current_principal), uow: RewardsUnitOfWork = Depends(get_uow)
) -> Account:
    return await _account(uow, principal.community, principal.sub)


@router.get("/accounts/{person_id}", response_model=Account, summary="A person's account")
async def account(
    person_id: str,
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Account:
    where = community_of(principal, community)
    may_see_person(principal, where, person_id)
    return await _account(uow, where, person_id)


async def _account(uow: RewardsUnitOfWork, community: str, person_id: str) -> Account:
    async with uow.read() as conn:
        row = await queries.person_account(conn, community, person_id)
        hours = await queries.confirmed_hours(conn, community, person_id)
        totals = await queries.account_totals(conn, community, person_id)
    return Account(
        person_id=person_id,
        community=community,
        volunteer_no=row["volunteer_no"] if row else None,
        building_group=row["building_group"] if row else None,
        balance=row["balance"] if row else 0,
        reserved=totals["reserved"],
        earned=totals["earned"],
        confirmed_hours=float(hours),
        star_level=star_level(hours),
        current_star_hours=current_star_hours(hours),
        next_star_hours=next_star_hours(hours),
        no_shows=totals["no_shows"],
        opened_at=row["opened_at"] if row else None,
    )


@router.get("/accounts/{person_id}/statement", response_model=Page[StatementLine], summary="Statement, newest first")
async def statement(
    person_id: str,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Page[StatementLine]:
    where = community_of(principal, community)
    may_see_person(principal, where, person_id)
    after = decode_keyset(cursor, int)
    async with uow.read() as conn:
        row = await queries.person_account(conn, where, person_id)
        if row is None:
            return Page[StatementLine](items=[])
        rows: list[Any] = await queries.statement(conn, row["id"], after, limit)
    page, next_cursor = keyset_page(rows, limit, "posting_id")
    return Page[StatementLine](items=[StatementLine(**dict(r)) for r in page], next_cursor=next_cursor)


@router.get("/accounts/{person_id}/awards", response_model=Page[Award], summary="Awards with their explanations")
async def awards_of(
    person_id: str,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Page[Award]:
    where = community_of(principal, community)
    may_see_person(principal, where, person_id)
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        rows: list[Any] = await queries.awards_of(conn, where, person_id, after, limit)
    page, next_cursor = keyset_page(rows, limit, "awarded_at", "id")
    return Page[Award](items=[Award(**dict(r)) for r in page], next_cursor=next_cursor)


@router.get("/awards/{award_id}", response_model=Award, summary="One award and why it was given")
async def award(
    award_id: uuid.UUID, principal: Principal = Depends(current_principal), uow: RewardsUnitOfWork = Depends(get_uow)
) -> Award:
    async with uow.read() as conn:
        row = await queries.award(conn, award_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFoundError("There is no such award.")
    may_see_person(principal, row["community"], row["person_id"])
    return Award(**dict(row))


@router.post("/accounts/{person_id}/adjustments", response_model=Posted, status_code=201, summary="Manual adjustment")
async def adjust(
    person_id: str,
    body: AdjustmentRequest,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> Posted:
    tx, balance = await adjustments.adjust(
        uow, principal.community, person_id, body.points, reason=body.reason, by=principal
    )
    return Posted(transaction_id=tx, balance_after=balance)
