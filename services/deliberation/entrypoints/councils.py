"""HTTP: councils and their members (changed by admins, read by the community)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Path, Request, Response

from contracts.enums import Role
from services.deliberation.adapters import queries
from services.deliberation.entrypoints.deps import feed_base, get_uow
from services.deliberation.entrypoints.schemas import Council, CreateCouncil, Member, PutMember, UpdateCouncil
from services.deliberation.service_layer import councils as commands
from services.deliberation.service_layer.access import council_seen
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.auth import Principal, current_principal, require_roles

router = APIRouter(tags=["councils"])
admin = require_roles(Role.ADMIN)


def shows_feed(principal: Principal) -> bool:
    return principal.has(Role.ADMIN, Role.COMMITTEE, Role.COUNCIL_MEMBER)


def terms(member: PutMember) -> commands.MemberTerms:
    return commands.MemberTerms(
        name=member.name,
        party=member.party,
        position=member.position,
        term_from=member.term_from,
        term_until=member.term_until,
    )


@router.post("/councils", status_code=201, response_model=Council, summary="Create a council (admin)")
async def create_council(
    body: CreateCouncil,
    request: Request,
    response: Response,
    principal: Principal = Depends(admin),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Council:
    new = commands.NewCouncil(
        **body.model_dump(exclude={"members"}), members=[(m.person_id, terms(m)) for m in body.members]
    )
    row = await commands.create_council(uow, principal, new)
    response.headers["Location"] = f"/councils/{row['id']}"
    return Council.of(row, feed_base(request), show_feed=True)


@router.get("/councils", response_model=list[Council], summary="The councils of the caller's community")
async def list_councils(
    request: Request,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> list[Council]:
    async with uow.read() as conn:
        rows = await queries.councils(conn, principal.community)
    return [Council.of(r, feed_base(request), show_feed=shows_feed(principal)) for r in rows]


@router.get("/councils/{council_id}", response_model=Council)
async def get_council(
    council_id: uuid.UUID,
    request: Request,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Council:
    async with uow.read() as conn:
        row = council_seen(await queries.council(conn, council_id), council_id, principal)
    return Council.of(row, feed_base(request), show_feed=shows_feed(principal))


@router.patch("/councils/{council_id}", response_model=Council, summary="Change rules of a council (admin)")
async def update_council(
    council_id: uuid.UUID,
    body: UpdateCouncil,
    request: Request,
    principal: Principal = Depends(admin),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Council:
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in body.model_dump(exclude_unset=True).items()}
    row = await commands.update_council(uow, council_id, principal, values)
    return Council.of(row, feed_base(request), show_feed=True)


@router.post("/councils/{council_id}/feed-token", response_model=Council, summary="Issue a new calendar feed URL")
async def rotate_feed_token(
    council_id: uuid.UUID,
    request: Request,
    principal: Principal = Depends(admin),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Council:
    row = await commands.rotate_feed_token(uow, council_id, principal)
    return Council.of(row, feed_base(request), show_feed=True)


@router.get("/councils/{council_id}/members", response_model=list[Member])
async def list_members(
    council_id: uuid.UUID,
    principal: Principal = Depends(current_principal),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> list[Member]:
    async with uow.read() as conn:
        council_seen(await queries.council(conn, council_id), council_id, principal)
        rows = await queries.members(conn, council_id)
    return [Member.of(r) for r in rows]


@router.put(
    "/councils/{council_id}/members/{person_id}", response_model=Member, summary="Add or update a member (admin)"
)
async def put_member(
    council_id: uuid.UUID,
    body: PutMember,
    person_id: str = Path(min_length=1, max_length=100),
    principal: Principal = Depends(admin),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Member:
    return Member.of(await commands.put_member(uow, council_id, principal, person_id, terms(body)))


@router.delete("/councils/{council_id}/members/{person_id}", status_code=204, summary="Remove a member (admin)")
async def delete_member(
    council_id: uuid.UUID,
    person_id: str,
    principal: Principal = Depends(admin),
    uow: DeliberationUnitOfWork = Depends(get_uow),
) -> Response:
    await commands.remove_member(uow, council_id, principal, person_id)
    return Response(status_code=204)
