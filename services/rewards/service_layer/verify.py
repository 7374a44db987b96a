"""The auditor: recompute the books from the postings and compare with what is cached.

The issuance account caches no balance (migration 20261130100000): its balance is minus the sum
of the others, so `sum_of_all_postings` = 0 together with every other account's cached balance
matching its postings is what proves it (the checks are adapters/queries.py CHECKS)."""

from __future__ import annotations

from typing import Any

from services.rewards.adapters import queries
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork


async def verify(uow: RewardsUnitOfWork, community: str | None) -> dict[str, Any]:
    """A report of every check; `clean` is true when nothing was found. Runs in one REPEATABLE READ snapshot."""
    async with uow.read() as conn:
        report = await queries.audit(conn, community)
    report["clean"] = report["sum_of_all_postings"] == 0 and not any(report[name] for name in queries.CHECKS)
    return report
