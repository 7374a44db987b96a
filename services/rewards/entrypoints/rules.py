"""Award rules (admin): read the rules in force, their versions, and edit (a new version each time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.rewards.adapters import rules_repo
from services.rewards.domain.errors import InvalidInput, NotFoundError
from services.rewards.domain.rules import PARAMS, validate_params
from services.rewards.entrypoints.access import community_of

router = APIRouter(tags=["rules"])


class RuleVersion(BaseModel):
    rule_id: str
    version: int
    trigger: str
    params: dict[str, Any]
    title: dict[str, str]
    active: bool
    reason: str | None
    created_by: str
    created_at: datetime


class RuleEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    params: dict[str, Any] = Field(description="The whole parameter set of the new version (see GET /rules).")
    title: dict[str, str] | None = Field(default=None, description="zh-CN and en; unchanged when absent.")
    active: bool = True
    reason: str = Field(min_length=3, max_length=2000, description="Why the rule changes (kept with the version).")


def _out(row: Any) -> RuleVersion:
    return RuleVersion(**{k: row[k] for k in RuleVersion.model_fields})


@router.get("/rules", response_model=list[RuleVersion], summary="The award rules in force")
async def rules(
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[RuleVersion]:
    where = community_of(principal, community)
    async with ctx.pool.acquire() as conn:
        return [_out(r) for r in await rules_repo.current_rows(conn, where)]


@router.get("/rules/{rule_id}/versions", response_model=list[RuleVersion], summary="Every version of a rule")
async def versions(
    rule_id: str,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[RuleVersion]:
    async with ctx.pool.acquire() as conn:
        return [_out(r) for r in await rules_repo.versions(conn, principal.community, rule_id)]


@router.put("/rules/{rule_id}", response_model=RuleVersion, summary="Edit a rule: writes a new version")
async def edit(
    rule_id: str,
    body: RuleEdit,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    ctx: ServiceContext = Depends(get_ctx),
) -> RuleVersion:
    if rule_id not in PARAMS:
        raise NotFoundError(f"There is no rule {rule_id!r}.", known_rules=sorted(PARAMS))
    params = validate_params(rule_id, body.params).model_dump(mode="json")
    async with ctx.pool.acquire() as conn, conn.transaction():
        current = {r["rule_id"]: r for r in await rules_repo.current_rows(conn, principal.community)}
        title = body.title or current[rule_id]["title"]
        if set(title) != {"zh-CN", "en"} or any(not v or len(v) > 200 for v in title.values()):
            raise InvalidInput("A title needs zh-CN and en texts of 1-200 characters.")
        row = await rules_repo.add_version(
            conn,
            principal.community,
            rule_id,
            params=params,
            title=title,
            active=body.active,
            reason=body.reason,
            created_by=principal.sub,
        )
    return _out(row)
