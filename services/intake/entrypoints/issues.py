"""Routes residents use: raise an issue, list and read issues, history, comments, confirm, reopen."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from fastapi import APIRouter, Depends, Query, Request, Response

from contracts.enums import IssueCategory, IssueChannel, IssueStatus, Role
from services.intake.adapters import queries
from services.intake.domain.lifecycle import IssueNotFound
from services.intake.entrypoints.deps import IntakeContext, client_address, get_intake_uow
from services.intake.entrypoints.schemas import (
    CommentIn,
    CommentOut,
    ConfirmIn,
    HistoryOut,
    IssueIn,
    IssueOut,
    ReopenIn,
)
from services.intake.service_layer import commands
from services.intake.service_layer.privacy import can_see, comment_view, history_view, is_committee, issue_view
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.errors import InvalidInput
from services.kernel.lean import json_response, lean_post
from services.kernel.pagination import Page, decode_keyset, encode_keyset, keyset_page

router = APIRouter(tags=["issues"])


async def visible_issue(conn: Connection, principal: Principal, issue_id: uuid.UUID) -> dict[str, Any]:
    row = await queries.get_issue(conn, issue_id)
    if row is None or not can_see(principal, row):
        raise IssueNotFound(issue_id)
    return row


async def raise_issue(request: Request, body: IssueIn, principal: Principal, ctx: IntakeContext) -> Response:
    """A resident raises an issue (a committee member may record one taken by phone or on a visit)."""
    # The busiest write of a community, so a lean route (services/kernel/lean.py) whose issue,
    # first history entry and event are written by one statement.
    if body.channel in ("phone", "visit") and not principal.has(Role.COMMITTEE):
        raise InvalidInput("Only committees record issues taken by phone or on a visit.", field="channel")
    behalf = body.on_behalf_of
    if behalf is not None and body.channel not in ("phone", "visit"):
        raise InvalidInput(
            "A matter is recorded for a resident only when taken by phone or on a visit.", field="on_behalf_of"
        )
    ctx.components.limits.hit(principal.community, principal.sub, client_address(request, ctx.settings))
    new = commands.NewIssue(
        community=principal.community,
        category=body.category,
        title=body.title,
        reporter_id=(behalf.person_id or principal.sub) if behalf else principal.sub,
        channel=IssueChannel(body.channel),
        description=body.description,
        building=body.location.building,
        building_group=body.building_group or (None if behalf else principal.building_group),
        anonymous=body.anonymous,
        priority=body.priority,
        recorded_by=principal.sub if behalf else None,
        extra={
            "unit": body.location.unit,
            "location_text": body.location.text,
            "lat": body.location.lat,
            "long": body.location.long,
            "photos": body.photos,
            "reporter_name": behalf.name if behalf else principal.name,
            "contact": body.contact.model_dump(exclude_none=True) if body.contact else {},
        },
    )
    issue, row = await commands.raise_issue(
        cast(IntakeUnitOfWork, ctx.uow()),
        new,
        attributes={k: [v] for k, v in body.attributes.items()},
        spam_texts=(body.title, body.description, body.location.text),
    )
    return json_response(
        IssueOut, issue_view(principal, row), status_code=201, headers={"Location": f"/issues/{issue.id}"}
    )


lean_post(
    router,
    "/issues",
    raise_issue,
    body=IssueIn,
    roles=(Role.RESIDENT, Role.COMMITTEE),
    response_model=IssueOut,
    status_code=201,
    summary="Raise an issue (resident)",
)


@router.get("/issues", response_model=Page[IssueOut], summary="List issues, newest first")
async def list_issues(
    status: list[IssueStatus] | None = Query(default=None, max_length=9),
    category: IssueCategory | None = None,
    building_group: int | None = Query(default=None, ge=1, le=6),
    reporter: str | None = Query(default=None, pattern="^me$", description="`me`: only my own issues"),
    q: str | None = Query(default=None, max_length=100, description="Full text, Chinese or English"),
    channel: list[IssueChannel] | None = Query(default=None, max_length=6, description="How it was raised"),
    raised_before: datetime | None = Query(default=None, description="Only matters raised before (their age)"),
    community: str | None = Query(default=None, max_length=40, description="District role only"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    target = principal.readable(community)
    filters = queries.IssueFilter(
        community=target,
        statuses=[s.value for s in status] if status else None,
        category=category.value if category else None,
        building_group=building_group,
        reporter_id=principal.sub if reporter == "me" else None,
        q=q,
        channels=[c.value for c in channel] if channel else None,
        raised_before=raised_before,
        include_held_of=principal.sub,
        committee=is_committee(principal, target),
        after=decode_keyset(cursor, datetime, uuid.UUID),
        limit=limit,
    )
    async with uow.read() as conn:
        rows = await queries.list_issues(conn, filters)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": [issue_view(principal, r) for r in items], "next_cursor": next_cursor}


@router.get("/issues/{issue_id}", response_model=IssueOut, summary="One issue")
async def get_issue(
    issue_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        row = await visible_issue(conn, principal, issue_id)
        followers = await queries.followers(conn, issue_id)
    return issue_view(principal, row, followers)


@router.get("/issues/{issue_id}/history", response_model=Page[HistoryOut], summary="Every transition, oldest first")
async def get_history(
    issue_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    after = decode_keyset(cursor, int)
    async with uow.read() as conn:
        issue = await visible_issue(conn, principal, issue_id)
        rows = await queries.history(conn, issue_id, after[0] if after else None, limit)
    next_cursor = encode_keyset(rows[limit - 1]["seq"]) if len(rows) > limit else None
    return {"items": [history_view(principal, issue, r) for r in rows[:limit]], "next_cursor": next_cursor}


@router.post("/issues/{issue_id}/comments", status_code=201, response_model=CommentOut, summary="Comment on an issue")
async def add_comment(
    issue_id: uuid.UUID,
    body: CommentIn,
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        issue = await visible_issue(conn, principal, issue_id)
    if issue["community"] != principal.community:
        raise IssueNotFound(issue_id)
    row = await commands.comment(
        uow, issue_id=issue_id, author=principal.sub, author_name=principal.name, body=body.body
    )
    return comment_view(principal, issue, row)


@router.get("/issues/{issue_id}/comments", response_model=Page[CommentOut], summary="Comments, oldest first")
async def list_comments(
    issue_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    async with uow.read() as conn:
        issue = await visible_issue(conn, principal, issue_id)
        rows = await queries.comments(conn, issue_id, decode_keyset(cursor, datetime, uuid.UUID), limit)
    items, next_cursor = keyset_page(rows, limit, "created_at", "id")
    return {"items": [comment_view(principal, issue, r) for r in items], "next_cursor": next_cursor}


@router.post("/issues/{issue_id}/confirm", response_model=IssueOut, summary="The reporter confirms the resolution")
async def confirm(
    issue_id: uuid.UUID,
    body: ConfirmIn,
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    await commands.confirm(
        uow, issue_id=issue_id, community=principal.community, actor=principal.sub, satisfaction=body.satisfaction
    )
    async with uow.read() as conn:
        row = await visible_issue(conn, principal, issue_id)
    return issue_view(principal, row)


@router.post("/issues/{issue_id}/reopen", response_model=IssueOut, summary="The reporter reopens within 7 days")
async def reopen(
    issue_id: uuid.UUID,
    body: ReopenIn,
    principal: Principal = Depends(current_principal),
    uow: IntakeUnitOfWork = Depends(get_intake_uow),
) -> dict[str, Any]:
    await commands.reopen(
        uow, issue_id=issue_id, community=principal.community, actor=principal.sub, reason=body.reason
    )
    async with uow.read() as conn:
        row = await visible_issue(conn, principal, issue_id)
    return issue_view(principal, row)
