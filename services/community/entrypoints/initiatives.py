"""Routes of initiatives (倡议书): the committees launch, residents sign on once, everyone sees the counts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.community.adapters import publicity_queries as queries
from services.community.domain.initiatives import InitiativeNotFound
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import initiatives as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles

router = APIRouter(tags=["publicity"])


class InitiativeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20_000)
    closes_at: datetime | None = None


class InitiativeOut(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    closes_at: datetime | None
    launched_by: str
    launched_at: datetime
    open: bool
    signatures: int
    by_building_group: dict[str, int] = Field(description="Sign-ons per building group 1-6.")
    without_building_group: int
    signed: bool = Field(description="Whether I signed on.")
    my_signed_at: datetime | None


class SignatureOut(BaseModel):
    initiative_id: uuid.UUID
    person_id: str
    building_group: int | None
    signed_at: datetime


async def _one(uow: CommunityUnitOfWork, principal: Principal, initiative_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.initiative(conn, initiative_id, principal.community, principal.sub, uow.now())
    if row is None:
        raise InitiativeNotFound(initiative_id)
    return row


@router.post("/initiatives", status_code=201, response_model=InitiativeOut, summary="Launch an initiative")
async def launch(
    body: InitiativeIn,
    response: Response,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> InitiativeOut:
    initiative = await commands.launch(uow, principal, title=body.title, body=body.body, closes_at=body.closes_at)
    response.headers["Location"] = f"/initiatives/{initiative.id}"
    return InitiativeOut.model_validate(await _one(uow, principal, initiative.id))


@router.get("/initiatives", response_model=list[InitiativeOut], summary="Initiatives, newest first")
async def list_initiatives(
    principal: Principal = Depends(current_principal), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> list[InitiativeOut]:
    async with uow.read() as conn:
        rows = await queries.initiatives(conn, principal.community, principal.sub, uow.now())
    return [InitiativeOut.model_validate(r) for r in rows]


@router.get("/initiatives/{initiative_id}", response_model=InitiativeOut, summary="One initiative with its counts")
async def get_initiative(
    initiative_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> InitiativeOut:
    return InitiativeOut.model_validate(await _one(uow, principal, initiative_id))


@router.post(
    "/initiatives/{initiative_id}/signatures",
    status_code=201,
    response_model=SignatureOut,
    summary="Sign on to an initiative (residents; once: again answers 200 with the first sign-on)",
    responses={200: {"model": SignatureOut, "description": "Signed already: the first sign-on, nothing changed"}},
)
async def sign(
    initiative_id: uuid.UUID,
    response: Response,
    principal: Principal = Depends(require_roles(Role.RESIDENT)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SignatureOut:
    row, new = await commands.sign(uow, principal, initiative_id)
    if not new:
        response.status_code = 200
    return SignatureOut.model_validate(row)
