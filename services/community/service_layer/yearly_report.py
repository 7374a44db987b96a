"""The yearly report: facts recorded as events arrive, figures read back for a year."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.envelope import CloudEvent
from services.community.adapters import report
from services.community.domain.yearly_report import FigureValue, assemble, facts_of
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.errors import DoesNotExist

FIRST_YEAR = 2000


async def record(uow: CommunityUnitOfWork, event: CloudEvent[Any]) -> None:
    """What the event adds to its community's figures, in the consumer's transaction (so exactly once)."""
    facts = facts_of(event, uow.zone)
    async with uow:
        await report.record(uow.conn, event.id, event.type, event.community, facts)


async def figures(uow: CommunityUnitOfWork, community: str, year: int) -> tuple[list[FigureValue], datetime]:
    """Every figure of the community's year and when they were read."""
    if not FIRST_YEAR <= year <= uow.local_now().year:
        raise DoesNotExist(
            f"There is no report for {year} yet: choose a year from {FIRST_YEAR} to this one.",
            detail_zh=f"没有{year}年的报告。",
        )
    async with uow.read() as conn:
        values = await report.figures(conn, community, year)
    return assemble(values), uow.now()


async def years(uow: CommunityUnitOfWork, community: str) -> list[int]:
    """The years any fact was recorded for, newest first."""
    async with uow.read() as conn:
        return await report.years(conn, community)
