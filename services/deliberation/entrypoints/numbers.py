"""HTTP: the councils' cases settled in a month or a year (the figure the community reports each year)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from contracts.enums import CouncilKind, Role
from services.deliberation.adapters import queries
from services.deliberation.entrypoints.deps import get_uow
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.auth import Principal, require_roles

router = APIRouter(tags=["councils"])
readers = require_roles(Role.COMMITTEE, Role.COUNCIL_MEMBER, Role.ADMIN, Role.DISTRICT)


class CouncilCases(BaseModel):
    council_id: uuid.UUID
    kind: CouncilKind
    kind_labels: dict[str, str]
    name: str
    cases_settled: int


class CasesSettled(BaseModel):
    community: str
    year: int
    month: int | None = Field(description="None: the whole year")
    time_zone: str
    cases_settled: int = Field(description="Decisions the community's councils adopted in the period")
    by_council: list[CouncilCases]


@router.get("/numbers", response_model=CasesSettled, summary="Cases the councils settled in a month or a year")
async def numbers(
    year: int = Query(ge=2000, le=2100),
    month: int | None = Query(default=None, ge=1, le=12, description="Omit for the whole year"),
    community: str | None = Query(default=None, max_length=40, description="District role only"),
    principal: Principal = Depends(readers),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> CasesSettled:
    target = principal.readable(community)
    async with uow.read() as conn:
        rows = await queries.cases_settled(conn, target, uow.zone.key, year, month)
    councils = [
        CouncilCases(
            council_id=r["council_id"],
            kind=r["kind"],
            kind_labels=CouncilKind(r["kind"]).labels(),
            name=r["name"],
            cases_settled=r["cases_settled"],
        )
        for r in rows
    ]
    return CasesSettled(
        community=target,
        year=year,
        month=month,
        time_zone=uow.zone.key,
        cases_settled=sum(c.cases_settled for c in councils),
        by_council=councils,
    )
