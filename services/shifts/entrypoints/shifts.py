"""Routes: concrete shifts: scheduling, listing (by post, date range, open places), cancelling."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from contracts.enums import PostType
from services.kernel.auth import Principal, current_principal
from services.kernel.pagination import Page, decode_keyset, encode_keyset
from services.shifts.adapters import queries
from services.shifts.domain.errors import PostNotSetUp, ShiftNotFound
from services.shifts.entrypoints.deps import get_shifts_uow, in_zone
from services.shifts.entrypoints.schemas import CancelIn, LocalDateTime, ShiftIn, ShiftOut, ShiftPatch, SignupOut, dump
from services.shifts.service_layer import shifts
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

router = APIRouter(prefix="/shifts", tags=["shifts"])


@router.post("", status_code=201, summary="Schedule a shift (post leader)")
async def create_shift(
    body: ShiftIn,
    response: Response,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> ShiftOut:
    new = shifts.NewShift(
        post_type=body.post,
        title=body.title,
        starts_at=in_zone(body.starts_at, uow.zone),
        ends_at=in_zone(body.ends_at, uow.zone),
        capacity=body.capacity,
        min_party_members=body.min_party_members,
        location=body.location,
        notes=body.notes,
    )
    row = await shifts.schedule_shift(uow, principal, new)
    response.headers["Location"] = f"/shifts/{row['id']}"
    return ShiftOut.of(row, uow.zone)


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
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Page[ShiftOut]:
    after = decode_keyset(cursor, datetime, uuid.UUID)
    target = principal.readable(community)
    async with uow.read() as conn:
        post_id: uuid.UUID | None = None
        if post is not None:
            found = await queries.post_by_type(conn, target, post)
            if found is None:
                raise PostNotSetUp(post)
            post_id = found["id"]
        rows = await queries.shifts(
            conn,
            queries.ShiftFilter(
                community=target,
                post_id=post_id,
                starts_from=in_zone(starts_from, uow.zone) if starts_from else None,
                starts_before=in_zone(starts_before, uow.zone) if starts_before else None,
                open_places=open_places,
                include_cancelled=include_cancelled,
                after=(after[0], after[1]) if after else None,
                limit=limit,
            ),
        )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_keyset(last["starts_at"], str(last["id"])) if last else None
    return Page(items=[ShiftOut.of(r, uow.zone) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/{shift_id}", summary="One shift")
async def get_shift(
    shift_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> ShiftOut:
    async with uow.read() as conn:
        row = await queries.shift(conn, principal.community, shift_id)
    if row is None:
        raise ShiftNotFound(shift_id)
    return ShiftOut.of(row, uow.zone)


@router.patch(
    "/{shift_id}", summary="Change a shift's details or places (post leader); more places promote the waitlist"
)
async def amend_shift(
    shift_id: uuid.UUID,
    body: ShiftPatch,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> dict[str, object]:
    updated, promoted = await shifts.amend(
        uow, principal, shift_id=shift_id, changes=body.model_dump(exclude_unset=True)
    )
    return {
        "shift": dump(ShiftOut.of(updated, uow.zone)),
        "promoted": [dump(SignupOut.of(p, uow.zone)) for p in promoted],
    }


@router.post("/{shift_id}/cancel", summary="Cancel a shift (post leader); tells everyone signed up")
async def cancel_shift(
    shift_id: uuid.UUID,
    body: CancelIn,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> ShiftOut:
    updated = await shifts.cancel(uow, principal, shift_id=shift_id, reason=body.reason)
    return ShiftOut.of(updated, uow.zone)
