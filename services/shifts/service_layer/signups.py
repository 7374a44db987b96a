"""Sign-up, cancellation (with waitlist promotion), check-in and check-out.

Lock order, a correctness rule: a command that locks a volunteer's row does so BEFORE the
shift's row (`sign_up`, and `confirmations.confirm_participants` for several volunteers, in id
order); commands that lock only the shift (cancellation, check-in/out, changes to the shift)
never take a volunteer's lock afterwards. So two commands never wait on each other in a circle.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from contracts.enums import VolunteerKind
from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.domain import rules
from services.shifts.domain.errors import NotALeader, NotAVolunteer, Reason, RuleBroken, SignupNotFound
from services.shifts.service_layer import events
from services.shifts.service_layer.access import leads, shift_of
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork


@dataclass(frozen=True)
class SignupResult:
    signup: Row
    waitlist_position: int | None


async def acting_for(uow: ShiftsUnitOfWork, principal: Principal, shift: Row, volunteer_id: str) -> bool:
    """Whether the caller acts as a leader; someone else's sign-up needs a leader of the post."""
    leader = await leads(uow, principal, shift["post_id"])
    if volunteer_id != principal.sub and not leader:
        raise NotALeader("Only this post's leaders may act for another volunteer.", "只有本岗位负责人可以代他人操作。")
    return leader


async def sign_up(
    uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, volunteer_id: str
) -> SignupResult:
    """Confirmed within capacity, else waitlisted. Locks the volunteer, then the shift: the shift's row
    lock serialises every sign-up for it, so concurrent requests never exceed capacity; the volunteer's
    lock stops one person taking two overlapping shifts at once."""
    community = principal.community
    async with uow:
        leader = await acting_for(uow, principal, await shift_of(uow, community, shift_id), volunteer_id)
        volunteer = await uow.repo.volunteer(community, volunteer_id, lock=True)
        if volunteer is None:
            raise NotAVolunteer(volunteer_id)
        shift = await shift_of(uow, community, shift_id, lock=True)
        now = uow.now()
        view = await uow.repo.shift_view(shift)
        rules.check_open_shift(view, now)
        existing = await uow.repo.live_signup(shift_id, volunteer_id)
        if existing is not None:
            raise RuleBroken(
                Reason.ALREADY_SIGNED_UP,
                f"Already signed up ({existing['status']}).",
                "已报名该班次。",
                signup_id=str(existing["id"]),
                signup_status=existing["status"],
            )
        overlap = await uow.repo.overlapping(community, volunteer_id, shift_id, shift["starts_at"], shift["ends_at"])
        status = rules.decide_signup(
            view,
            kind=VolunteerKind(volunteer["kind"]),
            suspended=volunteer["suspended_at"] is not None,
            overlap=overlap,
            now=now,
            policy=uow.policy,
            by_leader=leader,
        )
        signup = await uow.repo.add_signup(
            shift_id=shift_id, community=community, volunteer_id=volunteer_id, status=status, by=principal.sub, at=now
        )
        await uow.emit(events.signup_created(signup, shift), community=community, subject=shift_id)
        position = await uow.repo.waitlist_position(signup) if status == "waitlisted" else None
        return SignupResult(signup, position)


async def cancel_signup(
    uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, volunteer_id: str
) -> list[Row]:
    """Cancel a sign-up and promote from the waitlist; returns the promoted sign-ups."""
    community = principal.community
    async with uow:
        leader = await acting_for(uow, principal, await shift_of(uow, community, shift_id), volunteer_id)
        shift = await shift_of(uow, community, shift_id, lock=True)
        signup = await uow.repo.live_signup(shift_id, volunteer_id)
        if signup is None:
            raise SignupNotFound(volunteer_id)
        now = uow.now()
        view = await uow.repo.shift_view(shift)
        rules.check_cancellation(view, status=signup["status"], now=now, policy=uow.policy, by_leader=leader)
        cancelled = await uow.repo.cancel_signup(signup, by=principal.sub, at=now)
        await uow.emit(events.signup_cancelled(cancelled, shift), community=community, subject=shift_id)
        return await promote(uow, community=community, shift_id=shift_id)


async def promote(uow: ShiftsUnitOfWork, *, community: str, shift_id: uuid.UUID) -> list[Row]:
    """Fill free places from the waitlist (inside an open unit of work holding the shift's row lock)."""
    shift = await shift_of(uow, community, shift_id, lock=True)
    now = uow.now()
    if shift["status"] != "scheduled" or now >= shift["ends_at"]:
        return []
    view = await uow.repo.shift_view(shift)
    chosen = rules.to_promote(view, await uow.repo.waitlist(shift_id))
    promoted = await uow.repo.promote(shift_id, [uuid.UUID(s) for s in chosen], now)
    for row in promoted:
        await uow.emit(events.signup_promoted(row, shift), community=community, subject=shift_id)
    return promoted


async def check_in(uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, volunteer_id: str) -> Row:
    community = principal.community
    async with uow:
        await acting_for(uow, principal, await shift_of(uow, community, shift_id), volunteer_id)
        shift = await shift_of(uow, community, shift_id, lock=True)
        signup = await _confirmed_signup(uow, shift_id, volunteer_id)
        now = uow.now()
        rules.check_check_in(await uow.repo.shift_view(shift), now=now, policy=uow.policy)
        if signup["checked_in_at"] is not None:
            return signup
        return await uow.repo.check_in(signup["id"], now)


async def check_out(uow: ShiftsUnitOfWork, principal: Principal, *, shift_id: uuid.UUID, volunteer_id: str) -> Row:
    community = principal.community
    async with uow:
        await acting_for(uow, principal, await shift_of(uow, community, shift_id), volunteer_id)
        await shift_of(uow, community, shift_id, lock=True)
        signup = await _confirmed_signup(uow, shift_id, volunteer_id)
        if signup["checked_in_at"] is None:
            raise RuleBroken(Reason.NOT_CHECKED_IN, "Check in before checking out.", "请先签到再签退。")
        if signup["checked_out_at"] is not None:
            return signup
        return await uow.repo.check_out(signup["id"], max(uow.now(), signup["checked_in_at"]))


async def _confirmed_signup(uow: ShiftsUnitOfWork, shift_id: uuid.UUID, volunteer_id: str) -> Row:
    signup = await uow.repo.live_signup(shift_id, volunteer_id)
    if signup is None or signup["status"] != "confirmed":
        raise SignupNotFound(volunteer_id, confirmed=True)
    return signup
