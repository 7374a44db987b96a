"""Care visit commands (走访慰问), and the love-bank-per-year read model the candidates come from."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from contracts.envelope import CloudEvent
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.community.domain.visits import CareVisit, VisitNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork


def _year(uow: CommunityUnitOfWork, moment: datetime) -> int:
    """The community's year a moment falls in (its own time zone: New Year's Eve at 23:30 is that year)."""
    return moment.astimezone(uow.zone).year


async def add_points(uow: CommunityUnitOfWork, event: CloudEvent[PointsAwarded]) -> None:
    data = event.data
    async with uow:
        await uow.visits.add_to_year(event.community, data.person_id, _year(uow, data.awarded_at), points=data.points)


async def add_hours(uow: CommunityUnitOfWork, event: CloudEvent[ParticipationCompleted]) -> None:
    data = event.data
    async with uow:
        await uow.visits.add_to_year(event.community, data.volunteer_id, _year(uow, data.started_at), hours=data.hours)


async def plan(
    uow: CommunityUnitOfWork,
    *,
    community: str,
    actor: str,
    volunteer_id: str,
    planned_for: date,
    visitors: list[str],
) -> CareVisit:
    async with uow:
        standing = await uow.visits.standing(community, volunteer_id, planned_for.year)
        visit = CareVisit.plan(
            visit_id=uuid.uuid4(),
            community=community,
            standing=standing,
            volunteer_id=volunteer_id,
            planned_for=planned_for,
            visitors=visitors,
            actor=actor,
            now=uow.now(),
        )
        await uow.visits.add(visit)
        return visit


async def record(
    uow: CommunityUnitOfWork,
    *,
    visit_id: uuid.UUID,
    community: str,
    visited_at: datetime,
    visitors: list[str],
    note: str,
) -> CareVisit:
    async with uow:
        visit = await uow.visits.get_for_update(visit_id)
        if visit is None or visit.community != community:
            raise VisitNotFound(visit_id)
        visit.record(visited_at=visited_at, visitors=visitors, note=note, now=uow.now())
        await uow.visits.save(visit)
        return visit
