"""Commands of announcements and publicity agents, and the reaction that keeps the red posts' volunteers.

Each opens the unit of work it is given; the events the aggregates record go to the outbox when it
commits. Called from a consumer, the unit of work is the consumer's transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contracts.enums import Role
from contracts.envelope import CloudEvent
from contracts.events.shifts import ShiftScheduled, SignupCreated
from services.community.adapters import publicity_queries as queries
from services.community.domain.announcements import (
    Addressing,
    AgentKind,
    AgentNotFound,
    Announcement,
    AnnouncementNotFound,
    PublicityAgent,
    Publisher,
)
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.kernel.db import Connection
from services.kernel.identity import Principal


@dataclass(frozen=True)
class NewAnnouncement:
    title: str
    body: str
    to: Addressing
    pinned: bool = False
    expires_at: datetime | None = None


async def _publisher(uow: CommunityUnitOfWork, principal: Principal) -> Publisher:
    committee = principal.has(Role.COMMITTEE)
    agent = None
    if not committee and principal.has(Role.PUBLICITY_AGENT):
        agent = await uow.announcements.agent(principal.community, principal.sub)
    return Publisher(principal.sub, committee, agent)


async def publish(
    uow: CommunityUnitOfWork, principal: Principal, new: NewAnnouncement, *, announcement_id: uuid.UUID | None = None
) -> Announcement:
    """The committees publish to any audience; a registered agent only to their own building group."""
    async with uow:
        publisher = await _publisher(uow, principal)
        volunteers: list[str] = []
        if new.to.audience == "post" and new.to.post_type is not None:
            volunteers = await uow.announcements.volunteers_of(principal.community, new.to.post_type)
        announcement = Announcement.publish(
            announcement_id=announcement_id or uuid.uuid4(),
            community=principal.community,
            title=new.title,
            body=new.body,
            to=new.to,
            pinned=new.pinned,
            expires_at=new.expires_at,
            publisher=publisher,
            post_volunteers=volunteers,
            now=uow.now(),
        )
        await uow.announcements.add(announcement)
        return announcement


async def withdraw(uow: CommunityUnitOfWork, principal: Principal, announcement_id: uuid.UUID) -> Announcement:
    async with uow:
        announcement = await uow.announcements.get_for_update(announcement_id, principal.community)
        if announcement is None:
            raise AnnouncementNotFound(announcement_id)
        publisher = await _publisher(uow, principal)
        announcement.withdraw(publisher, uow.now())
        await uow.announcements.save_withdrawal(announcement)
        await uow.audit("announcement.withdrawn", announcement_id, principal)
        return announcement


async def acknowledge(
    uow: CommunityUnitOfWork, principal: Principal, announcement_id: uuid.UUID
) -> tuple[dict[str, Any], bool]:
    """A reader acknowledges a live announcement that is for them, once; a second time returns the first."""
    async with uow:
        if await readable(uow.conn, principal, announcement_id, uow.now()) is None:
            raise AnnouncementNotFound(announcement_id)
        return await uow.announcements.acknowledge(announcement_id, principal.sub, principal.building_group, uow.now())


async def readable(
    conn: Connection, principal: Principal, announcement_id: uuid.UUID, now: datetime
) -> dict[str, Any] | None:
    """The announcement as this reader may see it (live, and for them; any live one for the committees)."""
    return await queries.announcement(
        conn,
        announcement_id,
        community=principal.community,
        person_id=principal.sub,
        building_group=principal.building_group,
        every=principal.has(Role.COMMITTEE),
        now=now,
    )


async def register_agent(
    uow: CommunityUnitOfWork,
    principal: Principal,
    person_id: str,
    *,
    building_group: int,
    kind: AgentKind,
    name: str,
) -> PublicityAgent:
    agent = PublicityAgent(person_id, principal.community, building_group, kind, name.strip())
    async with uow:
        await uow.announcements.put_agent(agent, principal.sub, uow.now())
        await uow.audit(
            "publicity_agent.registered", person_id, principal, {"building_group": building_group, "kind": kind}
        )
    return agent


async def remove_agent(uow: CommunityUnitOfWork, principal: Principal, person_id: str) -> None:
    async with uow:
        if not await uow.announcements.remove_agent(principal.community, person_id):
            raise AgentNotFound(person_id)
        await uow.audit("publicity_agent.removed", person_id, principal)


# -- reactions to shifts' events ------------------------------------------------------------


async def on_shift_scheduled(uow: CommunityUnitOfWork, event: CloudEvent[ShiftScheduled]) -> None:
    """A shift names the volunteers of its post: they are that post's audience from now on."""
    async with uow:
        data = event.data
        if data.post_volunteer_ids:
            await uow.announcements.remember_volunteers(
                event.community, data.post_type, list(data.post_volunteer_ids), event.time
            )


async def on_signup_created(uow: CommunityUnitOfWork, event: CloudEvent[SignupCreated]) -> None:
    """Whoever signs up for a post's shift volunteers on that post."""
    async with uow:
        data = event.data
        await uow.announcements.remember_volunteers(event.community, data.post_type, [data.volunteer_id], event.time)
