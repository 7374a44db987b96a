"""Routes: volunteers, their re-approval, their sign-ups, statistics and calendar feed address."""

from __future__ import annotations

import hashlib
import secrets

from fastapi import APIRouter, Depends, Query

from contracts.enums import VolunteerKind
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal
from services.kernel.db import Connection
from services.kernel.pagination import Page, decode_cursor, encode_cursor
from services.kernel.problems import Forbidden, NotFound
from services.shifts.adapters import repository as repo
from services.shifts.entrypoints.deps import clock_of, leads_any, settings_of, time_cursor
from services.shifts.entrypoints.schemas import (
    FeedOut,
    PersonId,
    ShiftOut,
    SignupOut,
    VolunteerIn,
    VolunteerOut,
)
from services.shifts.service_layer import stats

router = APIRouter(prefix="/volunteers", tags=["volunteers"])


async def _posts_of(conn: Connection, community: str, volunteer_id: str) -> list[str]:
    rows = await conn.fetch(
        """SELECT p.post_type FROM volunteer_posts vp JOIN posts p ON p.id = vp.post_id
           WHERE vp.community = $1 AND vp.volunteer_id = $2 ORDER BY p.post_type""",
        community,
        volunteer_id,
    )
    return [r["post_type"] for r in rows]


async def _self_or_leader(conn: Connection, principal: Principal, volunteer_id: str) -> None:
    if volunteer_id != principal.sub and not await leads_any(conn, principal):
        raise Forbidden("Only the volunteer or a post leader may see this.", detail_zh="仅本人或岗位负责人可查看。")


async def _volunteer_or_404(conn: Connection, community: str, volunteer_id: str) -> VolunteerOut:
    row = await repo.volunteer(conn, community, volunteer_id)
    if row is None:
        raise NotFound("No such volunteer.", volunteer_id=volunteer_id)
    return VolunteerOut.of(row, await _posts_of(conn, community, volunteer_id))


