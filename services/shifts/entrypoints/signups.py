"""Routes: sign-ups (self and by a leader), waitlist, cancellation, check-in/out, confirmation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.problems import Conflict, Forbidden, NotFound, problem_response
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.entrypoints.deps import clock_of, leads, policy_of, require_leader
from services.shifts.entrypoints.schemas import (
    ConfirmationsIn,
    ParticipationOut,
    PersonId,
    SignupIn,
    SignupOut,
    dump,
)
from services.shifts.service_layer import signups
from services.shifts.service_layer.confirmations import Confirmation, confirm

router = APIRouter(prefix="/shifts/{shift_id}", tags=["sign-ups"])


async def _shift_or_404(conn: Connection, principal: Principal, shift_id: uuid.UUID) -> Row:
    row = await repo.shift(conn, principal.community, shift_id)
    if row is None:
        raise NotFound("No such shift.", shift_id=str(shift_id))
    return row


async def _acting_for(conn: Connection, principal: Principal, shift: Row, volunteer_id: str) -> bool:
    """Whether the caller acts as a leader; someone else's sign-up needs a leader of the post."""
    leader = await leads(conn, principal, shift["post_id"])
    if volunteer_id != principal.sub and not leader:
        raise Forbidden(
            "Only this post's leaders may act for another volunteer.", detail_zh="只有本岗位负责人可以代他人操作。"
        )
    return leader


