"""A person's data in notifications: everything exported as it is stored, and forgetting them in one transaction."""

from __future__ import annotations

from typing import Any

from services.kernel.privacy import Forgetting
from services.notifications.adapters import personal_data
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork


async def export_person(
    uow: NotificationsUnitOfWork, community: str, person_id: str
) -> dict[str, list[dict[str, Any]]]:
    async with uow.read() as conn:
        return await personal_data.export(conn, community, person_id)


async def forget_person(uow: NotificationsUnitOfWork, community: str, person_id: str, alias: str) -> Forgetting:
    async with uow:
        return await personal_data.forget(uow.conn, community, person_id, alias)
