"""Commands of the neighbourhood festival: open it, propose, support, adopt, schedule, sign up, cancel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.community.domain.festival import Activity, ActivityNotFound, Festival, FestivalNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel import errors
from services.kernel.identity import Principal


@dataclass(frozen=True)
class NewFestival:
    year: int
    edition: int | None
    theme: str
    proposals_close_at: datetime


async def open_festival(uow: CommunityUnitOfWork, principal: Principal, new: NewFestival) -> Festival:
    """One festival per community and year; the second of a year is refused (409 festival-exists)."""
    async with uow:
        if new.proposals_close_at <= uow.now():
            raise errors.InvalidInput(
                "Proposals must close in the future / 征集截止须在将来.", field="proposals_close_at"
            )
        festival = Festival(
            id=uuid.uuid4(),
            community=principal.community,
            year=new.year,
            edition=new.edition,
            theme=new.theme.strip(),
            proposals_close_at=new.proposals_close_at,
        )
        if not await uow.festival.open(festival, principal.sub, uow.now()):
            raise errors.RuleBroken(
                f"The {new.year} festival is already open / {new.year} 年邻里节已存在.", reason="festival-exists"
            )
        await uow.audit("festival.opened", festival.id, principal, {"year": new.year, "theme": festival.theme})
        return festival


async def propose(
    uow: CommunityUnitOfWork, principal: Principal, festival_id: uuid.UUID, *, title: str, description: str
) -> uuid.UUID:
    async with uow:
        festival = await uow.festival.festival(festival_id)
        if festival is None or festival.community != principal.community:
            raise FestivalNotFound(festival_id)
        festival.check_open_for_proposals(uow.now())
        activity = Activity(id=uuid.uuid4(), festival=festival, title=title.strip(), proposed_by=principal.sub)
        await uow.festival.propose(activity, description.strip(), uow.now())
        return activity.id


async def _activity(uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID) -> Activity:
    activity = await uow.festival.activity_for_update(activity_id)
    if activity is None or activity.community != principal.community:
        raise ActivityNotFound(activity_id)
    return activity


async def support(uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID) -> None:
    """A person's support of a proposal, once: a second changes nothing."""
    async with uow:
        activity = await _activity(uow, principal, activity_id)
        activity.check_supportable()
        await uow.festival.support(activity_id, principal.sub, uow.now())


async def adopt(uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID) -> Activity:
    async with uow:
        activity = await _activity(uow, principal, activity_id)
        activity.adopt(principal.sub, uow.now())
        await uow.festival.save(activity)
        uow.collect(activity)
        await uow.audit("proposal.adopted", activity_id, principal)
        return activity


async def schedule(
    uow: CommunityUnitOfWork,
    principal: Principal,
    activity_id: uuid.UUID,
    *,
    starts_at: datetime,
    ends_at: datetime,
    location: str | None,
    capacity: int | None,
) -> Activity:
    async with uow:
        activity = await _activity(uow, principal, activity_id)
        activity.schedule(starts_at=starts_at, ends_at=ends_at, location=location, capacity=capacity, now=uow.now())
        await uow.festival.save(activity)
        uow.collect(activity)
        return activity


async def sign_up(uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID) -> bool:
    """Sign the caller up; True when new, False when already signed up (nothing changes).
    Capacity is counted under the activity's row lock, so concurrent last places never overfill."""
    async with uow:
        activity = await _activity(uow, principal, activity_id)
        if await uow.festival.is_signed_up(activity_id, principal.sub):
            return False
        activity.check_sign_up(await uow.festival.signed_up(activity_id), uow.now())
        return await uow.festival.sign_up(
            activity_id, principal.sub, principal.name, principal.building_group, uow.now()
        )


async def cancel_sign_up(uow: CommunityUnitOfWork, principal: Principal, activity_id: uuid.UUID) -> None:
    async with uow:
        await _activity(uow, principal, activity_id)
        if not await uow.festival.cancel(activity_id, principal.sub):
            raise errors.DoesNotExist("You have not signed up for this activity / 您未报名该活动.")
