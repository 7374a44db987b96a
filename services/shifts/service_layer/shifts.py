"""Scheduling, changing and cancelling concrete shifts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.adapters.repository import ShiftDetails
from services.shifts.domain.errors import InvalidShift, Reason, RuleBroken
from services.shifts.service_layer import events
from services.shifts.service_layer.access import post_of, require_leader, shift_of
from services.shifts.service_layer.signups import promote
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork


@dataclass(frozen=True)
class NewShift:
    post_type: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    min_party_members: int = 0
    location: str | None = None
    notes: str | None = None


MIN_LENGTH = timedelta(minutes=15)
MAX_LENGTH = timedelta(hours=24)
PARTY_ABOVE_CAPACITY = (
    "The minimum number of party members cannot exceed the capacity.",
    "党员最低人数不能超过名额。",
)


def validate(starts_at: datetime, ends_at: datetime, capacity: int, min_party_members: int) -> None:
    if ends_at <= starts_at:
        raise InvalidShift("A shift must end after it starts.", "结束时间须晚于开始时间。")
    if not MIN_LENGTH <= ends_at - starts_at <= MAX_LENGTH:
        raise InvalidShift("A shift lasts from 15 minutes to 24 hours.", "班次时长须在 15 分钟至 24 小时之间。")
    if min_party_members > capacity:
        raise InvalidShift(*PARTY_ABOVE_CAPACITY)


async def schedule(uow: ShiftsUnitOfWork, new: ShiftDetails, *, post_type: str, by: str) -> Row | None:
    """Insert a shift and emit shift.scheduled (inside an open unit of work); a template's second try
    at the same start inserts nothing and returns None (unique template and start)."""
    validate(new.starts_at, new.ends_at, new.capacity, new.min_party_members)
    shift = await uow.repo.insert_shift(new, by)
    if shift is None:
        return None
    volunteers = await uow.repo.post_volunteer_ids(new.community, new.post_id)
    await uow.emit(events.scheduled(shift, post_type, volunteers), community=new.community, subject=shift["id"])
    return shift


async def schedule_shift(uow: ShiftsUnitOfWork, principal: Principal, new: NewShift) -> Row:
    """A post leader schedules a one-off shift."""
    async with uow:
        post = await post_of(uow, principal.community, new.post_type)
        await require_leader(uow, principal, post["id"])
        details = ShiftDetails(
            community=principal.community,
            post_id=post["id"],
            title=new.title,
            starts_at=new.starts_at,
            ends_at=new.ends_at,
            capacity=new.capacity,
            min_party_members=new.min_party_members,
            location=new.location,
            notes=new.notes,
        )
        shift = await schedule(uow, details, post_type=new.post_type, by=principal.sub)
        assert shift is not None  # only template shifts can collide
        await uow.audit(
            "shift.scheduled",
            shift["id"],
            principal,
            {"post_type": new.post_type, "title": new.title, "starts_at": new.starts_at, "capacity": new.capacity},
        )
        return shift


async def cancel(uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, reason: str | None) -> Row:
    """A post leader cancels a shift; everyone signed up is named in shift.cancelled."""
    community = principal.community
    async with uow:
        await require_leader(uow, principal, (await shift_of(uow, community, shift_id))["post_id"])
        shift = await shift_of(uow, community, shift_id, lock=True)
        if shift["status"] == "cancelled":
            return shift
        if uow.now() >= shift["ends_at"]:
            raise RuleBroken(Reason.ENDED, "A shift that has ended cannot be cancelled.", "已结束的班次不能取消。")
        signed_up = await uow.repo.signed_up_ids(shift_id)
        await uow.repo.cancel_shift(shift_id, reason)
        await uow.emit(events.cancelled(shift, reason, signed_up), community=community, subject=shift_id)
        await uow.audit("shift.cancelled", shift_id, principal, {"reason": reason, "signed_up": len(signed_up)})
        return await shift_of(uow, community, shift_id)


async def amend(
    uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, changes: dict[str, object]
) -> tuple[Row, list[Row]]:
    """Change a shift's details or places; more places promote from the waitlist at once."""
    community = principal.community
    async with uow:
        await require_leader(uow, principal, (await shift_of(uow, community, shift_id))["post_id"])
        shift = await shift_of(uow, community, shift_id, lock=True)
        if shift["status"] == "cancelled" or uow.now() >= shift["ends_at"]:
            raise RuleBroken(
                Reason.ENDED, "A cancelled or ended shift cannot be changed.", "已取消或已结束的班次不能修改。"
            )
        capacity = int(str(changes.get("capacity", shift["capacity"])))
        min_party = int(str(changes.get("min_party_members", shift["min_party_members"])))
        if capacity < shift["confirmed_count"]:
            raise RuleBroken(
                Reason.CAPACITY_BELOW_CONFIRMED,
                f"{shift['confirmed_count']} volunteers are confirmed; cancel sign-ups before lowering the capacity.",
                "已确认人数超过新名额，请先取消部分报名。",
                confirmed_count=shift["confirmed_count"],
            )
        if min_party > capacity:
            raise InvalidShift(*PARTY_ABOVE_CAPACITY)
        await uow.repo.amend_shift(
            shift_id,
            title=changes.get("title", shift["title"]),
            location=changes.get("location", shift["location"]),
            notes=changes.get("notes", shift["notes"]),
            capacity=capacity,
            min_party_members=min_party,
        )
        promoted = await promote(uow, community=community, shift_id=shift_id)
        await uow.audit("shift.changed", shift_id, principal, changes)
        return await shift_of(uow, community, shift_id), promoted
