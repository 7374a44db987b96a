"""HTTP: sessions of a council, their lifecycle and attendance (thin: the service layer decides and locks)."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime

from services.deliberation.adapters import queries
from services.deliberation.entrypoints.deps import get_uow
from services.deliberation.entrypoints.schemas import (
    Attendee,
    Cancel,
    Conclude,
    CreateSession,
    Session,
    SessionHow,
)
from services.deliberation.service_layer import sessions as commands
from services.deliberation.service_layer.access import council_seen, session_seen
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.auth import Principal, current_principal
from services.kernel.pagination import Page, decode_keyset, keyset_page

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
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Page[Session]:
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        council_seen(await queries.council(conn, council_id), council_id, principal)
        rows = await queries.sessions(
            conn,
            council_id,
            start=start,
            end=end,
            status=status,
            after=(after[0], after[1]) if after else None,
            limit=limit + 1,
        )
    page, next_cursor = keyset_page(rows, limit, "starts_at", "id")
    return Page[Session](items=[Session.of(r) for r in page], next_cursor=next_cursor)


@router.post("/councils/{council_id}/sessions", status_code=201, response_model=Session, summary="An ad-hoc session")
async def create_session(
    council_id: uuid.UUID,
    body: CreateSession,
    response: Response,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    new = commands.AdHocSession(
        title=body.title, starts_at=body.starts_at, ends_at=body.ends_at, mode=body.mode, location=body.location
    )
    row = await commands.create_ad_hoc(uow, council_id, principal, new)
    response.headers["Location"] = f"/sessions/{row['id']}"
    return Session.of(row)


@router.get("/sessions/{session_id}", response_model=Session)
async def get_session(
    session_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    async with uow.read() as conn:
        return Session.of(session_seen(await queries.session(conn, session_id), session_id, principal))


@router.patch("/sessions/{session_id}", response_model=Session, summary="Record the mode and place (officers)")
async def record_mode(
    session_id: uuid.UUID,
    body: SessionHow,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    given = body.model_fields_set
    row = await commands.record_mode(
        uow, session_id, principal, body.mode, body.location, location_given="location" in given
    )
    return Session.of(row)


@router.post("/sessions/{session_id}/open", response_model=Session, summary="Open the session (officers)")
async def open_session(
    session_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    return Session.of(await commands.open_session(uow, session_id, principal))


@router.post("/sessions/{session_id}/conclude", response_model=Session, summary="Conclude with minutes (officers)")
async def conclude_session(
    session_id: uuid.UUID,
    body: Conclude,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    return Session.of(await commands.conclude_session(uow, session_id, principal, body.minutes))


@router.post("/sessions/{session_id}/cancel", response_model=Session, summary="Cancel the session (officers)")
async def cancel_session(
    session_id: uuid.UUID,
    body: Cancel,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Session:
    return Session.of(await commands.cancel_session(uow, session_id, principal, body.reason))


@router.get("/sessions/{session_id}/attendance", response_model=list[Attendee])
async def list_attendance(
    session_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> list[Attendee]:
    async with uow.read() as conn:
        session_seen(await queries.session(conn, session_id), session_id, principal)
        return [Attendee(**dict(r)) for r in await queries.attendees(conn, session_id)]


@router.put(
    "/sessions/{session_id}/attendance/{person_id}",
    status_code=204,
    summary="Record a member present (officers; a member may check themself in)",
)
async def mark_present(
    session_id: uuid.UUID,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Response:
    await commands.record_attendance(uow, session_id, principal, person_id, present=True)
    return Response(status_code=204)


@router.delete("/sessions/{session_id}/attendance/{person_id}", status_code=204, summary="Undo a presence")
async def mark_absent(
    session_id: uuid.UUID,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Response:
    await commands.record_attendance(uow, session_id, principal, person_id, present=False)
    return Response(status_code=204)
