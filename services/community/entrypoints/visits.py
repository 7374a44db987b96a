"""Routes of care visits (走访慰问): the year's candidates, planning and recording visits (committees)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.community.adapters import visits as queries
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import visits as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, require_roles

router = APIRouter(tags=["care visits"])
committee = require_roles(Role.COMMITTEE)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisitIn(_In):
    volunteer_id: str = Field(min_length=1, max_length=100)
    planned_for: date
    visitors: list[str] = Field(min_length=1, max_length=20, description="Person ids of who will visit.")


class RecordIn(_In):
    visited_at: AwareDatetime
    visitors: list[str] = Field(min_length=1, max_length=20)
    note: str = Field(min_length=1, max_length=2000)


class CandidateOut(BaseModel):
    person_id: str
    points: int = Field(description="Points the love bank credited them this year.")
    hours: float = Field(description="Confirmed hours of service this year.")
    visit_id: uuid.UUID | None = Field(description="The visit planned for them this year, if any.")
    visit_status: str | None


class VisitOut(BaseModel):
    id: uuid.UUID
    year: int
    volunteer_id: str
    status: str
    planned_for: date
    visitors: list[str]
    points: int
    hours: float
    planned_by: str
    planned_at: datetime
    visited_at: datetime | None
    visited_with: list[str] | None
    note: str | None


async def _fresh(uow: CommunityUnitOfWork, visit_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_visit(conn, visit_id)
    assert row is not None
    return row


@router.get(
    "/care-visits/candidates", response_model=list[CandidateOut], summary="The year's backbone volunteers, ranked"
)
async def candidates(
    year: int = Query(ge=2000, le=2200),
    limit: int = Query(default=30, ge=1, le=200),
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> list[dict[str, Any]]:
    async with uow.read() as conn:
        return await queries.candidates(conn, principal.community, year, limit)


@router.get("/care-visits", response_model=list[VisitOut], summary="The year's care visits")
async def visits_of_year(
    year: int = Query(ge=2000, le=2200),
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> list[dict[str, Any]]:
    async with uow.read() as conn:
        return await queries.visits_of_year(conn, principal.community, year)


@router.post("/care-visits", response_model=VisitOut, status_code=201, summary="Plan a visit (the volunteer is told)")
async def plan(
    body: VisitIn, principal: Principal = Depends(committee), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> dict[str, Any]:
    visit = await commands.plan(
        uow,
        community=principal.community,
        actor=principal.sub,
        volunteer_id=body.volunteer_id,
        planned_for=body.planned_for,
        visitors=body.visitors,
    )
    return await _fresh(uow, visit.id)


@router.post("/care-visits/{visit_id}/record", response_model=VisitOut, summary="Record the visit that took place")
async def record(
    visit_id: uuid.UUID,
    body: RecordIn,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.record(
        uow,
        visit_id=visit_id,
        community=principal.community,
        visited_at=body.visited_at,
        visitors=body.visitors,
        note=body.note,
    )
    return await _fresh(uow, visit_id)
