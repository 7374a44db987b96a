"""Publicity's commands on a unit of work without a database (fast): the rules, and the events recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from contracts.enums import PostType
from contracts.events.community import (
    AnnouncementPublished,
    AnnouncementWithdrawn,
    InitiativeLaunched,
    InitiativeSigned,
)
from services.community.adapters.announcements import AnnouncementRepository
from services.community.adapters.initiatives import InitiativeRepository
from services.community.domain.announcements import Addressing, Announcement, NotYourBuildingGroup, PublicityAgent
from services.community.domain.initiatives import Initiative, InitiativeClosed
from services.community.service_layer import announcements, initiatives
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.community.settings import CommunitySettings
from services.kernel.db import Connection
from services.kernel.errors import InvalidInput, NotPermitted, RuleBroken
from services.kernel.identity import Principal
from tests.support.fake_uow import FakeUnitOfWork

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
NO_CONNECTION = cast(Connection, None)


class FakeAnnouncements(AnnouncementRepository):
    def __init__(self, seen: Any) -> None:
        super().__init__(NO_CONNECTION, seen)
        self.rows: dict[uuid.UUID, Announcement] = {}
        self.agents: dict[str, PublicityAgent] = {}
        self.volunteers: dict[PostType, set[str]] = {}

    async def add(self, a: Announcement) -> None:
        self.rows[a.id] = a
        self.seen(a)

    async def get_for_update(self, announcement_id: uuid.UUID, community: str) -> Announcement | None:
        a = self.rows.get(announcement_id)
        if a is None or a.community != community:
            return None
        self.seen(a)
        return a

    async def save_withdrawal(self, a: Announcement) -> None:
        self.rows[a.id] = a

    async def volunteers_of(self, community: str, post_type: PostType) -> list[str]:
        return sorted(self.volunteers.get(post_type, set()))

    async def agent(self, community: str, person_id: str) -> PublicityAgent | None:
        return self.agents.get(person_id)


class FakeInitiatives(InitiativeRepository):
    def __init__(self, seen: Any) -> None:
        super().__init__(NO_CONNECTION, seen)
        self.rows: dict[uuid.UUID, Initiative] = {}
        self.signatures: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}

    async def add(self, i: Initiative) -> None:
        self.rows[i.id] = i
        self.seen(i)

    async def get(self, initiative_id: uuid.UUID, community: str) -> Initiative | None:
        i = self.rows.get(initiative_id)
        if i is not None:
            self.seen(i)
        return i

    async def add_signature(self, signed: InitiativeSigned) -> bool:
        key = (signed.initiative_id, signed.person_id)
        if key in self.signatures:
            return False
        self.signatures[key] = signed.model_dump()
        return True

    async def signature(self, initiative_id: uuid.UUID, person_id: str) -> dict[str, Any] | None:
        return self.signatures.get((initiative_id, person_id))


class FakeCommunityUnitOfWork(FakeUnitOfWork[CommunitySettings], CommunityUnitOfWork):
    def __init__(self, at: datetime = NOON) -> None:
        super().__init__("community", CommunitySettings(), at=at)
        seen: Any = self.collect
        self.fake_announcements = FakeAnnouncements(seen)
        self.fake_initiatives = FakeInitiatives(seen)

    @property
    def announcements(self) -> AnnouncementRepository:
        return self.fake_announcements

    @property
    def initiatives(self) -> InitiativeRepository:
        return self.fake_initiatives


def person(sub: str, *roles: str, group: int | None = None) -> Principal:
    return Principal(
        sub=sub, name=sub, community="meihu", roles=frozenset(roles or ("resident",)), building_group=group
    )


COMMITTEE = person("zhang-wei", "committee", group=1)
AGENT = person("huang-li", "resident", "publicity_agent", group=3)


def to(audience: Any = "community", group: int | None = None, post: PostType | None = None) -> Any:
    return announcements.NewAnnouncement(title="停水通知", body="周六停水。", to=Addressing(audience, group, post))


async def test_a_committee_announcement_records_one_published_event_with_no_agent_group() -> None:
    uow = FakeCommunityUnitOfWork()

    await announcements.publish(uow, COMMITTEE, to("building_group", 3))

    [event] = uow.events
    assert isinstance(event, AnnouncementPublished)
    assert (event.audience, event.building_group, event.agent_group) == ("building_group", 3, None)


async def test_a_registered_agent_publishes_to_their_own_group_only() -> None:
    uow = FakeCommunityUnitOfWork()
    uow.fake_announcements.agents["huang-li"] = PublicityAgent("huang-li", "meihu", 3, "party_group_leader", "黄丽")

    await announcements.publish(uow, AGENT, to("building_group", 3))
    with pytest.raises(NotYourBuildingGroup):
        await announcements.publish(uow, AGENT, to("building_group", 4))
    with pytest.raises(NotYourBuildingGroup):
        await announcements.publish(uow, AGENT, to("community"))

    [event] = uow.events
    assert event.agent_group == 3


async def test_an_agent_not_registered_may_not_publish() -> None:
    uow = FakeCommunityUnitOfWork()

    with pytest.raises(NotPermitted):
        await announcements.publish(uow, AGENT, to("building_group", 3))

    assert uow.events == []


async def test_a_post_announcement_is_addressed_to_the_posts_known_volunteers() -> None:
    uow = FakeCommunityUnitOfWork()
    uow.fake_announcements.volunteers[PostType.PATROL] = {"zhao-lei", "liu-yang"}

    await announcements.publish(uow, COMMITTEE, to("post", post=PostType.PATROL))

    assert uow.events[0].recipient_ids == ["liu-yang", "zhao-lei"]


@pytest.mark.parametrize(
    "addressing",
    [("building_group", None, None), ("post", None, None), ("community", 2, None), ("post", 2, PostType.PATROL)],
)
async def test_an_audience_that_does_not_name_exactly_what_it_needs_is_refused(addressing: Any) -> None:
    uow = FakeCommunityUnitOfWork()

    with pytest.raises(InvalidInput):
        await announcements.publish(uow, COMMITTEE, to(*addressing))

    assert uow.events == []


async def test_a_withdrawal_is_recorded_once_and_only_before_expiry() -> None:
    uow = FakeCommunityUnitOfWork()
    a = await announcements.publish(uow, COMMITTEE, to())
    expiring = await announcements.publish(
        uow,
        COMMITTEE,
        announcements.NewAnnouncement("今日", "今日。", Addressing("community"), expires_at=NOON + timedelta(hours=1)),
    )

    await announcements.withdraw(uow, COMMITTEE, a.id)
    with pytest.raises(RuleBroken):
        await announcements.withdraw(uow, COMMITTEE, a.id)
    cast(Any, uow.clock).advance(timedelta(hours=2))
    with pytest.raises(RuleBroken):
        await announcements.withdraw(uow, COMMITTEE, expiring.id)

    assert [type(e) for e in uow.events] == [AnnouncementPublished, AnnouncementPublished, AnnouncementWithdrawn]


async def test_a_second_sign_on_records_no_second_event_and_a_closed_initiative_refuses() -> None:
    uow = FakeCommunityUnitOfWork()
    resident = person("wang-fang", group=3)
    initiative = await initiatives.launch(
        uow, COMMITTEE, title="倡议书", body="共建美湖。", closes_at=NOON + timedelta(days=1)
    )

    first, new = await initiatives.sign(uow, resident, initiative.id)
    again, again_new = await initiatives.sign(uow, resident, initiative.id)
    cast(Any, uow.clock).advance(timedelta(days=2))
    with pytest.raises(InitiativeClosed):
        await initiatives.sign(uow, person("sun-hao", group=6), initiative.id)

    assert (new, again_new) == (True, False)
    assert again == first
    assert [type(e) for e in uow.events] == [InitiativeLaunched, InitiativeSigned]
    assert uow.events[1].building_group == 3
