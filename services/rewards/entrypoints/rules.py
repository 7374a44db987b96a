"""Award rules (admin): read the rules in force, their versions, and edit (a new version each time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import Role
from services.kernel.auth import Principal, current_principal, require_roles
from services.rewards.entrypoints.access import community_of
from services.rewards.entrypoints.deps import get_uow
from services.rewards.service_layer import rules as rule_commands
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork

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
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[RuleVersion]:
    where = community_of(principal, community)
    return [_out(r) for r in await rule_commands.in_force(uow, where)]


@router.get("/rules/{rule_id}/versions", response_model=list[RuleVersion], summary="Every version of a rule")
async def versions(
    rule_id: str,
    principal: Principal = Depends(current_principal),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> list[RuleVersion]:
    return [_out(r) for r in await rule_commands.versions(uow, principal.community, rule_id)]


@router.put("/rules/{rule_id}", response_model=RuleVersion, summary="Edit a rule: writes a new version")
async def edit(
    rule_id: str,
    body: RuleEdit,
    principal: Principal = Depends(require_roles(Role.ADMIN)),
    uow: RewardsUnitOfWork = Depends(get_uow),
) -> RuleVersion:
    row = await rule_commands.edit(
        uow,
        principal.community,
        rule_id,
        params=body.params,
        title=body.title,
        active=body.active,
        reason=body.reason,
        by=principal,
    )
    return _out(row)
