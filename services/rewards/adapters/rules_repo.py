"""Award rules in Postgres: versions are rows; the newest version of a rule is in force."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.kernel.cache import Cache
from services.kernel.db import Connection
from services.rewards.domain.errors import AlreadyExists, NotFoundError
from services.rewards.domain.rules import DEFAULT_RULES, PARAMS, Rule

_CURRENT = """
SELECT DISTINCT ON (rule_id) rule_id, version, trigger, params, title, active, reason, created_by, created_at
FROM rules WHERE community = $1 ORDER BY rule_id, version DESC
"""
_DEFAULT = """
INSERT INTO rules (community, rule_id, version, trigger, params, title, created_by, reason)
VALUES ($1, $2, 1, $3, $4, $5, 'system', 'default')
ON CONFLICT DO NOTHING
"""
_VERSIONS = "SELECT * FROM rules WHERE community = $1 AND rule_id = $2 ORDER BY version DESC"
_ADD_VERSION = """
INSERT INTO rules (community, rule_id, version, trigger, params, title, active, reason, created_by)
SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7, $8
FROM rules WHERE community = $1 AND rule_id = $2
RETURNING *
"""


def _rule(row: asyncpg.Record) -> Rule:
    return Rule(row["rule_id"], row["version"], row["trigger"], row["params"], row["title"], row["active"])


InForce = dict[str, Rule]
"""A community's rules in force by rule id."""


def rules_cache() -> Cache[InForce]:
    """Each community's rules in force, kept per process instead of read for every event; every
    instance forgets a community's when a version is added (migration 20261207030300_rewards_caches)."""
    return Cache("rules")


class RulesRepository:
    """The rule versions of the communities, on one connection (the defaults written on first use)."""

    def __init__(self, conn: Connection, cache: Cache[InForce] | None = None) -> None:
        self.conn = conn
        self.cache = cache or rules_cache()

    async def current_rows(self, community: str) -> list[asyncpg.Record]:
        rows = await self.conn.fetch(_CURRENT, community)
        if {r["rule_id"] for r in rows} >= set(DEFAULT_RULES):
            return list(rows)
        for rule_id, (params, title) in DEFAULT_RULES.items():
            await self.conn.execute(_DEFAULT, community, rule_id, PARAMS[rule_id][0], params, title)
        return list(await self.conn.fetch(_CURRENT, community))

    async def current(self, community: str) -> InForce:
        """Rules in force in a community (the defaults, version 1, are written on first use), from the cache.

        Only rules that were there already are kept: defaults this transaction writes are not, until
        it has committed (it may yet roll back, and an award must name a version that exists)."""

        async def load() -> InForce:
            return {r["rule_id"]: _rule(r) for r in await self.conn.fetch(_CURRENT, community)}

        rules = await self.cache.get(community, load)
        if rules.keys() >= DEFAULT_RULES.keys():
            return rules
        self.cache.forget(community)
        return {r["rule_id"]: _rule(r) for r in await self.current_rows(community)}

    async def versions(self, community: str, rule_id: str) -> list[asyncpg.Record]:
        await self.current_rows(community)
        rows = await self.conn.fetch(_VERSIONS, community, rule_id)
        if not rows:
            raise NotFoundError(f"There is no rule {rule_id!r}.")
        return list(rows)

    async def add_version(
        self,
        community: str,
        rule_id: str,
        *,
        params: dict[str, Any],
        title: dict[str, str],
        active: bool,
        reason: str,
        created_by: str,
    ) -> asyncpg.Record:
        """A new version of a rule; two admins editing at once: one wins, the other gets a 409."""
        try:
            row = await self.conn.fetchrow(
                _ADD_VERSION, community, rule_id, PARAMS[rule_id][0], params, title, active, reason, created_by
            )
        except asyncpg.UniqueViolationError as exc:
            raise AlreadyExists("Someone else edited this rule at the same moment; reload and try again.") from exc
        assert row is not None
        return row
