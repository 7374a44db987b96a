"""Routes of announcements (公告) and the building groups' publicity agents (thin: parse, call, answer)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import PostType, Role
from contracts.events.community import Audience
from services.community.adapters import publicity_queries as queries
from services.community.domain.announcements import (
    AGENT_KIND_LABELS,
    Addressing,
    AgentKind,
    Announcement,
    AnnouncementNotFound,
)
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import announcements as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles

router = APIRouter(tags=["publicity"])

PersonPath = Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:@-]+$")


class AnnouncementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10_000)
    audience: Audience = "community"
    building_group: int | None = Field(default=None, ge=1, le=6)
    post_type: PostType | None = None
    pinned: bool = False
    expires_at: datetime | None = None


class AnnouncementOut(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    audience: Audience
    building_group: int | None
    post_type: PostType | None
    pinned: bool
    expires_at: datetime | None
    published_by: str
    agent_group: int | None
    published_at: datetime
    acknowledged: bool = False


class AcknowledgementOut(BaseModel):
    announcement_id: uuid.UUID
    person_id: str
    building_group: int | None
    acknowledged_at: datetime


class AcknowledgementCounts(BaseModel):
    announcement_id: uuid.UUID
    total: int
    by_building_group: dict[str, int] = Field(description="Building groups 1-6, each with its readers' count.")
    without_building_group: int


class AgentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    building_group: int = Field(ge=1, le=6)
    kind: AgentKind
    name: str = Field(min_length=1, max_length=100)


class AgentOut(BaseModel):
    person_id: str
    name: str
    building_group: int
    kind: AgentKind
    kind_label: dict[str, str]
    published: int = Field(default=0, description="Announcements this agent published for their group.")
    not_withdrawn: int = 0
    last_published_at: datetime | None = None


def _out(row: dict[str, Any]) -> AnnouncementOut:
    return AnnouncementOut.model_validate(row)


def _agent_out(row: dict[str, Any]) -> AgentOut:
    zh, en = AGENT_KIND_LABELS[row["kind"]]
    return AgentOut.model_validate({**row, "kind_label": {"zh-CN": zh, "en": en}})


def _announcement_out(a: Announcement) -> AnnouncementOut:
    """The announcement as published (no acknowledgement counts: those are the committees' own call)."""
    return AnnouncementOut(
        id=a.id,
        title=a.title,
        body=a.body,
        audience=a.to.audience,
        building_group=a.to.building_group,
        post_type=a.to.post_type,
        pinned=a.pinned,
        expires_at=a.expires_at,
        published_by=a.published_by,
        agent_group=a.agent_group,
        published_at=a.published_at,
    )


@router.post("/announcements", status_code=201, response_model=AnnouncementOut, summary="Publish an announcement")
async def publish(
    body: AnnouncementIn,
    response: Response,
    principal: Principal = Depends(require_roles(Role.COMMITTEE, Role.PUBLICITY_AGENT)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AnnouncementOut:
    """The committees publish to the whole community, a building group or a red post's volunteers;
    a registered publicity agent only to their own building group."""
    new = commands.NewAnnouncement(
        title=body.title,
        body=body.body,
        to=Addressing(body.audience, body.building_group, body.post_type),
        pinned=body.pinned,
        expires_at=body.expires_at,
    )
    a = await commands.publish(uow, principal, new)
    response.headers["Location"] = f"/announcements/{a.id}"
    return _announcement_out(a)


@router.get("/announcements", response_model=list[AnnouncementOut], summary="Announcements for me, pinned first")
async def list_announcements(
    principal: Principal = Depends(current_principal), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> list[AnnouncementOut]:
    """The whole community's, my building group's and my red posts'; the committees see every live one.
    Expired and withdrawn ones are not shown."""
    async with uow.read() as conn:
        rows = await queries.announcements(
            conn,
            community=principal.community,
            person_id=principal.sub,
            building_group=principal.building_group,
            every=principal.has(Role.COMMITTEE),
            now=uow.now(),
        )
    return [_out(r) for r in rows]


async def _readable(uow: CommunityUnitOfWork, principal: Principal, announcement_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await commands.readable(conn, principal, announcement_id, uow.now())
    if row is None:
        raise AnnouncementNotFound(announcement_id)
    return row


@router.get("/announcements/{announcement_id}", response_model=AnnouncementOut, summary="One announcement")
async def get_announcement(
    announcement_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AnnouncementOut:
    return _out(await _readable(uow, principal, announcement_id))


@router.post(
    "/announcements/{announcement_id}/acknowledgements",
    status_code=201,
    response_model=AcknowledgementOut,
    summary="Acknowledge an announcement I have read (once; again answers 200 with the first)",
    responses={200: {"model": AcknowledgementOut, "description": "Acknowledged already: the first, nothing changed"}},
)
async def acknowledge(
    announcement_id: uuid.UUID,
    response: Response,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AcknowledgementOut:
    row, new = await commands.acknowledge(uow, principal, announcement_id)
    if not new:
        response.status_code = 200
    return AcknowledgementOut.model_validate(row)


@router.get(
    "/announcements/{announcement_id}/acknowledgements",
    response_model=AcknowledgementCounts,
    summary="How many readers acknowledged, per building group (committees)",
)
async def acknowledgement_counts(
    announcement_id: uuid.UUID,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AcknowledgementCounts:
    async with uow.read() as conn:
        if not await queries.announcement_exists(conn, announcement_id, principal.community):
            raise AnnouncementNotFound(announcement_id)
        return AcknowledgementCounts.model_validate(await queries.acknowledgement_counts(conn, announcement_id))


@router.post(
    "/announcements/{announcement_id}/withdrawal",
    response_model=AnnouncementOut,
    summary="Withdraw an announcement (committees, or the agent who published it)",
)
async def withdraw(
    announcement_id: uuid.UUID,
    principal: Principal = Depends(require_roles(Role.COMMITTEE, Role.PUBLICITY_AGENT)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AnnouncementOut:
    a = await commands.withdraw(uow, principal, announcement_id)
    return _announcement_out(a)


@router.get("/publicity-agents", response_model=list[AgentOut], summary="The building groups' publicity agents")
async def list_agents(
    principal: Principal = Depends(current_principal), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> list[AgentOut]:
    """Each with how many announcements they published for their group."""
    async with uow.read() as conn:
        return [_agent_out(r) for r in await queries.agents(conn, principal.community)]


@router.put("/publicity-agents/{person_id}", response_model=AgentOut, summary="Register a publicity agent (committees)")
async def put_agent(
    body: AgentIn,
    person_id: str = PersonPath,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> AgentOut:
    agent = await commands.register_agent(
        uow, principal, person_id, building_group=body.building_group, kind=body.kind, name=body.name
    )
    async with uow.read() as conn:
        rows = {r["person_id"]: r for r in await queries.agents(conn, principal.community)}
    return _agent_out(rows[agent.person_id])


@router.delete("/publicity-agents/{person_id}", status_code=204, summary="Remove a publicity agent (committees)")
async def delete_agent(
    person_id: str = PersonPath,
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    await commands.remove_agent(uow, principal, person_id)
    return Response(status_code=204)
