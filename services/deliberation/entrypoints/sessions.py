"""HTTP: sessions of a council, their lifecycle and attendance."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime

from services.deliberation.adapters import sessions as session_db
from services.deliberation.entrypoints.schemas import Attendee, Cancel, Conclude, CreateSession, Session
from services.deliberation.service_layer import sessions as commands
from services.deliberation.service_layer.access import council_for, session_for
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest

router = APIRouter(tags=["sessions"])


@router.get("/councils/{council_id}/sessions", response_model=Page[Session], summary="Sessions by date range")
async def list_sessions(
    council_id: uuid.UUID,
    start: AwareDatetime | None = Query(default=None, alias="from", description="Sessions starting at or after"),
    end: AwareDatetime | None = Query(default=None, alias="to", description="Sessions starting before"),
    status: str | None = Query(default=None, pattern="^(scheduled|open|concluded|cancelled)$"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[Session]:
    after_values = decode_cursor(cursor, 2)
    after = None
    if after_values is not None:
        try:
            after = (datetime.fromisoformat(after_values[0]), uuid.UUID(after_values[1]))
        except (TypeError, ValueError) as exc:
            raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
    async with ctx.pool.acquire() as conn:
        await council_for(conn, council_id, principal)
        rows = await session_db.list_sessions(
            conn, council_id, start=start, end=end, status=status, after=after, limit=limit + 1
        )
    items = [Session.of(r) for r in rows[:limit]]
    next_cursor = encode_cursor(items[-1].starts_at.isoformat(), str(items[-1].id)) if len(rows) > limit else None
    return Page[Session](items=items, next_cursor=next_cursor)


@router.post("/councils/{council_id}/sessions", status_code=201, response_model=Session, summary="An ad-hoc session")
async def create_session(
    council_id: uuid.UUID,
    body: CreateSession,
    response: Response,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Session:
    async with ctx.pool.acquire() as conn, conn.transaction():
        council = await council_for(conn, council_id, principal)
        ends_at = body.ends_at or body.starts_at + timedelta(minutes=council["duration_minutes"])
        if ends_at <= body.starts_at:
            raise BadRequest("A session must end after it starts.", field="ends_at")
        values: dict[str, Any] = {
            "title": body.title,
            "starts_at": body.starts_at,
            "ends_at": ends_at,
            "mode": (body.mode or council["default_mode"]),
            "location": body.location if body.location is not None else council["location"],
        }
        row = await commands.create_ad_hoc(conn, ctx.outbox, council, principal, values)
    response.headers["Location"] = f"/sessions/{row['id']}"
    return Session.of(row)


@router.get("/sessions/{session_id}", response_model=Session)
async def get_session(
    session_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Session:
    async with ctx.pool.acquire() as conn:
        return Session.of(await session_for(conn, session_id, principal))


async def _reload(ctx: ServiceContext, session_id: uuid.UUID, principal: Principal) -> Session:
    async with ctx.pool.acquire() as conn:
        return Session.of(await session_for(conn, session_id, principal))


@router.post("/sessions/{session_id}/open", response_model=Session, summary="Open the session (officers)")
async def open_session(
    session_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Session:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        await commands.open_session(conn, session, principal)
    return await _reload(ctx, session_id, principal)


@router.post("/sessions/{session_id}/conclude", response_model=Session, summary="Conclude with minutes (officers)")
async def conclude_session(
    session_id: uuid.UUID,
    body: Conclude,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Session:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        await commands.conclude_session(conn, ctx.outbox, session, principal, body.minutes)
    return await _reload(ctx, session_id, principal)


@router.post("/sessions/{session_id}/cancel", response_model=Session, summary="Cancel the session (officers)")
async def cancel_session(
    session_id: uuid.UUID,
    body: Cancel,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Session:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        await commands.cancel_session(conn, ctx.outbox, session, principal, body.reason)
    return await _reload(ctx, session_id, principal)


@router.get("/sessions/{session_id}/attendance", response_model=list[Attendee])
async def list_attendance(
    session_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[Attendee]:
    async with ctx.pool.acquire() as conn:
        await session_for(conn, session_id, principal)
        return [Attendee(**dict(r)) for r in await session_db.attendees(conn, session_id)]


@router.put(
    "/sessions/{session_id}/attendance/{person_id}",
    status_code=204,
    summary="Record a member present (officers; a member may check themself in)",
)
async def mark_present(
    session_id: uuid.UUID,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        await commands.record_attendance(conn, session, principal, person_id, present=True)
    return Response(status_code=204)


@router.delete("/sessions/{session_id}/attendance/{person_id}", status_code=204, summary="Undo a presence")
async def mark_absent(
    session_id: uuid.UUID,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Response:
    async with ctx.pool.acquire() as conn, conn.transaction():
        session = await session_for(conn, session_id, principal, lock=True)
        await commands.record_attendance(conn, session, principal, person_id, present=False)
    return Response(status_code=204)
