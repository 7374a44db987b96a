"""Commands of public selections: create, nominate, check, the steps, the ballot and the close."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import SelectionCategory
from services.community.domain.selections import Nomination, Ranked, Selection, SelectionNotFound
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel import errors
from services.kernel.identity import Principal


@dataclass(frozen=True)
class NewSelection:
    category: SelectionCategory
    year: int
    title: dict[str, str]
    seats: int
    who_may_nominate: Sequence[str]
    who_may_vote: Sequence[str]
    nominations_close_at: datetime
    voting_closes_at: datetime


@dataclass(frozen=True)
class NewNomination:
    candidate_id: str
    candidate_name: str
    building_group: int | None
    reason: str


async def _load(
    uow: CommunityUnitOfWork, selection_id: uuid.UUID, community: str, *, shared: bool = False
) -> Selection:
    selection = await uow.selections.get_for_update(selection_id, shared=shared)
    if selection is None or selection.community != community:
        raise SelectionNotFound(selection_id)
    return selection


async def create(uow: CommunityUnitOfWork, principal: Principal, new: NewSelection) -> Selection:
    async with uow:
        selection = Selection.create(
            selection_id=uuid.uuid4(),
            community=principal.community,
            category=new.category,
            year=new.year,
            title=new.title,
            seats=new.seats,
            who_may_nominate=new.who_may_nominate,
            who_may_vote=new.who_may_vote,
            nominations_close_at=new.nominations_close_at,
            voting_closes_at=new.voting_closes_at,
            created_by=principal.sub,
            now=uow.now(),
        )
        await uow.selections.insert(selection)
        await uow.audit(
            "selection.opened",
            selection.id,
            principal,
            {"category": new.category, "year": new.year, "title": new.title, "seats": new.seats},
        )
        return selection


async def nominate(
    uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID, new: NewNomination
) -> Nomination:
    async with uow:
        selection = await _load(uow, selection_id, principal.community)
        nomination = selection.nominate(
            nomination_id=uuid.uuid4(),
            nominator=principal.sub,
            nominator_roles=principal.roles,
            candidate_id=new.candidate_id,
            candidate_name=new.candidate_name,
            building_group=new.building_group,
            reason=new.reason,
            now=uow.now(),
        )
        if not await uow.selections.add_nomination(selection.id, nomination):
            raise errors.RuleBroken(
                "This candidate is already nominated in this selection / 该候选人已被提名.", reason="already-nominated"
            )
        return nomination


async def check(
    uow: CommunityUnitOfWork, principal: Principal, nomination_id: uuid.UUID, *, approve: bool, reason: str | None
) -> tuple[uuid.UUID, Nomination]:
    async with uow:
        selection_id = await uow.selections.selection_of_nomination(nomination_id)
        if selection_id is None:
            raise errors.DoesNotExist(f"There is no nomination {nomination_id} / 提名不存在.")
        selection = await _load(uow, selection_id, principal.community)
        selection.check(nomination_id, approve=approve, reason=reason, actor=principal.sub, now=uow.now())
        nomination = selection.nomination(nomination_id)
        await uow.selections.save_check(nomination)
        await uow.audit(
            "nomination.checked",
            nomination_id,
            principal,
            {
                "selection_id": selection_id,
                "candidate_id": nomination.candidate_id,
                "approve": approve,
                "reason": reason,
            },
        )
        return selection_id, nomination


async def close_nominations(uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID) -> Selection:
    async with uow:
        selection = await _load(uow, selection_id, principal.community)
        selection.close_nominations()
        await uow.selections.save(selection)
        await uow.audit("selection.nominations_closed", selection_id, principal)
        return selection


async def open_voting(uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID) -> Selection:
    async with uow:
        selection = await _load(uow, selection_id, principal.community)
        selection.open_voting(uow.now())
        await uow.selections.save(selection)
        await uow.audit("selection.voting_opened", selection_id, principal)
        return selection


async def cast_ballot(
    uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID, candidates: Sequence[str]
) -> list[uuid.UUID]:
    """One ballot per person: a second is refused (409 already-voted), never replacing the first."""
    async with uow:
        selection = await _load(uow, selection_id, principal.community, shared=True)
        marks = selection.ballot(voter_roles=principal.roles, candidates=candidates, now=uow.now())
        if not await uow.selections.cast(selection.id, principal.sub, marks, uow.now()):
            raise errors.RuleBroken(
                "You have voted in this selection already; a ballot is final / 您已投过票，投票不可更改.",
                reason="already-voted",
            )
        return marks


async def close(uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID) -> list[Ranked]:
    """Count the ballots, name the winners and tell rewards (SelectionConcluded) in the same transaction."""
    async with uow:
        selection = await _load(uow, selection_id, principal.community)
        tally, votes_cast = await uow.selections.tally(selection.id)
        winners = selection.conclude(tally=tally, votes_cast=votes_cast, actor=principal.sub, now=uow.now())
        await uow.selections.save(selection)
        uow.collect(selection)
        await uow.audit(
            "selection.closed",
            selection_id,
            principal,
            {"votes_cast": votes_cast, "winners": [r.nomination.candidate_id for r in winners if r.winner]},
        )
        return winners
