"""Venture project commands (微公益创投): apply, revise, approve or return, link shifts, close."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from contracts.envelope import CloudEvent
from contracts.events.shifts import ParticipationCompleted
from services.community.domain.ventures import Plan, Venture, VentureNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.errors import RuleBroken
from services.kernel.identity import Principal

log = logging.getLogger("linli.community.ventures")


class ShiftLinkedElsewhere(RuleBroken):
    def __init__(self, shift_id: uuid.UUID, venture_id: uuid.UUID) -> None:
        super().__init__(
            f"Shift {shift_id} already counts for venture {venture_id} / 该班次已关联其他项目.",
            reason="shift-linked-to-another-venture",
            venture_id=str(venture_id),
        )


async def _load(uow: CommunityUnitOfWork, venture_id: uuid.UUID, community: str) -> Venture:
    venture = await uow.ventures.get_for_update(venture_id)
    if venture is None or venture.community != community:
        raise VentureNotFound(venture_id)
    return venture


async def apply(uow: CommunityUnitOfWork, *, community: str, lead_id: str, plan: Plan) -> Venture:
    async with uow:
        venture = Venture.apply(venture_id=uuid.uuid4(), community=community, lead_id=lead_id, plan=plan, now=uow.now())
        await uow.ventures.add(venture)
        return venture


async def revise(uow: CommunityUnitOfWork, *, venture_id: uuid.UUID, community: str, actor: str, plan: Plan) -> Venture:
    """The lead revises a returned application; it is submitted again."""
    async with uow:
        venture = await _load(uow, venture_id, community)
        venture.revise(actor, plan)
        await uow.ventures.save(venture, uow.now())
        return venture


async def decide(
    uow: CommunityUnitOfWork,
    *,
    venture_id: uuid.UUID,
    by: Principal,
    approve: bool,
    reason: str | None,
) -> Venture:
    async with uow:
        venture = await _load(uow, venture_id, by.community)
        if approve:
            venture.approve(by.sub, uow.now())
        else:
            venture.return_to_team(by.sub, reason or "", uow.now())
        await uow.ventures.save(venture, uow.now())
        await uow.audit("venture.decided", venture_id, by, {"approve": approve, "reason": reason})
        return venture


async def link_shift(
    uow: CommunityUnitOfWork, *, venture_id: uuid.UUID, community: str, actor: str, shift_id: uuid.UUID
) -> Venture:
    """The lead links a shift its activity ran as; linking it again is a no-op, to another venture a 409."""
    async with uow:
        venture = await _load(uow, venture_id, community)
        venture.may_link_shift(actor)
        linked = await uow.ventures.link_shift(venture, shift_id, actor, uow.now())
        if linked != venture.id:
            raise ShiftLinkedElsewhere(shift_id, linked)
        return venture


async def close(
    uow: CommunityUnitOfWork, *, venture_id: uuid.UUID, community: str, actor: str, spent: Decimal, report: str
) -> Venture:
    """The closing report: spend and text from the lead, participation counted from shifts' events."""
    async with uow:
        venture = await _load(uow, venture_id, community)
        participation = await uow.ventures.participation(venture)
        venture.close(actor, spent=spent, report=report, participation=participation, now=uow.now())
        await uow.ventures.save(venture, uow.now())
        return venture


async def record_participation(uow: CommunityUnitOfWork, event: CloudEvent[ParticipationCompleted]) -> bool:
    """Keep a confirmed participation; a venture's closing report counts those of its linked shifts
    (kept whether or not the shift is linked yet: the lead may link it after it ran).
    False when this participation was kept before."""
    async with uow:
        return await uow.ventures.record_participation(event.community, event.data)
