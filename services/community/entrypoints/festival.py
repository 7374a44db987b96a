"""Routes of the neighbourhood festival (邻里节): the year's festival, proposals, support, adoption, sign-ups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.responses import Response

from contracts.enums import Role
from services.community.adapters import festival_queries as queries
from services.community.domain.festival import ActivityNotFound, ActivityStatus, FestivalNotFound
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import festival as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles

router = APIRouter(tags=["festival"])
committee = require_roles(Role.COMMITTEE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FestivalIn(Strict):
    year: int = Field(ge=2000, le=2200)
    edition: int | None = Field(default=None, ge=1, le=1000, description="13 for the 13th festival (2020).")
    theme: str = Field(default="", max_length=200)
    proposals_close_at: AwareDatetime


class ProposalIn(Strict):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class ScheduleIn(Strict):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=1, le=100_000)


class FestivalOut(BaseModel):
    id: uuid.UUID
    year: int
    edition: int | None
    theme: str
    proposals_close_at: datetime
    opened_at: datetime


class ActivityOut(BaseModel):
    id: uuid.UUID
    festival_id: uuid.UUID
    festival_year: int
    festival_edition: int | None
    title: str
    description: str
    proposed_by: str
    proposed_at: datetime
    status: ActivityStatus
    support_count: int
    supported: bool = Field(description="Whether the caller supports it.")
    adopted_at: datetime | None
    starts_at: datetime | None
    ends_at: datetime | None
    location: str | None
    capacity: int | None
    signed_up: int
    signed_up_me: bool = Field(description="Whether the caller has signed up.")


class SignupOut(BaseModel):
    person_id: str
    name: str
    building_group: int | None
    signed_up_at: datetime


def _festival(row: Any) -> FestivalOut:
    return FestivalOut(**{k: row[k] for k in FestivalOut.model_fields})


async def _activity(
    uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID, *, own_community: bool = False
) -> ActivityOut:
    """The activity as the caller reads it: their community's, or any for the district; only their own
    community's when `own_community` (what a committee alone reads, such as who signed up)."""
    async with uow.read() as conn:
        row = await queries.activity(conn, activity_id, principal.sub)
    readable = row is not None and (
        row["community"] == principal.community if own_community else principal.can_read(row["community"])
    )
    if row is None or not readable:
        raise ActivityNotFound(activity_id)
    return ActivityOut(**{k: row[k] for k in ActivityOut.model_fields})


@router.post("/festivals", response_model=FestivalOut, status_code=201, summary="Open the year's festival (committee)")
async def open_festival(
    body: FestivalIn, principal: Principal = Depends(committee), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> FestivalOut:
    festival = await commands.open_festival(
        uow, principal, commands.NewFestival(body.year, body.edition, body.theme, body.proposals_close_at)
    )
    async with uow.read() as conn:
        return _festival(await queries.festival(conn, festival.id))


@router.get("/festivals", response_model=list[FestivalOut], summary="The community's festivals, newest first")
async def list_festivals(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> list[FestivalOut]:
    async with uow.read() as conn:
        return [_festival(r) for r in await queries.festivals(conn, principal.readable(community))]


@router.get("/festivals/{year}", response_model=FestivalOut, summary="The festival of a year")
async def festival_of_year(
    year: int = Path(ge=2000, le=2200),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> FestivalOut:
    async with uow.read() as conn:
        row = await queries.festival_by_year(conn, principal.readable(community), year)
    if row is None:
        raise FestivalNotFound(year)
    return _festival(row)


@router.post(
    "/festivals/{festival_id}/proposals",
    response_model=ActivityOut,
    status_code=201,
    summary="Propose an activity (anyone of the community, while proposals are open)",
)
async def propose(
    festival_id: uuid.UUID,
    body: ProposalIn,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    activity_id = await commands.propose(uow, principal, festival_id, title=body.title, description=body.description)
    return await _activity(uow, principal, activity_id)


@router.get(
    "/festivals/{festival_id}/proposals",
    response_model=list[ActivityOut],
    summary="The festival's proposals and activities with their support, most supported first",
)
async def proposals(
    festival_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> list[ActivityOut]:
    async with uow.read() as conn:
        festival = await queries.festival(conn, festival_id)
        if festival is None or not principal.can_read(festival["community"]):
            raise FestivalNotFound(festival_id)
        rows = await queries.activities(conn, festival_id, principal.sub)
    return [ActivityOut(**{k: r[k] for k in ActivityOut.model_fields}) for r in rows]


@router.post(
    "/proposals/{activity_id}/support",
    response_model=ActivityOut,
    summary="Support a proposal (once per person: a second changes nothing)",
)
async def support(
    activity_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    await commands.support(uow, principal, activity_id)
    return await _activity(uow, principal, activity_id)


@router.post(
    "/proposals/{activity_id}/adopt", response_model=ActivityOut, summary="Adopt a proposal as an activity (committee)"
)
async def adopt(
    activity_id: uuid.UUID,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    await commands.adopt(uow, principal, activity_id)
    return await _activity(uow, principal, activity_id)


@router.get("/activities/{activity_id}", response_model=ActivityOut, summary="One proposal or activity")
async def get_activity(
    activity_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    return await _activity(uow, principal, activity_id)


@router.post(
    "/activities/{activity_id}/schedule",
    response_model=ActivityOut,
    summary="Give an adopted activity its time, place and capacity (committee)",
)
async def schedule(
    activity_id: uuid.UUID,
    body: ScheduleIn,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    await commands.schedule(
        uow,
        principal,
        activity_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location,
        capacity=body.capacity,
    )
    return await _activity(uow, principal, activity_id)


@router.post(
    "/activities/{activity_id}/signups",
    response_model=ActivityOut,
    status_code=201,
    summary="Sign up for a scheduled activity (once per person, within capacity)",
    responses={200: {"model": ActivityOut, "description": "Already signed up: nothing changed"}},
)
async def sign_up(
    activity_id: uuid.UUID,
    response: Response,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> ActivityOut:
    if not await commands.sign_up(uow, principal, activity_id):
        response.status_code = 200
    return await _activity(uow, principal, activity_id)


@router.delete("/activities/{activity_id}/signups/me", status_code=204, summary="Cancel one's own sign-up")
async def cancel_sign_up(
    activity_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    await commands.cancel_sign_up(uow, principal, activity_id)
    return Response(status_code=204)


@router.get(
    "/activities/{activity_id}/signups",
    response_model=list[SignupOut],
    summary="Who signed up (committee: names are not for everyone)",
)
async def signups(
    activity_id: uuid.UUID,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> list[SignupOut]:
    await _activity(uow, principal, activity_id, own_community=True)
    async with uow.read() as conn:
        rows = await queries.signups(conn, activity_id)
    return [SignupOut(**{k: r[k] for k in SignupOut.model_fields}) for r in rows]
