"""Routes: the four red posts and their leaders."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from contracts.enums import PostType
from services.kernel.auth import Principal, current_principal, require_roles
from services.shifts.adapters import queries
from services.shifts.domain.errors import PostNotSetUp
from services.shifts.entrypoints.deps import get_shifts_uow
from services.shifts.entrypoints.schemas import PostIn, PostOut, StatsOut
from services.shifts.service_layer import stats, volunteers
from services.shifts.service_layer.access import MANAGERS
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", summary="The red posts of the caller's community")
async def list_posts(
    community: str | None = Query(default=None, max_length=40, description="Another community (district role)"),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> list[PostOut]:
    target = principal.readable(community)
    async with uow.read() as conn:
        rows = await queries.posts(conn, target)
        return [PostOut.of(r, await queries.leader_ids(conn, r["id"])) for r in rows]


@router.get("/{post_type}", summary="One red post")
async def get_post(
    post_type: PostType,
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> PostOut:
    async with uow.read() as conn:
        post = await queries.post_by_type(conn, principal.community, post_type)
        if post is None:
            raise PostNotSetUp(post_type)
        return PostOut.of(post, await queries.leader_ids(conn, post["id"]))


@router.put("/{post_type}", summary="Set up a red post and its leaders (committee)")
async def put_post(
    post_type: PostType,
    body: PostIn,
    principal: Principal = Depends(require_roles(*MANAGERS)),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> PostOut:
    post, leaders = await volunteers.set_up_post(uow, principal, post_type, body.description, body.leader_ids)
    return PostOut.of(post, leaders)


@router.get("/{post_type}/stats", summary="Activities, hours and attendance of a post, by month and year")
async def post_statistics(
    post_type: PostType,
    year: int | None = Query(default=None, ge=2000, le=2100),
    community: str | None = Query(default=None, max_length=40, description="Another community (district role)"),
    principal: Principal = Depends(current_principal),
    uow: ShiftsUnitOfWork = Depends(get_shifts_uow),
) -> StatsOut:
    target = principal.readable(community)
    async with uow.read() as conn:
        post = await queries.post_by_type(conn, target, post_type)
        if post is None:
            raise PostNotSetUp(post_type)
        monthly = await queries.monthly_of_post(conn, target, post["id"], year, uow.settings.time_zone)
    return stats.summarise(post_type, monthly, year)
