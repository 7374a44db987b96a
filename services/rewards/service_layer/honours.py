"""Honours: star levels granted automatically when hours cross a threshold; yearly honours by the committee."""

from __future__ import annotations

import uuid
from decimal import Decimal

from contracts.events.rewards import HonourGranted
from services.rewards.domain.errors import AlreadyExists
from services.rewards.domain.honours import HonourKind, levels_crossed, title
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork


async def grant_crossed(
    uow: RewardsUnitOfWork, community: str, person_id: str, before: Decimal, after: Decimal, building_group: int | None
) -> list[int]:
    """Grant each star level crossed when the person's confirmed hours grew from `before` to `after`."""
    granted = []
    for level in levels_crossed(before, after):
        if await _grant(uow, community, person_id, HonourKind.STAR_LEVEL, level=level, building_group=building_group):
            granted.append(level)
    return granted


async def grant_yearly(
    uow: RewardsUnitOfWork,
    community: str,
    person_id: str,
    kind: HonourKind,
    year: int,
    *,
    granted_by: str,
    building_group: int | None,
    citation: str | None,
) -> uuid.UUID:
    """A yearly honour granted by the committee, once per person, kind and year; the building group,
    when not given, is the one of the person's account."""
    async with uow:
        if building_group is None:
            account = await uow.ledger.person_account(community, person_id)
            building_group = account["building_group"] if account else None
        honour_id = await _grant(
            uow,
            community,
            person_id,
            kind,
            year=year,
            building_group=building_group,
            granted_by=granted_by,
            citation=citation,
        )
        if honour_id is None:
            raise AlreadyExists(f"{person_id} already holds this honour for {year}.")
        return honour_id


async def _grant(
    uow: RewardsUnitOfWork,
    community: str,
    person_id: str,
    kind: HonourKind,
    *,
    level: int | None = None,
    year: int | None = None,
    building_group: int | None = None,
    granted_by: str | None = None,
    citation: str | None = None,
) -> uuid.UUID | None:
    now = uow.now()
    honour_id = await uow.ledger.insert_honour(
        community,
        person_id,
        str(kind),
        level=level,
        year=year,
        building_group=building_group,
        citation=citation,
        granted_by=granted_by,
        granted_at=now,
    )
    if honour_id is None:
        return None
    await uow.emit(
        HonourGranted(
            honour_id=honour_id,
            person_id=person_id,
            kind=kind.value,
            level=level,
            year=year,
            title=title(kind, level, year),
            building_group=building_group,
            granted_by=granted_by,
            granted_at=now,
        ),
        community=community,
        subject=person_id,
    )
    return honour_id
