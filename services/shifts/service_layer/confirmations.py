"""The post leader confirms each participant: completed (with counted hours) or no_show."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from contracts.enums import PostType
from contracts.events.shifts import ParticipationCompleted, ParticipationNoShow
from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.domain import rules
from services.shifts.domain.errors import OwnParticipation, Reason, RuleBroken, SignupNotFound
from services.shifts.service_layer.access import require_leader, shift_of
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork


@dataclass(frozen=True)
class Confirmation:
    volunteer_id: str
    outcome: Literal["completed", "no_show"]
    hours: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Confirmed:
    participation: Row
    new: bool
    suspended: bool = False


async def confirm_participants(
    uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, items: Sequence[Confirmation]
) -> list[Confirmed]:
    """All or nothing: one bad line changes nothing. Confirming again returns the first result and emits nothing.

    Locks the volunteers (in id order) before the shift: the lock order of a sign-up, so no deadlock."""
    community = principal.community
    async with uow:
        await require_leader(uow, principal, (await shift_of(uow, community, shift_id))["post_id"])
        volunteers = await uow.repo.lock_volunteers(community, [item.volunteer_id for item in items])
        shift = await shift_of(uow, community, shift_id, lock=True)
        confirmed = [
            await _confirm(
                uow,
                community=community,
                shift=shift,
                volunteer=volunteers.get(i.volunteer_id),
                item=i,
                by=principal.sub,
            )
            for i in items
        ]
        new = [vars(item) for item, result in zip(items, confirmed, strict=True) if result.new]
        if new:  # confirming again changes nothing, so it is not audited again
            await uow.audit("participation.confirmed", shift_id, principal, {"participants": new})
        return confirmed


async def _confirm(
    uow: ShiftsUnitOfWork, *, community: str, shift: Row, volunteer: Row | None, item: Confirmation, by: str
) -> Confirmed:
    """Record one participant's outcome once: the unique (shift, volunteer) key makes a second
    confirmation return the first one and emit nothing."""
    if item.volunteer_id == by:
        raise OwnParticipation(by)
    shift_id: uuid.UUID = shift["id"]
    now = uow.now()
    existing = await uow.repo.participation(shift_id, item.volunteer_id)
    if existing is not None:
        if existing["outcome"] != item.outcome:
            raise RuleBroken(
                Reason.ALREADY_CONFIRMED,
                f"Already confirmed as {existing['outcome']}.",
                "该志愿者的参与情况已确认。",
                participation_id=str(existing["id"]),
                outcome=existing["outcome"],
            )
        return Confirmed(existing, new=False)
    if shift["status"] != "scheduled":
        raise RuleBroken(Reason.SHIFT_CANCELLED, "This shift has been cancelled.", "该班次已取消。")
    if now < shift["starts_at"]:
        raise RuleBroken(
            Reason.NOT_STARTED,
            "Participation can be confirmed once the shift has started.",
            "班次开始后才能确认参与情况。",
        )
    signup = await uow.repo.live_signup(shift_id, item.volunteer_id)
    if signup is None or signup["status"] != "confirmed":
        raise SignupNotFound(item.volunteer_id, confirmed=True)
    assert volunteer is not None  # a confirmed sign-up implies a registered volunteer
    if item.outcome == "completed":
        counted = rules.counted_service(
            rules.Planned(shift["starts_at"], shift["ends_at"]),
            checked_in_at=signup["checked_in_at"],
            checked_out_at=signup["checked_out_at"],
            hours=item.hours,
            reason=item.reason,
        )
        row = await uow.repo.add_participation(
            shift=shift, volunteer_id=item.volunteer_id, community=community, outcome="completed", by=by, at=now,
            counted=counted,
        )  # fmt: skip
        await uow.emit(
            ParticipationCompleted(
                participation_id=row["id"],
                shift_id=shift_id,
                volunteer_id=item.volunteer_id,
                post_type=PostType(shift["post_type"]),
                building_group=volunteer["building_group"],
                hours=float(row["hours"]),
                started_at=counted.started_at,
                ended_at=counted.ended_at,
                confirmed_by=by,
                confirmed_at=now,
            ),
            community=community,
            subject=item.volunteer_id,
        )
        return Confirmed(row, new=True)
    row = await uow.repo.add_participation(
        shift=shift, volunteer_id=item.volunteer_id, community=community, outcome="no_show", by=by, at=now,
        counted=None,
    )  # fmt: skip
    await uow.emit(
        ParticipationNoShow(
            participation_id=row["id"],
            shift_id=shift_id,
            volunteer_id=item.volunteer_id,
            post_type=PostType(shift["post_type"]),
            confirmed_by=by,
            confirmed_at=now,
        ),
        community=community,
        subject=item.volunteer_id,
    )
    suspended = await _suspend_if_needed(uow, volunteer)
    return Confirmed(row, new=True, suspended=suspended)


async def _suspend_if_needed(uow: ShiftsUnitOfWork, volunteer: Row) -> bool:
    """Too many no-shows in the window (counting only those after the last re-approval) suspend the volunteer."""
    now = uow.now()
    since = now - uow.policy.no_show_window
    if volunteer["approved_at"] is not None:
        since = max(since, volunteer["approved_at"])
    count = await uow.repo.recent_no_shows(volunteer["community"], volunteer["id"], since)
    if volunteer["suspended_at"] is None and rules.should_suspend(count, uow.policy):
        reason = f"{count} no-shows since {since.date().isoformat()}"
        await uow.repo.suspend(volunteer["community"], volunteer["id"], at=now, reason=reason)
        return True
    return False
