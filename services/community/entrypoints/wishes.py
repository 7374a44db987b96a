"""Routes of the micro-wish board (微心愿): the public board, committee entry and approval, claim,
fulfilment and the family's confirmation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.community.adapters import wishes as queries
from services.community.domain.wishes import BOARD_STATUSES, WishNotFound
from services.community.entrypoints.deps import get_community_uow, optional_principal
from services.community.service_layer import wishes as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.errors import InvalidInput, NotPermitted
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["micro-wishes"])
committee = require_roles(Role.COMMITTEE)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WishIn(_In):
    channel: Literal["festival", "visit", "committee"] = Field(description="Where the committee collected it.")
    family_id: str = Field(min_length=1, max_length=100, description="The family's person id (private).")
    title: str = Field(min_length=1, max_length=200, description="The wish as the board shows it.")
    description: str = Field(default="", max_length=2000)
    building_group: int | None = Field(default=None, ge=1, le=6)


class ApproveIn(_In):
    title: str | None = Field(
        default=None, min_length=1, max_length=200, description="Public title; default: the family's."
    )
    description: str | None = Field(default=None, max_length=2000, description="Public description, no identity.")
    building_group: int | None = Field(default=None, ge=1, le=6)


class ClaimIn(_In):
    claimer_kind: Literal["person", "party_member", "unit"] = "person"
    unit_name: str | None = Field(default=None, max_length=200, description="For a unit: its name.")
    contact_id: str | None = Field(default=None, max_length=100, description="For a unit: its contact person's id.")
    contact_name: str | None = Field(default=None, max_length=100, description="For a unit: its contact, as written.")


class FulfilIn(_In):
    note: str = Field(min_length=1, max_length=2000)
    photo_url: str = Field(min_length=1, max_length=500, pattern=r"^https?://\S+$")


class CommitteeWishOut(BaseModel):
    family_id: str
    issue_id: uuid.UUID | None
    private_title: str
    private_description: str
    claimer_id: str | None
    unit_contact: str | None
    approved_by: str | None


class WishOut(BaseModel):
    id: uuid.UUID
    status: str
    channel: str
    title: str
    description: str
    building_group: int | None
    claimer_kind: str | None
    claimer_name: str | None
    created_at: datetime
    approved_at: datetime | None
    claimed_at: datetime | None
    fulfilled_at: datetime | None
    confirmed_at: datetime | None
    fulfil_note: str | None = Field(default=None, description="The claimer, the family and the committees only.")
    photo_url: str | None = Field(default=None, description="The claimer, the family and the committees only.")
    committee: CommitteeWishOut | None = Field(default=None, description="The committees only: who the family is.")


async def _fresh(uow: CommunityUnitOfWork, principal: Principal | None, wish_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_wish(conn, wish_id)
    assert row is not None
    return commands.wish_view(principal, row)


@router.get("/wishes", response_model=Page[WishOut], summary="The micro-wish board (anyone may read it)")
async def board(
    community: str | None = Query(default=None, max_length=40, description="Needed without a token."),
    status: str | None = Query(default=None, description="One status; `candidate` for committees only."),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal | None = Depends(optional_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    if principal is None:
        if community is None:
            raise InvalidInput("Name the community to read its board / 请指定社区.", field="community")
        where = community
    else:
        where = principal.readable(community)
    statuses: list[str] = list(BOARD_STATUSES)
    if status is not None:
        if status == "candidate" and not commands.is_committee(principal, where):
            raise NotPermitted(
                "Candidates are for the committees / 待审核心愿仅两委可见.", required_roles=["committee"]
            )
        if status != "candidate" and status not in BOARD_STATUSES:
            raise InvalidInput(f"There is no wish status {status!r}.", field="status")
        statuses = [status]
    async with uow.read() as conn:
        rows = await queries.list_wishes(conn, where, statuses, decode_keyset(cursor, datetime, uuid.UUID), limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": [commands.wish_view(principal, r) for r in items], "next_cursor": next_cursor}


@router.get("/wishes/{wish_id}", response_model=WishOut, summary="One micro-wish as the caller may see it")
async def one(
    wish_id: uuid.UUID,
    community: str | None = Query(default=None, max_length=40),
    principal: Principal | None = Depends(optional_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_wish(conn, wish_id)
    where = community if principal is None else principal.readable(community or (row or {}).get("community"))
    if row is None or row["community"] != where:
        raise WishNotFound(wish_id)
    if row["status"] == "candidate" and not commands.is_committee(principal, row["community"]):
        raise WishNotFound(wish_id)
    return commands.wish_view(principal, row)


@router.post("/wishes", response_model=WishOut, status_code=201, summary="A committee enters a wish it collected")
async def enter(
    body: WishIn, principal: Principal = Depends(committee), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> dict[str, Any]:
    wish = await commands.enter(
        uow,
        by=principal,
        channel=body.channel,
        family_id=body.family_id,
        title=body.title,
        description=body.description,
        building_group=body.building_group,
    )
    return await _fresh(uow, principal, wish.id)


@router.post("/wishes/{wish_id}/approve", response_model=WishOut, summary="Put a candidate on the board")
async def approve(
    wish_id: uuid.UUID,
    body: ApproveIn | None = None,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    body = body or ApproveIn()
    await commands.approve(
        uow,
        wish_id=wish_id,
        by=principal,
        title=body.title,
        description=body.description,
        building_group=body.building_group,
    )
    return await _fresh(uow, principal, wish_id)


@router.post("/wishes/{wish_id}/claim", response_model=WishOut, summary="Claim a wish (a committee records a unit)")
async def claim(
    wish_id: uuid.UUID,
    body: ClaimIn | None = None,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    body = body or ClaimIn()
    await commands.claim(
        uow,
        wish_id=wish_id,
        principal=principal,
        kind=body.claimer_kind,
        unit_name=body.unit_name,
        contact_id=body.contact_id,
        contact_name=body.contact_name,
    )
    return await _fresh(uow, principal, wish_id)


@router.post(
    "/wishes/{wish_id}/fulfil", response_model=WishOut, summary="The claimer fulfils it, with a note and photo"
)
async def fulfil(
    wish_id: uuid.UUID,
    body: FulfilIn,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.fulfil(uow, wish_id=wish_id, principal=principal, note=body.note, photo_url=body.photo_url)
    return await _fresh(uow, principal, wish_id)


@router.post("/wishes/{wish_id}/confirm", response_model=WishOut, summary="The family confirms it fulfilled")
async def confirm(
    wish_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    await commands.confirm(uow, wish_id=wish_id, principal=principal)
    return await _fresh(uow, principal, wish_id)
