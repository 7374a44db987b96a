"""A person's data in community: everything exported as it is stored, and forgetting them in one transaction."""

from __future__ import annotations

from typing import Any

from services.community.adapters import personal_data
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.privacy import Forgetting


async def export_person(uow: CommunityUnitOfWork, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    async with uow.read() as conn:
        return await personal_data.export(conn, community, person_id)


async def forget_person(uow: CommunityUnitOfWork, community: str, person_id: str, alias: str) -> Forgetting:
    async with uow:
        return await personal_data.forget(uow.conn, community, person_id, alias)