@router.put("/{volunteer_id}", summary="Register or update a volunteer (leaders; residents register themselves)")
async def put_volunteer(
    volunteer_id: PersonId,
    body: VolunteerIn,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> VolunteerOut:
    async with ctx.pool.acquire() as conn, conn.transaction():
        leader = await leads_any(conn, principal)
        existing = await repo.volunteer(conn, principal.community, volunteer_id, lock=True)
        if not leader:
            # A resident may register themselves; only a leader vouches for a party member or backbone.
            current_kind = existing["kind"] if existing else VolunteerKind.RESIDENT
            if volunteer_id != principal.sub or body.kind != current_kind:
                raise Forbidden(
                    "Only a post leader may register others or set the volunteer kind.",
                    detail_zh="只有岗位负责人可以登记他人或设置志愿者类别。",
                )
        post_ids = []
        for post_type in body.posts:
            post = await repo.post_by_type(conn, principal.community, post_type)
            if post is None:
                raise NotFound(f"The {post_type} post is not set up in this community.", post=str(post_type))
            post_ids.append(post["id"])
        await conn.execute(
            """INSERT INTO volunteers (community, id, name, kind, building_group, skills)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (community, id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                   building_group = EXCLUDED.building_group, skills = EXCLUDED.skills, updated_at = now()""",
            principal.community,
            volunteer_id,
            body.name,
            body.kind,
            body.building_group,
            body.skills,
        )
        await conn.execute(
            "DELETE FROM volunteer_posts WHERE community = $1 AND volunteer_id = $2", principal.community, volunteer_id
        )
        await conn.executemany(
            "INSERT INTO volunteer_posts (community, volunteer_id, post_id) VALUES ($1, $2, $3)",
            [(principal.community, volunteer_id, p) for p in post_ids],
        )
        return await _volunteer_or_404(conn, principal.community, volunteer_id)


@router.get("", summary="Volunteers of the community (leaders), by id")
async def list_volunteers(
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    suspended: bool | None = None,
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[VolunteerOut]:
    after = decode_cursor(cursor, 1)
    async with ctx.pool.acquire() as conn:
        if not await leads_any(conn, principal):
            raise Forbidden("Only post leaders may list volunteers.", detail_zh="只有岗位负责人可以查看志愿者名单。")
        rows = await conn.fetch(
            """SELECT * FROM volunteers WHERE community = $1 AND ($2::text IS NULL OR id > $2)
                 AND ($3::boolean IS NULL OR (suspended_at IS NOT NULL) = $3)
               ORDER BY id LIMIT $4""",
            principal.community,
            after[0] if after else None,
            suspended,
            limit + 1,
        )
        items = [VolunteerOut.of(r, await _posts_of(conn, principal.community, r["id"])) for r in rows[:limit]]
    next_cursor = encode_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


@router.get("/{volunteer_id}", summary="One volunteer")
async def get_volunteer(
    volunteer_id: PersonId, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> VolunteerOut:
    async with ctx.pool.acquire() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        return await _volunteer_or_404(conn, principal.community, volunteer_id)


@router.post("/{volunteer_id}/reapprove", summary="Lift a no-show suspension (post leader)")
async def reapprove(
    volunteer_id: PersonId, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> VolunteerOut:
    now = clock_of(ctx).now()
    async with ctx.pool.acquire() as conn, conn.transaction():
        if not await leads_any(conn, principal):
            raise Forbidden("Only a post leader may re-approve a volunteer.", detail_zh="只有岗位负责人可以重新审核。")
        if await repo.volunteer(conn, principal.community, volunteer_id, lock=True) is None:
            raise NotFound("No such volunteer.", volunteer_id=volunteer_id)
        await conn.execute(
            """UPDATE volunteers SET suspended_at = NULL, suspended_reason = NULL, approved_at = $3, approved_by = $4,
                   updated_at = $3 WHERE community = $1 AND id = $2""",
            principal.community,
            volunteer_id,
            now,
            principal.sub,
        )
        return await _volunteer_or_404(conn, principal.community, volunteer_id)


@router.get("/{volunteer_id}/shifts", summary="The volunteer's live sign-ups with their shifts, by start")
async def volunteer_shifts(
    volunteer_id: PersonId,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=200),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> Page[dict[str, object]]:
    after = time_cursor(cursor)
    async with ctx.pool.acquire() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        rows = await conn.fetch(
            f"""SELECT {repo.SHIFT_COLUMNS}, su.id AS signup_id FROM signups su
                JOIN shifts s ON s.id = su.shift_id JOIN posts p ON p.id = s.post_id
                WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status <> 'cancelled'
                  AND ($3::timestamptz IS NULL OR (s.starts_at, s.id) > ($3, $4::uuid))
                ORDER BY s.starts_at, s.id LIMIT $5""",
            principal.community,
            volunteer_id,
            after[0] if after else None,
            after[1] if after else None,
            limit + 1,
        )
        items: list[dict[str, object]] = []
        for row in rows[:limit]:
            signup = await conn.fetchrow("SELECT * FROM signups WHERE id = $1", row["signup_id"])
            assert signup is not None
            items.append(
                {
                    "shift": ShiftOut.of(row).model_dump(mode="json"),
                    "signup": SignupOut.of(signup).model_dump(mode="json"),
                }
            )
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(
        items=items, next_cursor=encode_cursor(last["starts_at"].isoformat(), str(last["id"])) if last else None
    )


@router.get("/{volunteer_id}/stats", summary="Activities, hours and attendance rate, by month and year")
async def volunteer_statistics(
    volunteer_id: PersonId,
    year: int | None = Query(default=None, ge=2000, le=2100),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> stats.StatsOut:
    async with ctx.pool.acquire() as conn:
        await _self_or_leader(conn, principal, volunteer_id)
        return await stats.volunteer_stats(conn, principal.community, volunteer_id, year)


@router.post("/me/feed", summary="Issue (or re-issue) your private iCalendar feed address")
async def issue_feed(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> FeedOut:
    """Calendar apps cannot send a bearer token, so the feed address itself carries an unguessable
    token; only its hash is stored, and issuing a new one revokes the old address."""
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).digest()
    updated = await ctx.pool.execute(
        "UPDATE volunteers SET feed_token_hash = $3 WHERE community = $1 AND id = $2",
        principal.community,
        principal.sub,
        digest,
    )
    if updated == "UPDATE 0":
        raise NotFound("You are not registered as a volunteer.", detail_zh="您尚未登记为志愿者。")
    base = settings_of(ctx).shifts_public_base_url.rstrip("/")
    return FeedOut(url=f"{base}/feeds/{token}.ics")