@router.post(
    "/signups",
    status_code=201,
    summary="Sign up (yourself, or a volunteer as post leader)",
    responses={409: {"description": "Refused with a reason; `full` means you joined the waitlist"}},
)
async def sign_up(
    shift_id: uuid.UUID,
    request: Request,
    body: SignupIn | None = None,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Any:
    volunteer_id = body.volunteer_id if body and body.volunteer_id else principal.sub
    async with ctx.pool.acquire() as conn, conn.transaction():
        shift = await _shift_or_404(conn, principal, shift_id)
        leader = await _acting_for(conn, principal, shift, volunteer_id)
        result = await signups.sign_up(
            conn,
            ctx.outbox,
            community=principal.community,
            shift_id=shift_id,
            volunteer_id=volunteer_id,
            by=principal.sub,
            by_leader=leader,
            now=clock_of(ctx).now(),
            policy=policy_of(ctx),
        )
    out = SignupOut.of(result.signup, result.waitlist_position)
    if result.signup["status"] == "waitlisted":
        # Committed: the refusal says the shift is full AND that the volunteer now waits in line.
        problem = Conflict(
            f"The shift is full; you joined the waitlist at position {result.waitlist_position}.",
            reason="full",
            detail_zh=f"名额已满，已加入候补名单（第 {result.waitlist_position} 位）。",
            waitlisted=True,
            waitlist_position=result.waitlist_position,
            signup=dump(out),
        )
        problem.type_slug = "shifts/full"
        return problem_response(problem, request.url.path, {"Location": f"/shifts/{shift_id}/signups/{volunteer_id}"})
    return Response(
        out.model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/shifts/{shift_id}/signups/{volunteer_id}"},
    )


@router.get("/signups", summary="Live sign-ups of a shift (confirmed first, then the waitlist in order)")
async def list_signups(
    shift_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[SignupOut]:
    async with ctx.pool.acquire() as conn:
        await _shift_or_404(conn, principal, shift_id)
        rows = await conn.fetch(
            """SELECT * FROM signups WHERE shift_id = $1 AND status <> 'cancelled'
               ORDER BY status = 'waitlisted', queued_seq LIMIT 2000""",
            shift_id,
        )
    return _with_positions(rows)


@router.get("/signups/{volunteer_id}", summary="One volunteer's live sign-up for the shift")
async def get_signup(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> SignupOut:
    async with ctx.pool.acquire() as conn:
        await _shift_or_404(conn, principal, shift_id)
        row = await repo.live_signup(conn, shift_id, volunteer_id)
        if row is None:
            raise NotFound("No live sign-up of this volunteer for this shift.", volunteer_id=volunteer_id)
        position = await signups.waitlist_position(conn, row) if row["status"] == "waitlisted" else None
    return SignupOut.of(row, position)


@router.get("/waitlist", summary="The waitlist of a shift, in order")
async def waitlist(
    shift_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[SignupOut]:
    async with ctx.pool.acquire() as conn:
        await _shift_or_404(conn, principal, shift_id)
        rows = await conn.fetch(
            "SELECT * FROM signups WHERE shift_id = $1 AND status = 'waitlisted' ORDER BY queued_seq LIMIT 2000",
            shift_id,
        )
    return _with_positions(rows)


def _with_positions(rows: list[Row]) -> list[SignupOut]:
    out, position = [], 0
    for row in rows:
        if row["status"] == "waitlisted":
            position += 1
        out.append(SignupOut.of(row, position if row["status"] == "waitlisted" else None))
    return out


@router.delete("/signups/{volunteer_id}", summary="Cancel a sign-up; the waitlist moves up")
async def cancel_signup(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn, conn.transaction():
        shift = await _shift_or_404(conn, principal, shift_id)
        leader = await _acting_for(conn, principal, shift, volunteer_id)
        promoted = await signups.cancel_signup(
            conn,
            ctx.outbox,
            community=principal.community,
            shift_id=shift_id,
            volunteer_id=volunteer_id,
            by=principal.sub,
            by_leader=leader,
            now=clock_of(ctx).now(),
            policy=policy_of(ctx),
        )
    return {"cancelled": volunteer_id, "promoted": [dump(SignupOut.of(p)) for p in promoted]}


@router.post("/signups/{volunteer_id}/check-in", summary="Check in (from a phone)")
async def check_in(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> SignupOut:
    async with ctx.pool.acquire() as conn, conn.transaction():
        shift = await _shift_or_404(conn, principal, shift_id)
        await _acting_for(conn, principal, shift, volunteer_id)
        row = await signups.check_in(
            conn,
            community=principal.community,
            shift_id=shift_id,
            volunteer_id=volunteer_id,
            now=clock_of(ctx).now(),
            policy=policy_of(ctx),
        )
    return SignupOut.of(row)


@router.post("/signups/{volunteer_id}/check-out", summary="Check out")
async def check_out(
    shift_id: uuid.UUID,
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> SignupOut:
    async with ctx.pool.acquire() as conn, conn.transaction():
        shift = await _shift_or_404(conn, principal, shift_id)
        await _acting_for(conn, principal, shift, volunteer_id)
        row = await signups.check_out(
            conn, community=principal.community, shift_id=shift_id, volunteer_id=volunteer_id, now=clock_of(ctx).now()
        )
    return SignupOut.of(row)


@router.post("/confirmations", summary="Confirm participants: completed (with hours) or no_show (post leader)")
async def confirm_participants(
    shift_id: uuid.UUID,
    body: ConfirmationsIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[ParticipationOut]:
    """All or nothing: one bad line changes nothing. Confirming again returns the first result and emits nothing."""
    now = clock_of(ctx).now()
    out: list[ParticipationOut] = []
    async with ctx.pool.acquire() as conn, conn.transaction():
        shift = await _shift_or_404(conn, principal, shift_id)
        await require_leader(conn, principal, shift["post_id"])
        # Volunteers before the shift, in id order: the same lock order as a sign-up, so no deadlock.
        volunteers = {
            row["id"]: row
            for row in await conn.fetch(
                "SELECT * FROM volunteers WHERE community = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE",
                principal.community,
                sorted({item.volunteer_id for item in body.participants}),
            )
        }
        locked = await repo.shift(conn, principal.community, shift_id, lock=True)
        if locked is None:
            raise NotFound("No such shift.", shift_id=str(shift_id))
        for item in body.participants:
            done = await confirm(
                conn,
                ctx.outbox,
                community=principal.community,
                shift=locked,
                volunteer=volunteers.get(item.volunteer_id),
                item=Confirmation(item.volunteer_id, item.outcome, item.hours, item.reason),
                by=principal.sub,
                now=now,
                policy=policy_of(ctx),
            )
            out.append(ParticipationOut.of(done.participation, new=done.new, suspended=done.suspended))
    return out


@router.get("/participations", summary="Confirmed participation of a shift")
async def participations(
    shift_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[ParticipationOut]:
    async with ctx.pool.acquire() as conn:
        await _shift_or_404(conn, principal, shift_id)
        rows = await conn.fetch(
            "SELECT * FROM participations WHERE shift_id = $1 ORDER BY confirmed_at, volunteer_id LIMIT 2000", shift_id
        )
    return [ParticipationOut.of(r, new=False) for r in rows]
