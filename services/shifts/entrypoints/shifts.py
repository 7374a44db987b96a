"""Routes: concrete shifts: scheduling, listing (by post, date range, open places), cancelling."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from contracts.enums import PostType
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.pagination import Page, encode_cursor
from services.kernel.problems import NotFound
from services.shifts.adapters import repository as repo
from services.shifts.entrypoints.deps import clock_of, post_or_404, readable_community, require_leader, time_cursor
from services.shifts.entrypoints.schemas import CancelIn, LocalDateTime, ShiftIn, ShiftOut, ShiftPatch, SignupOut, dump
from services.shifts.service_layer import shifts

router = APIRouter(prefix="/shifts", tags=["shifts"])


@router.post("", status_code=201, summary="Schedule a shift (post leader)")
async def create_shift(
    body: ShiftIn,
    response: Response,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> ShiftOut:
    async with ctx.pool.acquire() as conn, conn.transaction():
        post = await post_or_404(conn, principal, body.post)
        await require_leader(conn, principal, post["id"])
        row = await shifts.schedule(
            conn,
            ctx.outbox,
            community=principal.community,
            new=shifts.NewShift(
                post_id=post["id"],
                post_type=body.post,
                title=body.title,
                starts_at=body.starts_at,
                ends_at=body.ends_at,
                capacity=body.capacity,
                min_party_members=body.min_party_members,
                location=body.location,
                notes=body.notes,
            ),
            by=principal.sub,
        )
    assert row is not None  # only template shifts can collide
    response.headers["Location"] = f"/shifts/{row['id']}"
    return ShiftOut.of(row)


@router.get("", summary="Shifts by start time; filter by post, date range and open places")
async def list_shifts(
    post: PostType | None = None,
    starts_from: LocalDateTime | None = Query(default=None, alias="from"),
    starts_before: LocalDateTime | None = Query(default=None, alias="to"),
    open_places: bool = Query(default=False, alias="open", description="Only scheduled shifts with a free place"),
    include_cancelled: bool = False,
    community: str | None = Query(default=None, max_length=40, description="Another community (district role)"),
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[ShiftOut]:
    after = time_cursor(cursor)
    community = readable_community(principal, community)
    async with ctx.pool.acquire() as conn:
        post_id: uuid.UUID | None = None
        if post is not None:
            post_id = (await post_or_404(conn, principal, post, community))["id"]
        rows = await conn.fetch(
            f"""SELECT {repo.SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id
                WHERE s.community = $1
                  AND ($2::uuid IS NULL OR s.post_id = $2)
                  AND ($3::timestamptz IS NULL OR s.starts_at >= $3)
                  AND ($4::timestamptz IS NULL OR s.starts_at < $4)
                  AND (NOT $5 OR (s.status = 'scheduled' AND s.confirmed_count < s.capacity))
                  AND ($6 OR s.status = 'scheduled')
                  AND ($7::timestamptz IS NULL OR (s.starts_at, s.id) > ($7, $8::uuid))
                ORDER BY s.starts_at, s.id LIMIT $9""",
            community,
            post_id,
            starts_from,
            starts_before,
            open_places,
            include_cancelled,
            after[0] if after else None,
            after[1] if after else None,
            limit + 1,
        )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["starts_at"].isoformat(), str(last["id"])) if last else None
    return Page(items=[ShiftOut.of(r) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/{shift_id}", summary="One shift")
async def get_shift(
    shift_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> ShiftOut:
    async with ctx.pool.acquire() as conn:
        row = await repo.shift(conn, principal.community, shift_id)
    if row is None:
        raise NotFound("No such shift.", shift_id=str(shift_id))
    return ShiftOut.of(row)


@router.patch(
    "/{shift_id}", summary="Change a shift's details or places (post leader); more places promote the waitlist"
)
async def amend_shift(
    shift_id: uuid.UUID,
    body: ShiftPatch,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, object]:
    now: datetime = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await repo.shift(conn, principal.community, shift_id)
        if row is None:
            raise NotFound("No such shift.", shift_id=str(shift_id))
        await require_leader(conn, principal, row["post_id"])
        updated, promoted = await shifts.amend(
            conn,
            ctx.outbox,
            community=principal.community,
            shift_id=shift_id,
            changes=body.model_dump(exclude_unset=True),
            now=now,
        )
    return {"shift": dump(ShiftOut.of(updated)), "promoted": [dump(SignupOut.of(p)) for p in promoted]}


@router.post("/{shift_id}/cancel", summary="Cancel a shift (post leader); tells everyone signed up")
async def cancel_shift(
    shift_id: uuid.UUID,
    body: CancelIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> ShiftOut:
    now: datetime = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await repo.shift(conn, principal.community, shift_id)
        if row is None:
            raise NotFound("No such shift.", shift_id=str(shift_id))
        await require_leader(conn, principal, row["post_id"])
        updated = await shifts.cancel(
            conn, ctx.outbox, community=principal.community, shift_id=shift_id, reason=body.reason, now=now
        )
    return ShiftOut.of(updated)
