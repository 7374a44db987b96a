"""Routes of public selections (评选): the committees run them, residents nominate and vote, the board shows results.

While a selection is open nobody, the committees included, sees a count: no votes per
candidate, no ballots cast. Those appear when it concludes, on the public results page
(GET /selections/{id}/results, no token needed) the notice board shows.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.enums import Role, SelectionCategory
from services.community.adapters import selection_queries as queries
from services.community.domain.selections import SelectionNotFound, SelectionState
from services.community.entrypoints.deps import get_community_uow
from services.community.service_layer import selections
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel import errors
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["selections"])
committee = require_roles(Role.COMMITTEE)

PersonId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Title(Strict):
    zh_cn: str = Field(alias="zh-CN", min_length=1, max_length=200)
    en: str = Field(min_length=1, max_length=200)


class SelectionIn(Strict):
    category: SelectionCategory
    year: int = Field(ge=2000, le=2200)
    title: Title
    seats: int = Field(ge=1, le=500, description="How many are chosen (20 group leaders in 2020).")
    who_may_nominate: list[Role] = Field(default=[Role.RESIDENT], min_length=1, max_length=10)
    who_may_vote: list[Role] = Field(default=[Role.RESIDENT], min_length=1, max_length=10)
    nominations_close_at: AwareDatetime
    voting_closes_at: AwareDatetime


class NominationIn(Strict):
    candidate_id: PersonId
    candidate_name: str = Field(min_length=1, max_length=100)
    building_group: int | None = Field(default=None, ge=1, le=6)
    reason: str = Field(min_length=1, max_length=2000)


class CheckIn(Strict):
    decision: Literal["approve", "reject"]
    reason: str | None = Field(default=None, max_length=2000)


class BallotIn(Strict):
    candidates: list[PersonId] = Field(
        min_length=1, max_length=500, description="The person ids of approved candidates, distinct, at most `seats`."
    )


class Candidate(BaseModel):
    nomination_id: uuid.UUID
    person_id: str
    name: str
    building_group: int | None
    reason: str
    status: Literal["pending", "approved", "rejected"]
    rejection_reason: str | None = Field(default=None, description="Shown to the committees only.")
    nominated_by: str | None = Field(default=None, description="Shown to the committees only.")
    nominated_at: datetime
    votes: int | None = Field(default=None, description="Only once the selection has concluded.")
    winner: bool | None = Field(default=None, description="Only once the selection has concluded.")


class SelectionOut(BaseModel):
    id: uuid.UUID
    category: SelectionCategory
    category_label: dict[str, str]
    year: int
    title: dict[str, str]
    seats: int
    who_may_nominate: list[str]
    who_may_vote: list[str]
    nominations_close_at: datetime
    voting_closes_at: datetime
    state: SelectionState
    created_at: datetime
    concluded_at: datetime | None
    votes_cast: int | None = Field(description="Only once the selection has concluded.")
    voted: bool = Field(description="Whether the caller has cast a ballot.")
    candidates: list[Candidate] = Field(
        description="Approved candidates (the committees see every nomination), in nomination order."
    )


class BallotOut(BaseModel):
    selection_id: uuid.UUID
    candidates: list[str]
    voted: bool = True


class PublicCandidate(BaseModel):
    rank: int
    name: str
    building_group: int | None
    votes: int
    winner: bool
    reason: str


class ResultsOut(BaseModel):
    selection_id: uuid.UUID
    category: SelectionCategory
    category_label: dict[str, str]
    year: int
    title: dict[str, str]
    seats: int
    votes_cast: int
    concluded_at: datetime
    winners: list[PublicCandidate]
    candidates: list[PublicCandidate] = Field(description="Every approved candidate with its votes, winners first.")


def _concluded(row: Any) -> bool:
    return bool(row["state"] == SelectionState.CONCLUDED)


def _candidate(row: Any, *, staff: bool, concluded: bool) -> Candidate:
    return Candidate(
        nomination_id=row["id"],
        person_id=row["candidate_id"],
        name=row["candidate_name"],
        building_group=row["building_group"],
        reason=row["reason"],
        status=row["status"],
        rejection_reason=row["rejection_reason"] if staff else None,
        nominated_by=row["nominated_by"] if staff else None,
        nominated_at=row["nominated_at"],
        votes=row["votes"] if concluded else None,
        winner=row["winner"] if concluded else None,
    )


def _summary(row: Any, nominations: list[Any], *, staff: bool, voted: bool) -> SelectionOut:
    concluded = _concluded(row)
    category = SelectionCategory(row["category"])
    shown = [n for n in nominations if staff or n["status"] == "approved"]
    return SelectionOut(
        id=row["id"],
        category=category,
        category_label=category.labels(),
        year=row["year"],
        title={"zh-CN": row["title_zh"], "en": row["title_en"]},
        seats=row["seats"],
        who_may_nominate=list(row["who_may_nominate"]),
        who_may_vote=list(row["who_may_vote"]),
        nominations_close_at=row["nominations_close_at"],
        voting_closes_at=row["voting_closes_at"],
        state=SelectionState(row["state"]),
        created_at=row["created_at"],
        concluded_at=row["concluded_at"],
        votes_cast=row["votes_cast"] if concluded else None,
        voted=voted,
        candidates=[_candidate(n, staff=staff, concluded=concluded) for n in shown],
    )


def _staff(principal: Principal, community: str) -> bool:
    """The committees' view (every nomination, who nominated, why one was rejected) is for the
    selection's own community's committees: reading another community (the district) does not carry it."""
    return principal.has(Role.COMMITTEE) and principal.community == community


async def _view(uow: CommunityUnitOfWork, principal: Principal, selection_id: uuid.UUID) -> SelectionOut:
    async with uow.read() as conn:
        row = await queries.selection(conn, selection_id)
        if row is None or not principal.can_read(row["community"]):
            raise SelectionNotFound(selection_id)
        nominations = await queries.nominations(conn, selection_id)
        voted = await queries.has_voted(conn, selection_id, principal.sub)
    return _summary(row, nominations, staff=_staff(principal, row["community"]), voted=voted)


@router.post("/selections", response_model=SelectionOut, status_code=201, summary="Open a selection (committee)")
async def create_selection(
    body: SelectionIn,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    selection = await selections.create(
        uow,
        principal,
        selections.NewSelection(
            category=body.category,
            year=body.year,
            title={"zh-CN": body.title.zh_cn, "en": body.title.en},
            seats=body.seats,
            who_may_nominate=[str(r) for r in body.who_may_nominate],
            who_may_vote=[str(r) for r in body.who_may_vote],
            nominations_close_at=body.nominations_close_at,
            voting_closes_at=body.voting_closes_at,
        ),
    )
    return await _view(uow, principal, selection.id)


@router.get("/selections", response_model=Page[SelectionOut], summary="Selections of the community, newest first")
async def list_selections(
    year: int | None = Query(default=None, ge=2000, le=2200),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    community: str | None = Query(default=None, max_length=40),
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> dict[str, Any]:
    where = principal.readable(community)
    after = decode_keyset(cursor, datetime, uuid.UUID)
    async with uow.read() as conn:
        rows = await queries.selections(conn, where, year, after, limit)
        items, next_cursor = keyset_page(rows, limit, "created_at", "id")
        out = [
            _summary(
                r,
                await queries.nominations(conn, r["id"]),
                staff=_staff(principal, where),
                voted=await queries.has_voted(conn, r["id"], principal.sub),
            )
            for r in items
        ]
    return {"items": out, "next_cursor": next_cursor}


@router.get(
    "/selections/{selection_id}", response_model=SelectionOut, summary="One selection (no counts until it closes)"
)
async def get_selection(
    selection_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    return await _view(uow, principal, selection_id)


@router.post(
    "/selections/{selection_id}/nominations",
    response_model=Candidate,
    status_code=201,
    summary="Nominate a candidate with a reason (those the selection allows)",
)
async def nominate(
    selection_id: uuid.UUID,
    body: NominationIn,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> Candidate:
    n = await selections.nominate(
        uow,
        principal,
        selection_id,
        selections.NewNomination(body.candidate_id, body.candidate_name, body.building_group, body.reason),
    )
    return Candidate(
        nomination_id=n.id,
        person_id=n.candidate_id,
        name=n.candidate_name,
        building_group=n.building_group,
        reason=n.reason,
        status=n.status.value,
        nominated_by=n.nominated_by,
        nominated_at=n.nominated_at,
    )


@router.post(
    "/nominations/{nomination_id}/check",
    response_model=SelectionOut,
    summary="Approve or reject a nomination (committee)",
)
async def check_nomination(
    nomination_id: uuid.UUID,
    body: CheckIn,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    selection_id, _ = await selections.check(
        uow, principal, nomination_id, approve=body.decision == "approve", reason=body.reason
    )
    return await _view(uow, principal, selection_id)


@router.post(
    "/selections/{selection_id}/close-nominations",
    response_model=SelectionOut,
    summary="End nominations: nominating -> checking (committee)",
)
async def close_nominations(
    selection_id: uuid.UUID,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    await selections.close_nominations(uow, principal, selection_id)
    return await _view(uow, principal, selection_id)


@router.post(
    "/selections/{selection_id}/open-voting",
    response_model=SelectionOut,
    summary="Open the vote once every nomination is checked: checking -> voting (committee)",
)
async def open_voting(
    selection_id: uuid.UUID,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    await selections.open_voting(uow, principal, selection_id)
    return await _view(uow, principal, selection_id)


@router.post(
    "/selections/{selection_id}/ballot",
    response_model=BallotOut,
    status_code=201,
    summary="Cast one's one ballot: at most `seats` distinct approved candidates; final once cast",
)
async def cast_ballot(
    selection_id: uuid.UUID,
    body: BallotIn,
    principal: Principal = Depends(current_principal),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> BallotOut:
    await selections.cast_ballot(uow, principal, selection_id, body.candidates)
    return BallotOut(selection_id=selection_id, candidates=list(body.candidates))


@router.post(
    "/selections/{selection_id}/close",
    response_model=SelectionOut,
    summary="Close the vote and name the winners: voting -> concluded (committee)",
)
async def close_selection(
    selection_id: uuid.UUID,
    principal: Principal = Depends(committee),
    uow: CommunityUnitOfWork = Depends(get_community_uow),
) -> SelectionOut:
    await selections.close(uow, principal, selection_id)
    return await _view(uow, principal, selection_id)


@router.get(
    "/selections/{selection_id}/results",
    response_model=ResultsOut,
    summary="The public results for the board (no token needed), once the selection has concluded",
)
async def results(selection_id: uuid.UUID, uow: CommunityUnitOfWork = Depends(get_community_uow)) -> ResultsOut:
    async with uow.read() as conn:
        row = await queries.selection(conn, selection_id)
        if row is None:
            raise SelectionNotFound(selection_id)
        if not _concluded(row):
            raise errors.RuleBroken(
                "The results are published when the vote closes / 投票结束后公布结果.", reason="not-concluded"
            )
        ranked = await queries.results(conn, selection_id)
    candidates = [
        PublicCandidate(
            rank=i,
            name=r["candidate_name"],
            building_group=r["building_group"],
            votes=r["votes"] or 0,
            winner=r["winner"],
            reason=r["reason"],
        )
        for i, r in enumerate(ranked, start=1)
    ]
    category = SelectionCategory(row["category"])
    return ResultsOut(
        selection_id=row["id"],
        category=category,
        category_label=category.labels(),
        year=row["year"],
        title={"zh-CN": row["title_zh"], "en": row["title_en"]},
        seats=row["seats"],
        votes_cast=row["votes_cast"] or 0,
        concluded_at=row["concluded_at"],
        winners=[c for c in candidates if c.winner],
        candidates=candidates,
    )
