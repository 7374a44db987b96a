"""Commands of initiatives (倡议书): launch one, sign on to one (once per person)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.community.domain.initiatives import Initiative, InitiativeNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.identity import Principal


async def launch(
    uow: CommunityUnitOfWork,
    principal: Principal,
    *,
    title: str,
    body: str,
    closes_at: datetime | None,
    initiative_id: uuid.UUID | None = None,
) -> Initiative:
    async with uow:
        initiative = Initiative.launch(
            initiative_id=initiative_id or uuid.uuid4(),
            community=principal.community,
            title=title,
            body=body,
            closes_at=closes_at,
            launched_by=principal.sub,
            now=uow.now(),
        )
        await uow.initiatives.add(initiative)
        return initiative


async def sign(uow: CommunityUnitOfWork, principal: Principal, initiative_id: uuid.UUID) -> tuple[dict[str, Any], bool]:
    """A resident's sign-on and whether it is new. A second one is answered with the first and
    records nothing; a closed initiative refuses any."""
    async with uow:
        initiative = await uow.initiatives.get(initiative_id, principal.community)
        if initiative is None:
            raise InitiativeNotFound(initiative_id)
        first = await uow.initiatives.signature(initiative_id, principal.sub)
        if first is not None:
            return first, False
        signed = initiative.sign(principal.sub, principal.building_group, uow.now())
        if not await uow.initiatives.add_signature(signed):  # a concurrent twin got there first
            again = await uow.initiatives.signature(initiative_id, principal.sub)
            assert again is not None
            return again, False
        initiative.record(signed)
        return signed.model_dump(), True
