"""Admin commands: a community's categories and its Open311 api keys."""

from __future__ import annotations

import uuid
from typing import Any

from services.intake.adapters import api_keys, categories
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.errors import DoesNotExist, RuleBroken


async def save_category(uow: IntakeUnitOfWork, community: str, code: str, values: dict[str, Any]) -> dict[str, Any]:
    """The community's own version of a category; this instance forgets its cached copy at once."""
    async with uow:
        row = await categories.save_category(uow.conn, community, code, values)
    uow.components.categories.forget(community)
    return row


async def create_key(uow: IntakeUnitOfWork, *, community: str, key: str, principal: str, name: str) -> dict[str, Any]:
    async with uow:
        row = await api_keys.create(uow.conn, community=community, key=key, principal=principal, name=name)
    if row is None:
        raise RuleBroken("That api key exists already.", reason="conflict")
    return row


async def revoke_key(uow: IntakeUnitOfWork, community: str, key_id: uuid.UUID) -> None:
    async with uow:
        if not await api_keys.revoke(uow.conn, community, key_id):
            raise DoesNotExist(f"There is no active api key {key_id}.")
