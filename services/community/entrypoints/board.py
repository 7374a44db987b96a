"""Routes of the 亮身份 做表率 board: my consent, the public board (JSON, no token), its A4 print.

Every answer is read from the consents as they are now and marked `Cache-Control: no-store`, so a
withdrawn consent is gone from the next answer and from no cache later."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import PostType, Role
from services.community.adapters import board_pdf
from services.community.adapters import publicity_queries as queries
from services.community.domain.board import ROLE_LABELS, BoardEntry, BoardRole, NotOnTheBoard, phone_as_seen
from services.community.entrypoints.deps import get_community_uow, optional_principal
from services.community.service_layer import board as commands
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.errors import InvalidInput

router = APIRouter(tags=["publicity"])
NO_STORE = {"Cache-Control": "no-store"}


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None, max_length=100, description="As the board shows it; the token's name if absent."
    )
    photo_url: str = Field(max_length=1000)
    role: BoardRole
    post_type: PostType
    phone: str = Field(max_length=30)
    building_group: int | None = Field(default=None, ge=1, le=6, description="The token's building group if absent.")


class BoardPerson(BaseModel):
    person_id: str
    name: str
    photo_url: str
    role: BoardRole
    role_label: dict[str, str]
    post_type: PostType
    post_label: dict[str, str]
    phone: str
    building_group: int


class MyConsent(BoardPerson):
    consented_at: datetime


class Board(BaseModel):
    community: str
    building_group: int | None
    people: list[BoardPerson]


def _person(row: dict[str, Any]) -> dict[str, Any]:
    zh, en = ROLE_LABELS[row["role"]]
    return {**row, "role_label": {"zh-CN": zh, "en": en}, "post_label": PostType(row["post_type"]).labels()}


@router.put("/board/me", response_model=MyConsent, summary="Consent to be on the board, with what it shows")
async def consent(
    body: ConsentIn,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    group = body.building_group or principal.building_group
    if group is None:
        raise InvalidInput("Which building group's board? / 请指明片区。", field="building_group")
    entry = BoardEntry(
        person_id=principal.sub,
        community=principal.community,
        name=(body.name or principal.name).strip(),
        photo_url=body.photo_url,
        role=body.role,
        post_type=body.post_type,
        phone=body.phone.strip(),
        building_group=group,
    )
    row = await commands.consent(uow, entry)
    return Response(
        MyConsent.model_validate(_person(row)).model_dump_json(), media_type="application/json", headers=NO_STORE
    )


@router.get("/board/me", response_model=MyConsent, summary="My consent as recorded")
async def my_consent(
    principal: Principal = Depends(current_principal), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> Response:
    async with uow.read() as conn:
        row = await queries.my_entry(conn, principal.community, principal.sub)
    if row is None:
        raise NotOnTheBoard(principal.sub)
    return Response(
        MyConsent.model_validate(_person(row)).model_dump_json(), media_type="application/json", headers=NO_STORE
    )


@router.delete("/board/me", status_code=204, summary="Withdraw my consent: I am off the board at once")
async def withdraw(
    principal: Principal = Depends(current_principal), uow: CommunityUnitOfWork = Depends(get_community_uow)
) -> Response:
    await commands.withdraw(uow, principal.community, principal.sub)
    return Response(status_code=204, headers=NO_STORE)


@router.get("/board/consents", response_model=list[MyConsent], summary="Who consented, and when (committees)")
async def consents(
    principal: Principal = Depends(require_roles(Role.COMMITTEE)),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    async with uow.read() as conn:
        rows = await queries.consents(conn, principal.community)
    body = b"[" + b",".join(MyConsent.model_validate(_person(r)).model_dump_json().encode() for r in rows) + b"]"
    return Response(body, media_type="application/json", headers=NO_STORE)


def _as_seen(rows: list[dict[str, Any]], community: str, reader: Principal | None) -> list[dict[str, Any]]:
    seen_from = reader.community if reader else None
    return [{**r, "phone": phone_as_seen(r["phone"], community, seen_from)} for r in rows]


@router.get(
    "/board",
    response_model=Board,
    summary="The public board: consenting people only (no token needed; phones whole for the community's own)",
)
async def board(
    building_group: int | None = Query(default=None, ge=1, le=6),
    community: str | None = Query(default=None, max_length=40, pattern=r"^[a-z0-9-]+$"),
    reader: Principal | None = Depends(optional_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    community = community or uow.settings.community_board_community
    async with uow.read() as conn:
        rows = _as_seen(await queries.board(conn, community, building_group), community, reader)
    answer = Board(
        community=community,
        building_group=building_group,
        people=[BoardPerson.model_validate(_person(r)) for r in rows],
    )
    return Response(answer.model_dump_json(), media_type="application/json", headers=NO_STORE)


@router.get(
    "/board/print",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="A building group's board as an A4 page for the notice board (PDF)",
)
async def print_board(
    building_group: int = Query(ge=1, le=6),
    community: str | None = Query(default=None, max_length=40, pattern=r"^[a-z0-9-]+$"),
    reader: Principal | None = Depends(optional_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Response:
    community = community or uow.settings.community_board_community
    async with uow.read() as conn:
        rows = _as_seen(await queries.board(conn, community, building_group), community, reader)
    page = board_pdf.BoardPage(
        community_name=uow.settings.community_name(community),
        building_group=building_group,
        people=[board_pdf.person_of(r) for r in rows],
        printed_on=uow.local_now().date(),
    )
    pdf = await asyncio.to_thread(board_pdf.render, page)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**NO_STORE, "Content-Disposition": f'inline; filename="board-{community}-{building_group}.pdf"'},
    )
