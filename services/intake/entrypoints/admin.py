"""Admin routes: edit categories (names, Open311 attributes) and manage Open311 api keys."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query

from contracts.enums import IssueCategory, Role
from services.intake.adapters import api_keys, categories
from services.intake.entrypoints.deps import categories_of, page, time_id_cursor
from services.intake.entrypoints.schemas import ApiKeyIn, ApiKeyOut, CategoryIn, CategoryOut
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page
from services.kernel.problems import Conflict, NotFound

router = APIRouter(tags=["admin"])
admin = require_roles(Role.ADMIN)


def _category_out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "customised": row["community"] != categories.DEFAULTS}


@router.get("/categories", response_model=list[CategoryOut], summary="The community's categories (11, a fixed set)")
async def list_categories(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[dict[str, Any]]:
    async with ctx.pool.acquire() as conn:
        rows = await categories.list_categories(conn, principal.community)
    return [_category_out(r) for r in rows]


@router.put("/categories/{code}", response_model=CategoryOut, summary="Edit a category for this community (admin)")
async def put_category(
    code: IssueCategory,
    body: CategoryIn,
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    values = body.model_dump()
    values["attributes"] = [a.model_dump() for a in body.attributes]
    async with ctx.pool.acquire() as conn:
        row = await categories.save_category(conn, principal.community, code.value, values)
    categories_of(ctx).forget(principal.community)
    return _category_out(row)


@router.post("/open311-keys", status_code=201, response_model=ApiKeyOut, summary="Issue an Open311 api key (admin)")
async def create_key(
    body: ApiKeyIn, principal: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    key = body.key or secrets.token_urlsafe(32)
    async with ctx.pool.acquire() as conn:
        row = await api_keys.create(
            conn, community=principal.community, key=key, principal=body.principal, name=body.name
        )
    if row is None:
        raise Conflict("That api key exists already.")
    return {**row, "key": key}


@router.get("/open311-keys", response_model=Page[ApiKeyOut], summary="The community's Open311 api keys (admin)")
async def list_keys(
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        rows = await api_keys.list_keys(conn, principal.community, time_id_cursor(cursor), limit)
    items, next_cursor = page(rows, limit, "created_at", "id")
    return {"items": items, "next_cursor": next_cursor}


@router.delete("/open311-keys/{key_id}", status_code=204, summary="Revoke an Open311 api key (admin)")
async def revoke_key(
    key_id: uuid.UUID, principal: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)
) -> None:
    async with ctx.pool.acquire() as conn:
        if not await api_keys.revoke(conn, principal.community, key_id):
            raise NotFound(f"There is no active api key {key_id}.")
