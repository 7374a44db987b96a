"""Routes residents use: raise an issue, list and read issues, history, comments, confirm, reopen."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from contracts.enums import IssueCategory, IssueChannel, IssueStatus, Role
from services.intake.adapters import queries
from services.intake.entrypoints.deps import categories_of, client_address, limits_of, page, settings_of, time_id_cursor
from services.intake.entrypoints.errors import domain_errors
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
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.lean import json_response, lean_post
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest, NotFound

router = APIRouter(tags=["issues"])


async def visible_issue(conn: Connection, principal: Principal, issue_id: uuid.UUID) -> dict[str, Any]:
    row = await queries.get_issue(conn, issue_id)
    if row is None or not can_see(principal, row):
        raise NotFound(f"There is no issue {issue_id} / 事项不存在.")
    return row


async def raise_issue(request: Request, body: IssueIn, principal: Principal, ctx: ServiceContext) -> Response:
    """A resident raises an issue (a committee member may record one taken by phone or on a visit)."""
    # The busiest write of a community, so a lean route (services/kernel/lean.py) whose issue,
    # first history entry and event are written by one statement.
    if body.channel in ("phone", "visit") and not principal.has(Role.COMMITTEE):
        raise BadRequest("Only committees record issues taken by phone or on a visit.", field="channel")
    await limits_of(ctx).hit(principal.community, principal.sub, client_address(request, ctx))
    new = commands.NewIssue(
        community=principal.community,
        category=body.category,
        title=body.title,
        reporter_id=principal.sub,
        channel=IssueChannel(body.channel),
        description=body.description,
        building=body.location.building,
        building_group=body.building_group or principal.building_group,
        anonymous=body.anonymous,
        priority=body.priority,
        extra={
            "unit": body.location.unit,
            "location_text": body.location.text,
            "lat": body.location.lat,
            "long": body.location.long,
            "photos": body.photos,
            "reporter_name": principal.name,
            "contact": body.contact.model_dump(exclude_none=True) if body.contact else {},
        },
    )
    async with ctx.pool.acquire() as conn:
        try:
            issue, row = await commands.raise_issue(
                conn,
                ctx.outbox,
                categories_of(ctx),
                new,
                attributes={k: [v] for k, v in body.attributes.items()},
                spam_texts=(body.title, body.description, body.location.text),
                max_links=settings_of(ctx).intake_max_links,
            )
        except commands.CategoryNotInUse as exc:
            raise BadRequest(f"The category {exc} is not in use here / 该类别未启用.", field="category") from exc
        except commands.InvalidAttributes as exc:
            raise BadRequest(str(exc), field="attributes") from exc
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
    community: str | None = Query(default=None, max_length=40, description="District role only"),
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=20, ge=1, le=100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    target = community or principal.community
    if not principal.can_read(target):
        raise NotFound(f"There is no community {target} for you.")
    filters = queries.IssueFilter(
        community=target,
        statuses=[s.value for s in status] if status else None,
        category=category.value if category else None,
        building_group=building_group,
        reporter_id=principal.sub if reporter == "me" else None,
        q=q,
        include_held_of=principal.sub,
        committee=is_committee(principal, target),
        after=time_id_cursor(cursor),
        limit=limit,
    )
    async with ctx.pool.acquire() as conn:
        rows = await queries.list_issues(conn, filters)
    items, next_cursor = page(rows, limit, "created_at", "id")
    return {"items": [issue_view(principal, r) for r in items], "next_cursor": next_cursor}


@router.get("/issues/{issue_id}", response_model=IssueOut, summary="One issue")
async def get_issue(
    issue_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        row = await visible_issue(conn, principal, issue_id)
        followers = await queries.followers(conn, issue_id)
    return issue_view(principal, row, followers)


@router.get("/issues/{issue_id}/history", response_model=Page[HistoryOut], summary="Every transition, oldest first")
async def get_history(
    issue_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    after = decode_cursor(cursor, 1)
    if after is not None and not isinstance(after[0], int):
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor")
    async with ctx.pool.acquire() as conn:
        issue = await visible_issue(conn, principal, issue_id)
        rows = await queries.history(conn, issue_id, after[0] if after else None, limit)
    next_cursor = encode_cursor(rows[limit - 1]["seq"]) if len(rows) > limit else None
    return {"items": [history_view(principal, issue, r) for r in rows[:limit]], "next_cursor": next_cursor}


@router.post("/issues/{issue_id}/comments", status_code=201, response_model=CommentOut, summary="Comment on an issue")
async def add_comment(
    issue_id: uuid.UUID,
    body: CommentIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        issue = await visible_issue(conn, principal, issue_id)
        if issue["community"] != principal.community:
            raise NotFound(f"There is no issue {issue_id} / 事项不存在.")
        row = await commands.comment(
            conn, issue_id=issue_id, author=principal.sub, author_name=principal.name, body=body.body
        )
    return comment_view(principal, issue, row)


@router.get("/issues/{issue_id}/comments", response_model=Page[CommentOut], summary="Comments, oldest first")
async def list_comments(
    issue_id: uuid.UUID,
    cursor: str | None = Query(default=None, max_length=200),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        issue = await visible_issue(conn, principal, issue_id)
        rows = await queries.comments(conn, issue_id, time_id_cursor(cursor), limit)
    items, next_cursor = page(rows, limit, "created_at", "id")
    return {"items": [comment_view(principal, issue, r) for r in items], "next_cursor": next_cursor}


@router.post("/issues/{issue_id}/confirm", response_model=IssueOut, summary="The reporter confirms the resolution")
async def confirm(
    issue_id: uuid.UUID,
    body: ConfirmIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        with domain_errors():
            async with conn.transaction():
                await commands.confirm(
                    conn,
                    ctx.outbox,
                    issue_id=issue_id,
                    community=principal.community,
                    actor=principal.sub,
                    satisfaction=body.satisfaction,
                )
        row = await visible_issue(conn, principal, issue_id)
    return issue_view(principal, row)


@router.post("/issues/{issue_id}/reopen", response_model=IssueOut, summary="The reporter reopens within 7 days")
async def reopen(
    issue_id: uuid.UUID,
    body: ReopenIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> dict[str, Any]:
    async with ctx.pool.acquire() as conn:
        with domain_errors():
            async with conn.transaction():
                await commands.reopen(
                    conn,
                    ctx.outbox,
                    issue_id=issue_id,
                    community=principal.community,
                    actor=principal.sub,
                    reason=body.reason,
                )
        row = await visible_issue(conn, principal, issue_id)
    return issue_view(principal, row)
