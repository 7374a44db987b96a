"""Posts and volunteers: setting up a post's leaders, registering volunteers, re-approval, feed tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.enums import VolunteerKind
from services.kernel.identity import Principal
from services.shifts.adapters.queries import Row
from services.shifts.domain.errors import NotALeader, NotAVolunteer, VolunteerNotFound
from services.shifts.service_layer.access import leads_any, post_of
from services.shifts.service_layer.unit_of_work import ShiftsUnitOfWork


async def set_up_post(
    uow: ShiftsUnitOfWork, principal: Principal, post_type: str, description: str | None, leaders: Sequence[str]
) -> tuple[Row, list[str]]:
    """A post of the caller's community and its leaders (the caller is a committee member or admin)."""
    async with uow:
        post = await uow.repo.save_post(principal.community, post_type, description, sorted(set(leaders)))
        await uow.audit(
            "post.set_up", post_type, principal, {"description": description, "leaders": sorted(set(leaders))}
        )
        return post, await uow.repo.leader_ids(post["id"])


@dataclass(frozen=True)
class VolunteerDetails:
    name: str
    kind: VolunteerKind
    building_group: int | None
    skills: list[str]
    posts: list[str]


async def register(
    uow: ShiftsUnitOfWork, principal: Principal, volunteer_id: str, details: VolunteerDetails
) -> tuple[Row, list[str]]:
    """A leader registers or updates a volunteer; a resident may register themselves, but only a
    leader vouches for a party member or backbone. Returns the volunteer and their posts."""
    community = principal.community
    async with uow:
        leader = await leads_any(uow, principal)
        existing = await uow.repo.volunteer(community, volunteer_id, lock=True)
        if not leader:
            current_kind = existing["kind"] if existing else VolunteerKind.RESIDENT
            if volunteer_id != principal.sub or details.kind != current_kind:
                raise NotALeader(
                    "Only a post leader may register others or set the volunteer kind.",
                    "只有岗位负责人可以登记他人或设置志愿者类别。",
                )
        post_ids = [(await post_of(uow, community, post_type))["id"] for post_type in details.posts]
        await uow.repo.save_volunteer(
            community,
            volunteer_id,
            name=details.name,
            kind=str(details.kind),
            building_group=details.building_group,
            skills=details.skills,
            post_ids=post_ids,
        )
        if leader and volunteer_id != principal.sub:  # a leader vouching for someone: a privileged act
            await uow.audit(
                "volunteer.registered",
                volunteer_id,
                principal,
                {"kind": details.kind, "posts": details.posts, "building_group": details.building_group},
            )
        return await _volunteer(uow, community, volunteer_id)


async def reapprove(uow: ShiftsUnitOfWork, principal: Principal, volunteer_id: str) -> tuple[Row, list[str]]:
    """A post leader lifts a no-show suspension; only no-shows after this count again."""
    async with uow:
        if not await leads_any(uow, principal):
            raise NotALeader("Only a post leader may re-approve a volunteer.", "只有岗位负责人可以重新审核。")
        if await uow.repo.volunteer(principal.community, volunteer_id, lock=True) is None:
            raise VolunteerNotFound(volunteer_id)
        await uow.repo.reapprove(principal.community, volunteer_id, at=uow.now(), by=principal.sub)
        await uow.audit("volunteer.reapproved", volunteer_id, principal)
        return await _volunteer(uow, principal.community, volunteer_id)


async def issue_feed_token(uow: ShiftsUnitOfWork, principal: Principal) -> str:
    """A new private calendar token for the caller; only its hash is stored, so the old one stops working."""
    token = secrets.token_urlsafe(32)
    async with uow.one_statement():
        if not await uow.repo.set_feed_token(principal.community, principal.sub, feed_digest(token)):
            raise NotAVolunteer()
    return token


def feed_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def _volunteer(uow: ShiftsUnitOfWork, community: str, volunteer_id: str) -> tuple[Row, list[str]]:
    row = await uow.repo.volunteer(community, volunteer_id)
    if row is None:
        raise VolunteerNotFound(volunteer_id)
    return row, await uow.repo.posts_of(community, volunteer_id)
