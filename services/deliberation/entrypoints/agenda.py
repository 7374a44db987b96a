"""HTTP: agenda items, motions, votes and decisions."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from fastapi import APIRouter, Depends, Query, Response

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
from services.deliberation.service_layer.access import council_for, session_for
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest, NotFound

router = APIRouter(tags=["agenda"])


@router.get("/sessions/{session_id}/agenda-items", response_model=list[AgendaItem])
async def list_items(
    session_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[AgendaItem]:
    async with ctx.pool.acquire() as conn:
        await session_for(conn, session_id, principal)
        rows = await conn.fetch(
            "SELECT * FROM agenda_items WHERE session_id = $1 ORDER BY created_at, id LIMIT 500", session_id
        )
    return [AgendaItem.of(r) for r in rows]


@router.post("/sessions/{session_id}/agenda-items", status_code=201, response_model=AgendaItem)
async def add_item(
    session_id: uuid.UUID,
    body: AddItem,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> AgendaItem:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        row = await agenda.add_item(conn, session, principal, body.title, body.description)
    return AgendaItem.of(row)


@router.get("/agenda-items/waiting", response_model=list[AgendaItem], summary="Items waiting for a session")
async def waiting_items(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[AgendaItem]:
    async with ctx.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT * FROM agenda_items WHERE community = $1 AND session_id IS NULL AND status = 'open'"
            " ORDER BY created_at, id LIMIT 500",
            principal.community,
        )
    return [AgendaItem.of(r) for r in rows]


@router.get("/agenda-items/{item_id}", response_model=AgendaItem)
async def get_item(
    item_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> AgendaItem:
    async with ctx.pool.acquire() as conn:
        return AgendaItem.of(await agenda.item_for(conn, item_id, principal))


@router.post("/agenda-items/{item_id}/defer", response_model=AgendaItem, summary="Defer to the next session")
async def defer_item(
    item_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> AgendaItem:
    async with ctx.pool.acquire() as conn, conn.transaction():
        item = await agenda.item_for(conn, item_id, principal, lock=True)
        await agenda.defer_item(conn, item, principal)
        return AgendaItem.of(await agenda.item_for(conn, item_id, principal))


async def _motion(conn: Connection, row: asyncpg.Record, principal: Principal) -> Motion:
    counts = await conn.fetchrow(
        """
        SELECT count(*) AS cast,
               count(*) FILTER (WHERE choice = 'for') AS f,
               count(*) FILTER (WHERE choice = 'against') AS a,
               count(*) FILTER (WHERE choice = 'abstain') AS n,
               max(choice) FILTER (WHERE person_id = $2) AS mine
        FROM votes WHERE motion_id = $1
        """,
        row["id"],
        principal.sub,
    )
    assert counts is not None
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
    ctx: ServiceContext = Depends(get_ctx),
) -> Motion:
    async with ctx.pool.acquire() as conn, conn.transaction():
        item = await agenda.item_for(conn, item_id, principal, lock=True)
        row = await motions.propose_motion(conn, item, principal, body.title, body.text)
        return await _motion(conn, row, principal)


@router.get("/sessions/{session_id}/motions", response_model=list[Motion])
async def list_motions(
    session_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[Motion]:
    async with ctx.pool.acquire() as conn:
        await session_for(conn, session_id, principal)
        rows = await conn.fetch("SELECT * FROM motions WHERE session_id = $1 ORDER BY created_at, id", session_id)
        return [await _motion(conn, r, principal) for r in rows]


@router.get("/motions/{motion_id}", response_model=Motion)
async def get_motion(
    motion_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Motion:
    async with ctx.pool.acquire() as conn:
        return await _motion(conn, await motions.motion_for(conn, motion_id, principal), principal)


@router.put(
    "/motions/{motion_id}/vote", status_code=204, summary="Vote for, against or abstain; changeable until close"
)
async def vote(
    motion_id: uuid.UUID,
    body: CastVote,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    async with ctx.pool.acquire() as conn, conn.transaction():
        await motions.cast_vote(conn, motion_id, principal, body.choice)
    return Response(status_code=204)


@router.post("/motions/{motion_id}/close", response_model=Decision, summary="Close the vote (officers)")
async def close_motion(
    motion_id: uuid.UUID,
    body: CloseMotion,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Decision:
    outcome = motions.Outcome(**body.model_dump())
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await motions.close_motion(conn, ctx.outbox, motion_id, principal, outcome)
    return Decision.of(row)


@router.get("/councils/{council_id}/decisions", response_model=Page[Decision], summary="Decisions, newest first")
async def list_decisions(
    council_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[Decision]:
    after = decode_cursor(cursor, 2)
    try:
        before = (datetime.fromisoformat(after[0]), uuid.UUID(after[1])) if after else None
    except (TypeError, ValueError) as exc:
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
    async with ctx.pool.acquire() as conn:
        await council_for(conn, council_id, principal)
        rows = await conn.fetch(
            """
            SELECT * FROM decisions WHERE council_id = $1
              AND ($2::timestamptz IS NULL OR (decided_at, id) < ($2, $3::uuid))
            ORDER BY decided_at DESC, id DESC LIMIT $4
            """,
            council_id,
            before[0] if before else None,
            before[1] if before else None,
            limit + 1,
        )
    items = [Decision.of(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].decided_at.isoformat(), str(items[-1].id)) if len(rows) > limit else None
    return Page[Decision](items=items, next_cursor=next_cursor)


@router.get("/decisions/{decision_id}", response_model=Decision)
async def get_decision(
    decision_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Decision:
    async with ctx.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM decisions WHERE id = $1", decision_id)
    if row is None or not principal.can_read(row["community"]):
        raise NotFound("No such decision.", decision_id=str(decision_id))
    return Decision.of(row)
