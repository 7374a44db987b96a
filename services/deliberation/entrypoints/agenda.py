"""HTTP: agenda items, motions, votes and decisions (thin: the service layer decides and locks)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query, Response

from services.deliberation.adapters import queries
from services.deliberation.adapters.rows import Row
from services.deliberation.entrypoints.deps import get_uow
from services.deliberation.entrypoints.schemas import (
    AddItem,
    AgendaItem,
    CastVote,
    CloseMotion,
    Decision,
    Motion,
    ProposeMotion,
    Results,
)
from services.deliberation.service_layer import agenda, motions
from services.deliberation.service_layer.access import (
    council_seen,
    decision_seen,
    item_seen,
    motion_seen,
    session_seen,
)
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["agenda"])


@router.get("/sessions/{session_id}/agenda-items", response_model=list[AgendaItem])
async def list_items(
    session_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> list[AgendaItem]:
    async with uow.read() as conn:
        session_seen(await queries.session(conn, session_id), session_id, principal)
        rows = await queries.agenda_items(conn, session_id)
    return [AgendaItem.of(r) for r in rows]


@router.post("/sessions/{session_id}/agenda-items", status_code=201, response_model=AgendaItem)
async def add_item(
    session_id: uuid.UUID,
    body: AddItem,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> AgendaItem:
    return AgendaItem.of(await agenda.add_item(uow, session_id, principal, body.title, body.description))


@router.get("/agenda-items/waiting", response_model=list[AgendaItem], summary="Items waiting for a session")
async def waiting_items(
    principal: Principal = Depends(current_principal), uow: DeliberationUnitOfWork = Depends(get_uow)
) -> list[AgendaItem]:
    async with uow.read() as conn:
        rows = await queries.waiting_items(conn, principal.community)
    return [AgendaItem.of(r) for r in rows]


@router.get("/agenda-items/{item_id}", response_model=AgendaItem)
async def get_item(
    item_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> AgendaItem:
    async with uow.read() as conn:
        return AgendaItem.of(item_seen(await queries.agenda_item(conn, item_id), item_id, principal))


@router.post("/agenda-items/{item_id}/defer", response_model=AgendaItem, summary="Defer to the next session")
async def defer_item(
    item_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> AgendaItem:
    return AgendaItem.of(await agenda.defer_item(uow, item_id, principal))


async def _motion(conn: Connection, row: Row, principal: Principal) -> Motion:
    counts = await queries.vote_counts(conn, row["id"], principal.sub)
    closed = row["status"] in ("adopted", "rejected")
    return Motion(
        **{k: row[k] for k in ("id", "agenda_item_id", "session_id", "council_id", "title", "text", "proposed_by")},
        **{k: row[k] for k in ("status", "created_at", "closed_at")},
        votes_cast=counts["cast"],
        my_vote=counts["mine"],
        # Results stay hidden while the vote runs, so nobody votes with the herd.
        results=Results(votes_for=counts["f"], votes_against=counts["a"], votes_abstain=counts["n"])
        if closed
        else None,
    )


@router.post("/agenda-items/{item_id}/motions", status_code=201, response_model=Motion)
async def propose_motion(
    item_id: uuid.UUID,
    body: ProposeMotion,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Motion:
    row = await motions.propose_motion(uow, item_id, principal, body.title, body.text)
    async with uow.read() as conn:
        return await _motion(conn, row, principal)


@router.get("/sessions/{session_id}/motions", response_model=list[Motion])
async def list_motions(
    session_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> list[Motion]:
    async with uow.read() as conn:
        session_seen(await queries.session(conn, session_id), session_id, principal)
        return [await _motion(conn, r, principal) for r in await queries.motions(conn, session_id)]


@router.get("/motions/{motion_id}", response_model=Motion)
async def get_motion(
    motion_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Motion:
    async with uow.read() as conn:
        row = motion_seen(await queries.motion(conn, motion_id), motion_id, principal)
        return await _motion(conn, row, principal)


@router.put(
    "/motions/{motion_id}/vote", status_code=204, summary="Vote for, against or abstain; changeable until close"
)
async def vote(
    motion_id: uuid.UUID,
    body: CastVote,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Response:
    await motions.cast_vote(uow, motion_id, principal, body.choice)
    return Response(status_code=204)


@router.post("/motions/{motion_id}/close", response_model=Decision, summary="Close the vote (officers)")
async def close_motion(
    motion_id: uuid.UUID,
    body: CloseMotion,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Decision:
    return Decision.of(await motions.close_motion(uow, motion_id, principal, motions.Outcome(**body.model_dump())))


@router.get("/councils/{council_id}/decisions", response_model=Page[Decision], summary="Decisions, newest first")
async def list_decisions(
    council_id: uuid.UUID,
    session: uuid.UUID | None = Query(default=None, description="Only the decisions of this session"),
    forwarded: bool | None = Query(default=None, description="Only those forwarded to the committees as suggestions"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Page[Decision]:
    before = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        council_seen(await queries.council(conn, council_id), council_id, principal)
        rows = await queries.decisions(
            conn,
            council_id,
            before=(before[0], before[1]) if before else None,
            limit=limit + 1,
            session_id=session,
            forwarded=forwarded,
        )
    page, next_cursor = keyset_page(rows, limit, "decided_at", "id")
    return Page[Decision](items=[Decision.of(r) for r in page], next_cursor=next_cursor)


@router.get("/decisions/{decision_id}", response_model=Decision)
async def get_decision(
    decision_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Decision:
    async with uow.read() as conn:
        row = decision_seen(await queries.decision(conn, decision_id), decision_id, principal)
    return Decision.of(row)
