"""Honours: star levels granted automatically when hours cross a threshold; yearly honours by the committee."""

from __future__ import annotations

import uuid
from decimal import Decimal

from contracts.envelope import CloudEvent
from contracts.events.community import SelectionConcluded
from contracts.events.rewards import HonourGranted
from services.kernel.identity import Principal
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
    by: Principal,
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
            granted_by=by.sub,
            citation=citation,
        )
        if honour_id is None:
            raise AlreadyExists(f"{person_id} already holds this honour for {year}.")
        await uow.audit(
            "honour.granted",
            honour_id,
            by,
            {
                "person_id": person_id,
                "kind": kind,
                "year": year,
                "building_group": building_group,
                "citation": citation,
            },
        )
        return honour_id


SELECTION_HONOURS = uuid.UUID("5b1f7c1e-9a64-4f0e-8d8a-6f3c2b7e1d20")
"""The namespace of honours granted for a selection: uuid5(namespace, "<selection id>/<person id>")."""


def selection_honour_id(selection_id: uuid.UUID, person_id: str) -> uuid.UUID:
    """The one honour a selection grants a winner: the same id however often the event arrives."""
    return uuid.uuid5(SELECTION_HONOURS, f"{selection_id}/{person_id}")


async def on_selection_concluded(uow: RewardsUnitOfWork, event: CloudEvent[SelectionConcluded]) -> None:
    """Each winner of a public selection (评选) gets the honour of its category for its year, once.

    Exactly once twice over: the kernel records the event as processed in this transaction (a
    redelivery is skipped), and the honour's id is derived from the selection and the person
    (with the one-per-person-kind-and-year key), so even a duplicate event with a new id grants
    nothing again and emits no second honour.granted."""
    data = event.data
    kind = HonourKind(data.category.value)
    async with uow:
        for winner in data.winners:
            await _grant(
                uow,
                event.community,
                winner.person_id,
                kind,
                year=data.year,
                building_group=winner.building_group,
                granted_by=data.concluded_by,
                citation=winner.reason or None,
                honour_id=selection_honour_id(data.selection_id, winner.person_id),
                person_name=winner.name,
            )


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
    honour_id: uuid.UUID | None = None,
    person_name: str | None = None,
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
        honour_id=honour_id,
        person_name=person_name,
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
