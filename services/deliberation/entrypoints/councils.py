"""HTTP: councils and their members (changed by admins, read by the community)."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
from fastapi import APIRouter, Depends, Path, Response

from contracts.enums import CouncilPosition, Role
from services.deliberation.adapters import councils as council_db
from services.deliberation.entrypoints.schemas import Council, CreateCouncil, Member, PutMember, UpdateCouncil
from services.deliberation.service_layer.access import council_for, require_own_community
from services.deliberation.service_layer.scheduling import schedule_council
from services.deliberation.settings import DeliberationSettings
from services.kernel.app import ServiceContext, get_ctx
from services.kernel.auth import Principal, current_principal, require_roles
from services.kernel.problems import BadRequest, Conflict, NotFound

router = APIRouter(tags=["councils"])
admin = require_roles(Role.ADMIN)


def settings_of(ctx: ServiceContext) -> DeliberationSettings:
    settings = ctx.settings
    assert isinstance(settings, DeliberationSettings)
    return settings


def feed_base(ctx: ServiceContext) -> str:
    return settings_of(ctx).deliberation_public_url.rstrip("/")


def shows_feed(principal: Principal) -> bool:
    return principal.has(Role.ADMIN, Role.COMMITTEE, Role.COUNCIL_MEMBER)


def check_term(member: PutMember) -> None:
    if member.term_until is not None and member.term_until < member.term_from:
        raise BadRequest("The term cannot end before it starts.", field="term_until")


def member_values(council: asyncpg.Record, person_id: str, member: PutMember) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "council_id": council["id"],
        "community": council["community"],
        "person_id": person_id,
        "name": member.name,
        "party": member.party.value,
        "position": member.position.value,
        "voting": member.position != CouncilPosition.OBSERVER,
        "term_from": member.term_from,
        "term_until": member.term_until,
    }


DEFAULT_NAMES = {"consultation": "协商议事会", "women": "妇女议事会"}


@router.post("/councils", status_code=201, response_model=Council, summary="Create a council (admin)")
async def create_council(
    body: CreateCouncil,
    response: Response,
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Council:
    settings = settings_of(ctx)
    timezone = body.timezone or settings.deliberation_timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(f"Unknown timezone {timezone!r}.", field="timezone") from exc
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "community": principal.community,
        "kind": body.kind.value,
        "name": body.name or DEFAULT_NAMES[body.kind.value],
        "majority_rule": body.majority_rule,
        "quorum_fraction": body.quorum_fraction,
        "meeting_time": body.meeting_time or settings.deliberation_meeting_time,
        "timezone": timezone,
        "duration_minutes": body.duration_minutes or settings.deliberation_duration_minutes,
        "default_mode": body.default_mode.value,
        "location": body.location,
        "feed_token": secrets.token_urlsafe(32),
    }
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await council_db.insert_council(conn, values)
        if row is None:
            existing = await council_db.council_of_kind(conn, principal.community, body.kind.value)
            assert existing is not None
            raise Conflict(
                f"The community already has a {body.kind.value} council.", existing_council_id=str(existing["id"])
            )
        if len({m.person_id for m in body.members}) != len(body.members):
            raise BadRequest("A person appears twice among the members.", field="members")
        for member in body.members:
            check_term(member)
            await council_db.upsert_member(conn, member_values(row, member.person_id, member))
        await schedule_council(conn, ctx.outbox, row, settings, datetime.now(UTC))
    response.headers["Location"] = f"/councils/{row['id']}"
    return Council.of(row, feed_base(ctx), show_feed=True)


@router.get("/councils", response_model=list[Council], summary="The councils of the caller's community")
async def list_councils(
    principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[Council]:
    async with ctx.pool.acquire() as conn:
        rows = await council_db.list_councils(conn, principal.community)
    return [Council.of(r, feed_base(ctx), show_feed=shows_feed(principal)) for r in rows]


@router.get("/councils/{council_id}", response_model=Council)
async def get_council(
    council_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> Council:
    async with ctx.pool.acquire() as conn:
        row = await council_for(conn, council_id, principal)
    return Council.of(row, feed_base(ctx), show_feed=shows_feed(principal))


@router.patch("/councils/{council_id}", response_model=Council, summary="Change rules of a council (admin)")
async def update_council(
    council_id: uuid.UUID,
    body: UpdateCouncil,
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Council:
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in body.model_dump(exclude_unset=True).items()}
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await council_for(conn, council_id, principal)
        require_own_community(row["community"], principal)
        if values:
            updated = await council_db.update_council(conn, council_id, values)
            assert updated is not None
            row = updated
    return Council.of(row, feed_base(ctx), show_feed=True)


@router.post("/councils/{council_id}/feed-token", response_model=Council, summary="Issue a new calendar feed URL")
async def rotate_feed_token(
    council_id: uuid.UUID, principal: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)
) -> Council:
    async with ctx.pool.acquire() as conn, conn.transaction():
        row = await council_for(conn, council_id, principal)
        require_own_community(row["community"], principal)
        updated = await council_db.update_council(conn, council_id, {"feed_token": secrets.token_urlsafe(32)})
        assert updated is not None
    return Council.of(updated, feed_base(ctx), show_feed=True)


@router.get("/councils/{council_id}/members", response_model=list[Member])
async def list_members(
    council_id: uuid.UUID, principal: Principal = Depends(current_principal), ctx: ServiceContext = Depends(get_ctx)
) -> list[Member]:
    async with ctx.pool.acquire() as conn:
        await council_for(conn, council_id, principal)
        rows = await council_db.list_members(conn, council_id)
    return [Member.of(r) for r in rows]


@router.put(
    "/councils/{council_id}/members/{person_id}", response_model=Member, summary="Add or update a member (admin)"
)
async def put_member(
    council_id: uuid.UUID,
    body: PutMember,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(admin),
    ctx: ServiceContext = Depends(get_ctx),
) -> Member:
    check_term(body)
    async with ctx.pool.acquire() as conn, conn.transaction():
        council = await council_for(conn, council_id, principal)
        require_own_community(council["community"], principal)
        row = await council_db.upsert_member(conn, member_values(council, person_id, body))
    return Member.of(row)


@router.delete("/councils/{council_id}/members/{person_id}", status_code=204, summary="Remove a member (admin)")
async def delete_member(
    council_id: uuid.UUID, person_id: str, principal: Principal = Depends(admin), ctx: ServiceContext = Depends(get_ctx)
) -> Response:
    async with ctx.pool.acquire() as conn, conn.transaction():
        council = await council_for(conn, council_id, principal)
        require_own_community(council["community"], principal)
        # A member who has voted or attended keeps their record: end their term instead.
        used = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM attendance a JOIN sessions s ON s.id = a.session_id"
            " WHERE s.council_id = $1 AND a.person_id = $2)",
            council_id,
            person_id,
        )
        if used:
            yesterday = datetime.now(UTC).date() - timedelta(days=1)
            await conn.execute(
                "UPDATE members SET term_until = GREATEST(term_from, $3) WHERE council_id = $1 AND person_id = $2",
                council_id,
                person_id,
                yesterday,
            )
        elif not await council_db.delete_member(conn, council_id, person_id):
            raise NotFound("No such member.", person_id=person_id)
    return Response(status_code=204)
