"""Who may act on a post: its leaders, and committee members and admins for every post of their community."""

from __future__ import annotations

import uuid

from contracts.enums import Role
from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.domain.errors import NotALeader, PostNotSetUp, ShiftNotFound
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

MANAGERS = (Role.COMMITTEE, Role.ADMIN)
"""Committee members and admins act as leaders of every post of their community."""


async def leads(uow: ShiftsUnitOfWork, principal: Principal, post_id: uuid.UUID) -> bool:
    return principal.has(*MANAGERS) or await uow.repo.is_post_leader(post_id, principal.sub)


async def leads_any(uow: ShiftsUnitOfWork, principal: Principal) -> bool:
    return principal.has(*MANAGERS) or await uow.repo.leads_a_post(principal.community, principal.sub)


async def require_leader(uow: ShiftsUnitOfWork, principal: Principal, post_id: uuid.UUID) -> None:
    if not await leads(uow, principal, post_id):
        raise NotALeader()


async def post_of(uow: ShiftsUnitOfWork, community: str, post_type: str) -> Row:
    post = await uow.repo.post_by_type(community, post_type)
    if post is None:
        raise PostNotSetUp(post_type)
    return post


async def shift_of(uow: ShiftsUnitOfWork, community: str, shift_id: uuid.UUID, *, lock: bool = False) -> Row:
    shift = await uow.repo.shift(community, shift_id, lock=lock)
    if shift is None:
        raise ShiftNotFound(shift_id)
    return shift
