"""Admin routes: the community's categories and its Open311 api keys."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from contracts.enums import IssueCategory, Role
from services.intake.adapters import api_keys, categories
from services.intake.entrypoints.deps import get_intake_uow
from services.intake.entrypoints.schemas import ApiKeyIn, ApiKeyOut, CategoryIn, CategoryOut
from services.intake.service_layer import admin as commands
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["admin"])
admin = require_roles(Role.ADMIN)


def _category_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "customised": row["community"] != categories.DEFAULTS}


@router.get("/categories", response_model=list[CategoryOut], summary="The community's categories (11, a fixed set)")
async def list_categories(
    principal: Principal = Depends(current_principal), uow: IntakeUnitOfWork = Depends(get_intake_uow)
) -> list[dict[str, Any]]:
    async with uow.read() as conn:
        rows = await categories.list_categories(conn, principal.community)
    return [_category_out(r) for r in rows]


@router.put("/categories/{code}", response_model=CategoryOut, summary="Edit a category for this community (admin)")
async def put_category(
    code: IssueCategory,
    body: CategoryIn,
    principal: Principal = Depends(admin),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    values = body.model_dump()
    values["attributes"] = [a.model_dump() for a in body.attributes]
    return _category_out(await commands.save_category(uow, principal, code.value, values))


@router.post("/open311-keys", status_code=201, response_model=ApiKeyOut, summary="Issue an Open311 api key (admin)")
async def create_key(
    body: ApiKeyIn, principal: Principal = Depends(admin), uow: IntakeUnitOfWork = Depends(get_intake_uow)
) -> dict[str, Any]:
    key = body.key or secrets.token_urlsafe(32)
    row = await commands.create_key(uow, by=principal, key=key, principal=body.principal, name=body.name)
    return {**row, "key": key}


@router.get("/open311-keys", response_model=Page[ApiKeyOut], summary="The community's Open311 api keys (admin)")
async def list_keys(
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(admin),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        rows = await api_keys.list_keys(conn, principal.community, decode_keyset(cursor, datetime, uuid.UUID), limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": items, "next_cursor": next_cursor}


@router.delete("/open311-keys/{key_id}", status_code=204, summary="Revoke an Open311 api key (admin)")
async def revoke_key(
    key_id: uuid.UUID, principal: Principal = Depends(admin), uow: IntakeUnitOfWork = Depends(get_intake_uow)
) -> None:
    await commands.revoke_key(uow, principal, key_id)
