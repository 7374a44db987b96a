"""Routes: the four red posts and their leaders."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query

from contracts.enums import PostType
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.shifts.adapters import repository as repo
from services.shifts.entrypoints.deps import MANAGERS, post_or_404, readable_community
from services.shifts.entrypoints.schemas import PostIn, PostOut, StatsOut
from services.shifts.service_layer import stats

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", summary="The red posts of the caller's community")
async def list_posts(
    community: str | None = Query(default=None, max_length=40, description="Another community (district role)"),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> list[PostOut]:
    community = readable_community(principal, community)
    async with ctx.pool.acquire() as conn:
        rows = await conn.fetch("SELECT * FROM posts WHERE community = $1 ORDER BY post_type", community)
        return [PostOut.of(r, await repo.leader_ids(conn, r["id"])) for r in rows]


@router.get("/{post_type}", summary="One red post")
async def get_post(
    post_type: PostType, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> PostOut:
    async with ctx.pool.acquire() as conn:
        post = await post_or_404(conn, principal, post_type)
        return PostOut.of(post, await repo.leader_ids(conn, post["id"]))


@router.put("/{post_type}", summary="Set up a red post and its leaders (committee)")
async def put_post(
    post_type: PostType,
    body: PostIn,
    principal: Principal = Depends(require_roles(*MANAGERS)),
    ctx: ServiceContext = Depends(get_ctx),
) -> PostOut:
    async with ctx.pool.acquire() as conn, conn.transaction():
        post = await conn.fetchrow(
            """INSERT INTO posts (id, community, post_type, description) VALUES ($1, $2, $3, $4)
               ON CONFLICT (community, post_type) DO UPDATE SET description = EXCLUDED.description
               RETURNING *""",
            uuid.uuid4(),
            principal.community,
            post_type,
            body.description,
        )
        assert post is not None
        await conn.execute("DELETE FROM post_leaders WHERE post_id = $1", post["id"])
        await conn.executemany(
            "INSERT INTO post_leaders (post_id, person_id) VALUES ($1, $2)",
            [(post["id"], leader) for leader in sorted(set(body.leader_ids))],
        )
        return PostOut.of(post, await repo.leader_ids(conn, post["id"]))


@router.get("/{post_type}/stats", summary="Activities, hours and attendance of a post, by month and year")
async def post_statistics(
    post_type: PostType,
    year: int | None = Query(default=None, ge=2000, le=2100),
    community: str | None = Query(default=None, max_length=40, description="Another community (district role)"),
    principal: Principal = Depends(current_principal),
    ctx: ServiceContext = Depends(get_ctx),
) -> StatsOut:
    community = readable_community(principal, community)
    async with ctx.pool.acquire() as conn:
        post = await post_or_404(conn, principal, post_type, community)
        return await stats.post_stats(conn, community, post["id"], post_type, year)
