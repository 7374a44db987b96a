"""Editing an award rule: a new version each time, with the reason kept beside it."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.kernel.identity import Principal
from services.rewards.domain.errors import InvalidValues, NotFoundError
from services.rewards.domain.rules import PARAMS, validate_params
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork


async def edit(
    uow: RewardsUnitOfWork,
    community: str,
    rule_id: str,
    *,
    params: dict[str, Any],
    title: dict[str, str] | None,
    active: bool,
    reason: str,
    by: Principal,
) -> asyncpg.Record:
    """Write the next version of a rule; its title stays the current one's unless a new one is given.

    This instance forgets the community's rules at once, every other one on the database's notification."""
    if rule_id not in PARAMS:
        raise NotFoundError(f"There is no rule {rule_id!r}.", known_rules=sorted(PARAMS))
    checked = validate_params(rule_id, params).model_dump(mode="json", exclude_none=True)
    async with uow:
        current = {r["rule_id"]: r for r in await uow.rules.current_rows(community)}
        title = title or current[rule_id]["title"]
        if set(title) != {"zh-CN", "en"} or any(not v or len(v) > 200 for v in title.values()):
            raise InvalidValues("A title needs zh-CN and en texts of 1-200 characters.")
        row = await uow.rules.add_version(
            community, rule_id, params=checked, title=title, active=active, reason=reason, created_by=by.sub
        )
        await uow.audit(
            "rule.changed",
            rule_id,
            by,
            {"version": row["version"], "params": checked, "active": active, "reason": reason},
        )
    uow.components.rules.forget(community)
    return row


async def in_force(uow: RewardsUnitOfWork, community: str) -> list[asyncpg.Record]:
    """The rules in force in a community; its defaults are written, version 1, on its first read."""
    async with uow:
        return await uow.rules.current_rows(community)


async def versions(uow: RewardsUnitOfWork, community: str, rule_id: str) -> list[asyncpg.Record]:
    """Every version of a rule, newest first."""
    async with uow:
        return await uow.rules.versions(community, rule_id)
