"""Routes of the two committees: the review queue, review, release of held text, start, resolve."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query

from contracts.enums import Role
from services.intake.adapters import queries
from services.intake.entrypoints.deps import get_intake_uow
from services.intake.entrypoints.schemas import IssueOut, ResolveIn, ReviewIn, StartIn
from services.intake.service_layer import commands
from services.intake.service_layer.privacy import issue_view
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.auth import Principal, require_roles
from services.kernel.pagination import Page, decode_keyset, keyset_page

router = APIRouter(tags=["committee"])
committee = require_roles(Role.COMMITTEE)


async def _fresh(uow: IntakeUnitOfWork, principal: Principal, issue_id: uuid.UUID) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await queries.get_issue(conn, issue_id)
        followers = await queries.followers(conn, issue_id)
    assert row is not None
    return issue_view(principal, row, followers)


@router.get(
    "/review-queue",
    response_model=Page[IssueOut],
    summary="Submitted issues awaiting review, oldest first, with duplicate hints",
)
async def review_queue(
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(committee),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        rows = await queries.review_queue(conn, principal.community, decode_keyset(cursor, datetime, uuid.UUID), limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": [issue_view(principal, r) for r in items], "next_cursor": next_cursor}


@router.post("/issues/{issue_id}/review", response_model=IssueOut, summary="Accept, reject, refer or merge")
async def review(
    issue_id: uuid.UUID,
    body: ReviewIn,
    principal: Principal = Depends(committee),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    await commands.review(
        uow,
        issue_id=issue_id,
        by=principal,
        decision=body.decision,
        note=body.note,
        duplicate_of=body.duplicate_of,
    )
    return await _fresh(uow, principal, issue_id)


@router.post("/issues/{issue_id}/release", response_model=IssueOut, summary="Publish an issue held as suspected spam")
async def release(
    issue_id: uuid.UUID, principal: Principal = Depends(committee), uow: IntakeUnitOfWork = Depends(get_intake_uow)
) -> dict[str, Any]:
    await commands.release(uow, issue_id=issue_id, by=principal)
    return await _fresh(uow, principal, issue_id)


@router.post(
    "/issues/{issue_id}/start", response_model=IssueOut, summary="Start work on an accepted, referred or reopened issue"
)
async def start(
    issue_id: uuid.UUID,
    body: StartIn | None = None,
    principal: Principal = Depends(committee),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    await commands.start(
        uow,
        issue_id=issue_id,
        by=principal,
        note=body.note if body else None,
    )
    return await _fresh(uow, principal, issue_id)


@router.post("/issues/{issue_id}/resolve", response_model=IssueOut, summary="Resolve with a summary and contributors")
async def resolve(
    issue_id: uuid.UUID,
    body: ResolveIn,
    principal: Principal = Depends(committee),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    await commands.resolve(
        uow,
        issue_id=issue_id,
        by=principal,
        summary=body.summary,
        contributors=list(body.contributors),
    )
    return await _fresh(uow, principal, issue_id)
