"""Routes: volunteers, their re-approval, their sign-ups, statistics and calendar feed address."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Depends, Query

from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.errors import NotPermitted
from services.kernel.pagination import Page, decode_keyset, encode_keyset
from services.shifts.adapters import queries
from services.shifts.domain.errors import NotALeader, VolunteerNotFound
from services.shifts.entrypoints.deps import get_shifts_uow
from services.shifts.entrypoints.schemas import (
    FeedOut,
    PersonId,
    ShiftOut,
    SignupOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerShiftOut,
)
from services.shifts.service_layer import stats, volunteers
from services.shifts.service_layer.access import MANAGERS
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

router = APIRouter(prefix="/volunteers", tags=["volunteers"])


async def _leads_any(conn: Connection, principal: Principal) -> bool:
    return principal.has(*MANAGERS) or await queries.leads_a_post(conn, principal.community, principal.sub)


async def _self_or_leader(conn: Connection, principal: Principal, volunteer_id: str) -> None:
    if volunteer_id != principal.sub and not await _leads_any(conn, principal):
        raise NotPermitted("Only the volunteer or a post leader may see this.", detail_zh="仅本人或岗位负责人可查看。")


async def _registered(conn: Connection, principal: Principal, volunteer_id: str) -> None:
    """A volunteer of the caller's community, or 404: another community's volunteers (and people
    never registered) have no sign-ups or statistics to show, not an empty list."""
    if await queries.volunteer(conn, principal.community, volunteer_id) is None:
        raise VolunteerNotFound(volunteer_id)


@router.put("/{volunteer_id}", summary="Register or update a volunteer (leaders; residents register themselves)")
async def put_volunteer(
    volunteer_id: PersonId,
    body: VolunteerIn,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> VolunteerOut:
    details = volunteers.VolunteerDetails(
        name=body.name,
        kind=body.kind,
        building_group=body.building_group,
        skills=body.skills,
        posts=[str(p) for p in body.posts],
    )
    row, posts = await volunteers.register(uow, principal, volunteer_id, details)
    return VolunteerOut.of(row, posts, uow.zone)


@router.get("", summary="Volunteers of the community (leaders), by id")
async def list_volunteers(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    suspended: bool | None = None,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Page[VolunteerOut]:
    after = decode_keyset(cursor, str)
    async with uow.read() as conn:
        if not await _leads_any(conn, principal):
            raise NotALeader("Only post leaders may list volunteers.", "只有岗位负责人可以查看志愿者名单。")
        rows = await queries.volunteers(
            conn, principal.community, after=after[0] if after else None, suspended=suspended, limit=limit
        )
        items = [
            VolunteerOut.of(r, await queries.posts_of(conn, principal.community, r["id"]), uow.zone)
            for r in rows[:limit]
        ]
    next_cursor = encode_keyset(rows[limit - 1]["id"]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{volunteer_id}", summary="One volunteer")
async def get_volunteer(
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> VolunteerOut:
    async with uow.read() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        row = await queries.volunteer(conn, principal.community, volunteer_id)
        if row is None:
            raise VolunteerNotFound(volunteer_id)
        return VolunteerOut.of(row, await queries.posts_of(conn, principal.community, volunteer_id), uow.zone)


@router.post("/{volunteer_id}/reapprove", summary="Lift a no-show suspension (post leader)")
async def reapprove(
    volunteer_id: PersonId,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> VolunteerOut:
    row, posts = await volunteers.reapprove(uow, principal, volunteer_id)
    return VolunteerOut.of(row, posts, uow.zone)


@router.get("/{volunteer_id}/shifts", summary="The volunteer's live sign-ups with their shifts, by start")
async def volunteer_shifts(
    volunteer_id: PersonId,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    upcoming: bool = Query(default=False, description="Only shifts that have not ended yet"),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> Page[VolunteerShiftOut]:
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        await _registered(conn, principal, volunteer_id)
        pairs = await queries.volunteer_shifts(
            conn,
            principal.community,
            volunteer_id,
            after=(after[0], after[1]) if after else None,
            limit=limit,
            ends_after=uow.now() if upcoming else None,
        )
        items = [
            VolunteerShiftOut(
                shift=ShiftOut.of(shift, uow.zone),
                signup=SignupOut.of(
                    signup,
                    uow.zone,
                    await queries.waitlist_position(conn, signup) if signup["status"] == "waitlisted" else None,
                ),
            )
            for shift, signup in pairs[:limit]
        ]
    last = pairs[limit - 1][0] if len(pairs) > limit else None
    return Page[VolunteerShiftOut](
        items=items, next_cursor=encode_keyset(last["starts_at"], str(last["id"])) if last else None
    )


@router.get("/{volunteer_id}/stats", summary="Activities, hours and attendance rate, by month and year")
async def volunteer_statistics(
    volunteer_id: PersonId,
    year: int | None = Query(default=None, ge=2000, le=2100),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> stats.StatsOut:
    async with uow.read() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        await _registered(conn, principal, volunteer_id)
        monthly = await queries.monthly_of_volunteer(
            conn, principal.community, volunteer_id, year, uow.settings.time_zone
        )
    return stats.summarise(volunteer_id, monthly, year)


@router.post("/me/feed", summary="Issue (or re-issue) your private iCalendar feed address")
async def issue_feed(
    principal: Principal = Depends(current_principal), uow: ShiftsUnitOfWork = Depends(get_shifts_uow)
) -> FeedOut:
    """Calendar apps cannot send a bearer token, so the feed address itself carries an unguessable
    token; only its hash is stored, and issuing a new one revokes the old address."""
    token = await volunteers.issue_feed_token(uow, principal)
    base = uow.settings.shifts_public_base_url.rstrip("/")
    return FeedOut(url=f"{base}/feeds/{token}.ics")
