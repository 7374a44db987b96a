"""Admin commands: a community's categories and its Open311 api keys."""

from __future__ import annotations

import uuid
from typing import Any

from services.intake.adapters import api_keys, categories
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.errors import DoesNotExist, RuleBroken
from services.kernel.identity import Principal


async def save_category(uow: IntakeUnitOfWork, by: Principal, code: str, values: dict[str, Any]) -> dict[str, Any]:
    """The community's own version of a category; this instance forgets its cached copy at once (every
    other one when the database's notification reaches it, milliseconds later)."""
    async with uow:
        row = await categories.save_category(uow.conn, by.community, code, values)
        await uow.audit("category.changed", code, by, values)
    uow.components.categories.forget(by.community)
    return row


async def create_key(uow: IntakeUnitOfWork, *, by: Principal, key: str, principal: str, name: str) -> dict[str, Any]:
    """A new Open311 api key acting as `principal`; the audit log names it by id, never by the key itself."""
    async with uow:
        row = await api_keys.create(uow.conn, community=by.community, key=key, principal=principal, name=name)
        if row is None:
            raise RuleBroken("That api key exists already.", reason="conflict")
        await uow.audit("open311_key.issued", row["id"], by, {"name": name, "acts_as": principal})
    return row


async def revoke_key(uow: IntakeUnitOfWork, by: Principal, key_id: uuid.UUID) -> None:
    async with uow:
        if not await api_keys.revoke(uow.conn, by.community, key_id):
            raise DoesNotExist(f"There is no active api key {key_id}.")
        await uow.audit("open311_key.revoked", key_id, by)
