"""What every route needs: the clock, the rules' settings, and who counts as a leader of a post."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from starlette.responses import Response

from contracts.enums import PostType, Role
from services.kernel.app import ServiceContext
from services.kernel.auth import Principal
from services.kernel.clock import Clock, SystemClock
from services.kernel.db import Connection
from services.kernel.pagination import decode_cursor
from services.kernel.problems import BadRequest, Conflict, Forbidden, NotFound, problem_response
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.domain.rules import HoursInvalid, RuleBroken, SignupPolicy
from services.shifts.settings import ShiftsSettings

MANAGERS = (Role.COMMITTEE, Role.ADMIN)
"""Committee members and admins act as leaders of every post of their community."""


def settings_of(ctx: ServiceContext) -> ShiftsSettings:
    settings = ctx.settings
    return settings if isinstance(settings, ShiftsSettings) else ShiftsSettings()


def clock_of(ctx: ServiceContext) -> Clock:
    clock = ctx.extras.get("clock")
    return clock if clock is not None else SystemClock()


def policy_of(ctx: ServiceContext) -> SignupPolicy:
    s = settings_of(ctx)
    return SignupPolicy(
        opens_before=timedelta(hours=s.shifts_signup_opens_hours),
        cancel_cutoff=timedelta(hours=s.shifts_cancel_cutoff_hours),
        no_show_limit=s.shifts_no_show_limit,
        no_show_window=timedelta(days=s.shifts_no_show_window_days),
        checkin_opens_before=timedelta(minutes=s.shifts_checkin_opens_minutes),
    )


def readable_community(principal: Principal, community: str | None) -> str:
    """The community a read is about: the caller's own, or any for the district role."""
    if community is None or community == principal.community:
        return principal.community
    if not principal.can_read(community):
        raise Forbidden("Only the district reads other communities.", detail_zh="只有街道（区）可以查看其他社区。")
    return community


async def post_or_404(conn: Connection, principal: Principal, post_type: PostType, community: str | None = None) -> Row:
    post = await repo.post_by_type(conn, community or principal.community, post_type)
    if post is None:
        raise NotFound(f"The {post_type} post is not set up in this community.", post=str(post_type))
    return post


async def leads(conn: Connection, principal: Principal, post_id: uuid.UUID) -> bool:
    return principal.has(*MANAGERS) or await repo.is_post_leader(conn, post_id, principal.sub)


async def require_leader(conn: Connection, principal: Principal, post_id: uuid.UUID) -> None:
    if not await leads(conn, principal, post_id):
        raise Forbidden(
            "Only this post's leaders (or the committee) may do this.", detail_zh="只有本岗位负责人（或两委）可以操作。"
        )


async def leads_any(conn: Connection, principal: Principal) -> bool:
    if principal.has(*MANAGERS):
        return True
    found = await conn.fetchval(
        """SELECT true FROM post_leaders l JOIN posts p ON p.id = l.post_id
           WHERE l.person_id = $1 AND p.community = $2 LIMIT 1""",
        principal.sub,
        principal.community,
    )
    return bool(found)


def install_rule_handlers(app: FastAPI) -> None:
    """Domain refusals become 409 (rules) or 400 (hours) problem details with a machine-readable reason."""

    async def on_rule(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RuleBroken)
        problem = Conflict(exc.detail, reason=str(exc.reason), detail_zh=exc.detail_zh, **exc.extensions)
        problem.type_slug = f"shifts/{exc.reason}"
        return problem_response(problem, request.url.path)

    async def on_hours(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HoursInvalid)
        return problem_response(BadRequest(exc.detail, detail_zh=exc.detail_zh), request.url.path)

    app.add_exception_handler(RuleBroken, on_rule)
    app.add_exception_handler(HoursInvalid, on_hours)


def time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Decode a (starts_at, id) keyset cursor; a tampered one is a 400, not a 500."""
    values = decode_cursor(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(str(values[0])), uuid.UUID(str(values[1]))
    except ValueError as exc:
        raise BadRequest("The cursor is not one this API gave out.", parameter="cursor") from exc
