"""Routes of micro public-welfare venture projects (微公益创投): apply, revise, decide, link shifts, close."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import PostType, Role
from services.community.adapters import ventures as queries
from services.community.domain.ventures import Plan, VentureNotFound
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import ventures as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["venture projects"])
committee = require_roles(Role.COMMITTEE)
post_leader = require_roles(Role.POST_LEADER)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VentureIn(_In):
    title: str = Field(min_length=1, max_length=200)
    aim: str = Field(min_length=1, max_length=5000)
    post_type: PostType
    budget: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="Yuan.")
    activities_planned: list[str] = Field(min_length=1, max_length=50)

    def plan(self) -> Plan:
        return Plan(self.title, self.aim, self.post_type, self.budget, tuple(self.activities_planned))


class DecisionIn(_In):
    decision: str = Field(pattern="^(approve|return)$")
    reason: str | None = Field(default=None, max_length=2000, description="Needed to return it.")


class ShiftIn(_In):
    shift_id: uuid.UUID


class CloseIn(_In):
    spent: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="Yuan.")
    report: str = Field(min_length=1, max_length=20_000)


class VentureOut(BaseModel):
    id: uuid.UUID
    status: str
    title: str
    aim: str
    post_type: PostType
    budget: Decimal
    activities_planned: list[str]
    lead_id: str
    return_reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    shift_ids: list[uuid.UUID]
    spent: Decimal | None
    report: str | None
    activities_held: int | None = Field(description="Counted from the linked shifts' confirmed participations.")
    participants: int | None
    volunteer_hours: float | None
    created_at: datetime
    closed_at: datetime | None


def _view(row: dict[str, Any]) -> dict[str, Any]:
    hours = row["volunteer_hours"]
    return {**row, "volunteer_hours": float(hours) if hours is not None else None}


async def _fresh(uow: CommunityUnitOfWork, venture_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_venture(conn, venture_id)
    assert row is not None
    return _view(row)


@router.post("/ventures", response_model=VentureOut, status_code=201, summary="A red post's team lead applies")
async def apply(
    body: VentureIn, principal: Principal = Depends(post_leader), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> dict[str, Any]:
    venture = await commands.apply(uow, community=principal.community, lead_id=principal.sub, plan=body.plan())
    return await _fresh(uow, venture.id)


@router.get("/ventures", response_model=Page[VentureOut], summary="The community's venture projects, newest first")
async def list_ventures(
    status: str | None = Query(default=None, pattern="^(submitted|approved|returned|closed)$"),
    community: str | None = Query(default=None, max_length=40),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    where = principal.readable(community)
    async with uow.read() as conn:
        rows = await queries.list_ventures(conn, where, status, decode_keyset(cursor, datetime, uuid.UUID), limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": [_view(r) for r in items], "next_cursor": next_cursor}


@router.get("/ventures/{venture_id}", response_model=VentureOut, summary="One venture project")
async def one(
    venture_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_venture(conn, venture_id)
    if row is None or not principal.can_read(row["community"]):
        raise VentureNotFound(venture_id)
    return _view(row)


@router.put(
    "/ventures/{venture_id}", response_model=VentureOut, summary="The lead revises and resubmits a returned one"
)
async def revise(
    venture_id: uuid.UUID,
    body: VentureIn,
    principal: Principal = Depends(post_leader),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.revise(
        uow, venture_id=venture_id, community=principal.community, actor=principal.sub, plan=body.plan()
    )
    return await _fresh(uow, venture_id)


@router.post(
    "/ventures/{venture_id}/decision", response_model=VentureOut, summary="The committees approve or return it"
)
async def decide(
    venture_id: uuid.UUID,
    body: DecisionIn,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.decide(
        uow,
        venture_id=venture_id,
        by=principal,
        approve=body.decision == "approve",
        reason=body.reason,
    )
    return await _fresh(uow, venture_id)


@router.post("/ventures/{venture_id}/shifts", response_model=VentureOut, summary="The lead links a shift of its post")
async def link_shift(
    venture_id: uuid.UUID,
    body: ShiftIn,
    principal: Principal = Depends(post_leader),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.link_shift(
        uow, venture_id=venture_id, community=principal.community, actor=principal.sub, shift_id=body.shift_id
    )
    return await _fresh(uow, venture_id)


@router.post("/ventures/{venture_id}/close", response_model=VentureOut, summary="The lead files the closing report")
async def close(
    venture_id: uuid.UUID,
    body: CloseIn,
    principal: Principal = Depends(post_leader),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.close(
        uow,
        venture_id=venture_id,
        community=principal.community,
        actor=principal.sub,
        spent=body.spent,
        report=body.report,
    )
    return await _fresh(uow, venture_id)
