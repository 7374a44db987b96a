"""Routes: sign-ups (self and by a leader), waitlist, cancellation, check-in/out, confirmation."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.problems import Conflict, problem_response
from services.shifts.adapters import queries
from services.shifts.adapters.queries import Row
from services.shifts.domain.errors import NotALeader, Reason, ShiftNotFound, SignupNotFound
from services.shifts.entrypoints.deps import get_shifts_uow
from services.shifts.entrypoints.schemas import (
    ConfirmationsIn,
    ParticipationOut,
    PersonId,
    RosterEntry,
    SignupIn,
    SignupOut,
    dump,
)
from services.shifts.service_layer import signups
from services.shifts.service_layer.access import MANAGERS
from services.shifts.service_layer.confirmations import Confirmation, confirm_participants
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

router = APIRouter(prefix="/shifts/{shift_id}", tags=["sign-ups"])


async def _visible_shift(conn: Connection, principal: Principal, shift_id: uuid.UUID) -> Row:
    row = await queries.shift(conn, principal.community, shift_id)
    if row is None:
        raise ShiftNotFound(shift_id)
    return row


@router.post(
    "/signups",
    status_code=201,
    response_model=SignupOut,
    summary="Sign up (yourself, or a volunteer as post leader)",
    responses={409: {"description": "Refused with a reason; `full` means you joined the waitlist"}},
)
async def sign_up(
    shift_id: uuid.UUID,
    request: Request,
    body: SignupIn | None = None,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Any:
    volunteer_id = body.volunteer_id if body and body.volunteer_id else principal.sub
    result = await signups.sign_up(uow, principal, shift_id=shift_id, volunteer_id=volunteer_id)
    out = SignupOut.of(result.signup, uow.zone, result.waitlist_position)
    location = {"Location": f"/shifts/{shift_id}/signups/{volunteer_id}"}
    if result.signup["status"] == "waitlisted":
        # Committed: the refusal says the shift is full AND that the volunteer now waits in line.
        problem = Conflict(
            f"The shift is full; you joined the waitlist at position {result.waitlist_position}.",
            reason=str(Reason.FULL),
            detail_zh=f"名额已满，已加入候补名单（第 {result.waitlist_position} 位）。",
            waitlisted=True,
            waitlist_position=result.waitlist_position,
            signup=dump(out),
        )
        problem.type_slug = f"shifts/{Reason.FULL}"
        return problem_response(problem, request.url.path, location)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json", headers=location)


@router.get("/signups", summary="Live sign-ups of a shift (confirmed first, then the waitlist in order)")
async def list_signups(
    shift_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[SignupOut]:
    async with uow.read() as conn:
        await _visible_shift(conn, principal, shift_id)
        rows = await queries.live_signups(conn, shift_id)
    return _with_positions(rows, uow.zone)


@router.get("/roster", summary="The roster at the post: names, party members, check-in/out, outcomes (its leaders)")
async def roster(
    shift_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[RosterEntry]:
    async with uow.read() as conn:
        shift = await _visible_shift(conn, principal, shift_id)
        if not (principal.has(*MANAGERS) or await queries.is_post_leader(conn, shift["post_id"], principal.sub)):
            raise NotALeader(
                "Only this post's leaders (or the committee) may see its roster.",
                "只有本岗位负责人（或两委）可以查看名单。",
            )
        rows = await queries.roster(conn, shift_id)
    out, position = [], 0
    for row in rows:
        position += row["status"] == "waitlisted"
        out.append(RosterEntry.of_row(row, uow.zone, position if row["status"] == "waitlisted" else None))
    return out


@router.get("/signups/{volunteer_id}", summary="One volunteer's live sign-up for the shift")
async def get_signup(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> SignupOut:
    async with uow.read() as conn:
        await _visible_shift(conn, principal, shift_id)
        row = await queries.live_signup(conn, shift_id, volunteer_id)
        if row is None:
            raise SignupNotFound(volunteer_id)
        position = await queries.waitlist_position(conn, row) if row["status"] == "waitlisted" else None
    return SignupOut.of(row, uow.zone, position)


@router.get("/waitlist", summary="The waitlist of a shift, in order")
async def waitlist(
    shift_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[SignupOut]:
    async with uow.read() as conn:
        await _visible_shift(conn, principal, shift_id)
        rows = await queries.waitlisted(conn, shift_id)
    return _with_positions(rows, uow.zone)


def _with_positions(rows: list[Row], zone: ZoneInfo) -> list[SignupOut]:
    out, position = [], 0
    for row in rows:
        if row["status"] == "waitlisted":
            position += 1
        out.append(SignupOut.of(row, zone, position if row["status"] == "waitlisted" else None))
    return out


@router.delete("/signups/{volunteer_id}", summary="Cancel a sign-up; the waitlist moves up")
async def cancel_signup(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> dict[str, Any]:
    promoted = await signups.cancel_signup(uow, principal, shift_id=shift_id, volunteer_id=volunteer_id)
    return {"cancelled": volunteer_id, "promoted": [dump(SignupOut.of(p, uow.zone)) for p in promoted]}


@router.post("/signups/{volunteer_id}/check-in", summary="Check in (from a phone)")
async def check_in(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> SignupOut:
    row = await signups.check_in(uow, principal, shift_id=shift_id, volunteer_id=volunteer_id)
    return SignupOut.of(row, uow.zone)


@router.post("/signups/{volunteer_id}/check-out", summary="Check out")
async def check_out(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> SignupOut:
    row = await signups.check_out(uow, principal, shift_id=shift_id, volunteer_id=volunteer_id)
    return SignupOut.of(row, uow.zone)


@router.post("/confirmations", summary="Confirm participants: completed (with hours) or no_show (post leader)")
async def confirm(
    shift_id: uuid.UUID,
    body: ConfirmationsIn,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[ParticipationOut]:
    """All or nothing: one bad line changes nothing. Confirming again returns the first result and emits nothing."""
    items = [Confirmation(i.volunteer_id, i.outcome, i.hours, i.reason) for i in body.participants]
    done = await confirm_participants(uow, principal, shift_id=shift_id, items=items)
    return [ParticipationOut.of(d.participation, uow.zone, new=d.new, suspended=d.suspended) for d in done]


@router.get("/participations", summary="Confirmed participation of a shift")
async def participations(
    shift_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[ParticipationOut]:
    async with uow.read() as conn:
        await _visible_shift(conn, principal, shift_id)
        rows = await queries.participations(conn, shift_id)
    return [ParticipationOut.of(r, uow.zone, new=False) for r in rows]
