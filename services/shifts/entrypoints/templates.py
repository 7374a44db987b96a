"""Routes: recurring templates and on-demand generation."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from fastapi import APIRouter, Depends, Query

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import BadRequest, NotFound
from services.shifts.adapters.repository import Row
from services.shifts.entrypoints.deps import clock_of, post_or_404, require_leader, settings_of
from services.shifts.entrypoints.schemas import GenerateOut, TemplateIn, TemplateOut
from services.shifts.service_layer import templates
from services.shifts.service_layer.shifts import MIN_LENGTH

router = APIRouter(prefix="/templates", tags=["templates"])

_SELECT = "SELECT t.*, p.post_type FROM templates t JOIN posts p ON p.id = t.post_id"


def _validate(body: TemplateIn) -> None:
    start = datetime.combine(date.min, body.start_time)
    end = datetime.combine(date.min if body.end_time > body.start_time else date.min + timedelta(days=1), body.end_time)
    if body.end_time == body.start_time or end - start < MIN_LENGTH:
        raise BadRequest("A shift lasts at least 15 minutes.", detail_zh="班次时长至少 15 分钟。")
    if body.valid_until is not None and body.valid_until < body.valid_from:
        raise BadRequest("valid_until is before valid_from.", detail_zh="有效期结束日期早于开始日期。")
    if body.min_party_members > body.capacity:
        raise BadRequest(
            "The minimum number of party members cannot exceed the capacity.", detail_zh="党员最低人数不能超过名额。"
        )


async def _template_or_404(conn: Connection, principal: Principal, template_id: uuid.UUID) -> Row:
    row = await conn.fetchrow(_SELECT + " WHERE t.id = $1 AND t.community = $2", template_id, principal.community)
    if row is None:
        raise NotFound("No such template.", template_id=str(template_id))
    return row


@router.post("", status_code=201, summary="Create a recurring template (post leader); generates its shifts")
async def create_template(
    body: TemplateIn, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> TemplateOut:
    _validate(body)
    now = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        post = await post_or_404(conn, principal, body.post)
        await require_leader(conn, principal, post["id"])
        template_id = uuid.uuid4()
        await conn.execute(
            """INSERT INTO templates (id, community, post_id, title, weekdays, start_time, end_time, valid_from,
                                      valid_until, location, capacity, min_party_members, notes, active, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
            template_id,
            principal.community,
            post["id"],
            body.title,
            sorted(set(body.weekdays)),
            body.start_time,
            body.end_time,
            body.valid_from,
            body.valid_until,
            body.location,
            body.capacity,
            body.min_party_members,
            body.notes,
            body.active,
            principal.sub,
        )
        await templates.generate(
            conn, ctx.outbox, template_id=template_id, now=now, weeks=settings_of(ctx).shifts_generate_weeks
        )
        return TemplateOut.of(await _template_or_404(conn, principal, template_id))


@router.get("", summary="Templates of the community")
async def list_templates(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[TemplateOut]:
    after = decode_cursor(cursor, 1)
    rows = await ctx.pool.fetch(
        _SELECT + " WHERE t.community = $1 AND ($2::text IS NULL OR t.id::text > $2) ORDER BY t.id LIMIT $3",
        principal.community,
        str(after[0]) if after else None,
        limit + 1,
    )
    next_cursor = encode_cursor(str(rows[limit - 1]["id"])) if len(rows) > limit else None
    return Page(items=[TemplateOut.of(r) for r in rows[:limit]], next_cursor=next_cursor)


@router.get("/{template_id}", summary="One template")
async def get_template(
    template_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> TemplateOut:
    async with ctx.pool.acquire() as conn:
        return TemplateOut.of(await _template_or_404(conn, principal, template_id))


@router.put("/{template_id}", summary="Edit a template: regenerates only future shifts nobody signed up for")
async def update_template(
    template_id: uuid.UUID,
    body: TemplateIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> TemplateOut:
    _validate(body)
    now = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        current = await _template_or_404(conn, principal, template_id)
        await require_leader(conn, principal, current["post_id"])
        post = await post_or_404(conn, principal, body.post)
        await require_leader(conn, principal, post["id"])
        await conn.execute("SELECT 1 FROM templates WHERE id = $1 FOR UPDATE", template_id)
        await conn.execute(
            """UPDATE templates SET post_id = $2, title = $3, weekdays = $4, start_time = $5, end_time = $6,
                   valid_from = $7, valid_until = $8, location = $9, capacity = $10, min_party_members = $11,
                   notes = $12, active = $13, updated_at = now() WHERE id = $1""",
            template_id,
            post["id"],
            body.title,
            sorted(set(body.weekdays)),
            body.start_time,
            body.end_time,
            body.valid_from,
            body.valid_until,
            body.location,
            body.capacity,
            body.min_party_members,
            body.notes,
            body.active,
        )
        await templates.withdraw_untouched(conn, ctx.outbox, template_id=template_id, now=now)
        await templates.generate(
            conn, ctx.outbox, template_id=template_id, now=now, weeks=settings_of(ctx).shifts_generate_weeks
        )
        return TemplateOut.of(await _template_or_404(conn, principal, template_id))


@router.post("/{template_id}/generate", summary="Generate the template's shifts now (idempotent)")
async def generate_now(
    template_id: uuid.UUID,
    weeks: int | None = Query(default=None, ge=1, le=52),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> GenerateOut:
    now = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        template = await _template_or_404(conn, principal, template_id)
        await require_leader(conn, principal, template["post_id"])
        created = await templates.generate(
            conn, ctx.outbox, template_id=template_id, now=now, weeks=weeks or settings_of(ctx).shifts_generate_weeks
        )
    return GenerateOut(created=len(created))
