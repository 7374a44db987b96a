"""The main commands of micro-wishes, venture projects and care visits on a fake unit of work:
the rules and the events they record, in milliseconds and without a database."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

import pytest

from contracts.enums import PostType
from contracts.events.community import VentureClosed, VisitPlanned, WishClaimed, WishConfirmed, WishFulfilled
from contracts.events.shifts import ParticipationCompleted
from services.community.domain.ventures import Participation, Plan, Venture
from services.community.domain.visits import AlreadyPlannedThisYear, CareVisit, LoveBankYear, NotABackbone
from services.community.domain.wishes import FamilyCannotClaim, NotTheFamily, Wish, WishTransitionNotAllowed
from services.community.service_layer import ventures, visits, wishes
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.community.settings import CommunitySettings
from services.kernel.identity import Principal
from tests.support.fake_uow import FakeUnitOfWork

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


class _Store:
    """An in-memory repository: what it hands out is a copy, as a database row would be."""

    def __init__(self, uow: FakeCommunity) -> None:
        self.uow = uow
        self.rows: dict[uuid.UUID, Any] = {}

    async def get_for_update(self, key: uuid.UUID) -> Any:
        found = copy.deepcopy(self.rows.get(key))
        if found is not None:
            self.uow.collect(found)
        return found

    def _keep(self, item: Any) -> None:
        stored = copy.deepcopy(item)
        stored.events = []  # a row holds the state; the events went to the outbox
        self.rows[item.id] = stored
        self.uow.collect(item)

    async def add(self, item: Any) -> bool:
        self._keep(item)
        return True

    async def save(self, item: Any, *_: Any) -> None:
        self._keep(item)


class FakeVentures(_Store):
    def __init__(self, uow: FakeCommunity) -> None:
        super().__init__(uow)
        self.participations: dict[uuid.UUID, ParticipationCompleted] = {}
        self.links: dict[uuid.UUID, uuid.UUID] = {}

    async def link_shift(self, venture: Venture, shift_id: uuid.UUID, actor: str, now: datetime) -> uuid.UUID:
        return self.links.setdefault(shift_id, venture.id)

    async def participation(self, venture: Venture) -> Participation:
        counted = [
            p
            for p in self.participations.values()
            if self.links.get(p.shift_id) == venture.id and p.post_type == venture.plan.post_type
        ]
        return Participation(
            len({p.shift_id for p in counted}), len({p.volunteer_id for p in counted}), sum(p.hours for p in counted)
        )

    async def record_participation(self, community: str, data: ParticipationCompleted) -> bool:
        return self.participations.setdefault(data.participation_id, data) is data


class FakeVisits(_Store):
    def __init__(self, uow: FakeCommunity) -> None:
        super().__init__(uow)
        self.years: dict[tuple[str, int], LoveBankYear] = {}

    async def add(self, item: Any) -> bool:
        visit = cast(CareVisit, item)
        if any(v.volunteer_id == visit.volunteer_id and v.year == visit.year for v in self.rows.values()):
            raise AlreadyPlannedThisYear(visit.volunteer_id, visit.year)
        return await super().add(visit)

    async def standing(self, community: str, person_id: str, year: int) -> LoveBankYear | None:
        return self.years.get((person_id, year))


class FakeCommunity(FakeUnitOfWork[CommunitySettings]):
    def __init__(self) -> None:
        super().__init__("community", CommunitySettings(), at=NOW)
        self.wishes = _Store(self)
        self.ventures = FakeVentures(self)
        self.visits = FakeVisits(self)

    @property
    def typed(self) -> CommunityUnitOfWork:
        return cast(CommunityUnitOfWork, self)


def person(sub: str, *roles: str, name: str = "") -> Principal:
    return Principal(sub=sub, name=name or sub, community="meihu", roles=frozenset(roles or ("resident",)))


COMMITTEE = person("zhang-wei", "committee")
CLAIMER = person("wang-fang", "volunteer", name="王芳")
FAMILY = person("sun-hao")


async def _entered(uow: FakeCommunity) -> Wish:
    return await wishes.enter(
        uow.typed, by=COMMITTEE, channel="festival", family_id="sun-hao",
        title="想要一套儿童绘本", description="", building_group=6,
    )  # fmt: skip


async def test_a_claimed_wish_is_fulfilled_and_confirmed_by_the_family_once() -> None:
    uow = FakeCommunity()
    wish = await _entered(uow)

    await wishes.claim(
        uow.typed, wish_id=wish.id, principal=CLAIMER, kind="person", unit_name=None, contact_id=None, contact_name=None
    )
    await wishes.fulfil(uow.typed, wish_id=wish.id, principal=CLAIMER, note="送到了", photo_url="https://x/1.jpg")
    await wishes.confirm(uow.typed, wish_id=wish.id, principal=FAMILY)
    with pytest.raises(WishTransitionNotAllowed):
        await wishes.confirm(uow.typed, wish_id=wish.id, principal=FAMILY)

    kinds = [type(e).__name__ for e in uow.events]
    assert kinds == ["WishApproved", "WishClaimed", "WishFulfilled", "WishConfirmed"]
    claimed, fulfilled, confirmed = (cast(Any, e) for e in uow.events[1:])
    assert isinstance(claimed, WishClaimed)
    assert claimed.claimer_id == "wang-fang"
    assert isinstance(fulfilled, WishFulfilled)
    assert fulfilled.family_id == "sun-hao"
    assert isinstance(confirmed, WishConfirmed)
    assert "family_id" not in confirmed.model_dump()


async def test_the_family_never_claims_its_own_wish_and_only_the_family_confirms() -> None:
    uow = FakeCommunity()
    wish = await _entered(uow)

    with pytest.raises(FamilyCannotClaim):
        await wishes.claim(
            uow.typed,
            wish_id=wish.id,
            principal=FAMILY,
            kind="person",
            unit_name=None,
            contact_id=None,
            contact_name=None,
        )
    await wishes.claim(
        uow.typed,
        wish_id=wish.id,
        principal=CLAIMER,
        kind="party_member",
        unit_name=None,
        contact_id=None,
        contact_name=None,
    )
    await wishes.fulfil(uow.typed, wish_id=wish.id, principal=CLAIMER, note="送到了", photo_url="https://x/1.jpg")
    with pytest.raises(NotTheFamily):
        await wishes.confirm(uow.typed, wish_id=wish.id, principal=COMMITTEE)

    assert uow.rolled_back == 2
    assert uow.wishes.rows[wish.id].status == "fulfilled"


def test_the_public_view_of_a_wish_names_no_family() -> None:
    row: dict[str, Any] = {
        "id": uuid.uuid4(), "community": "meihu", "status": "approved", "channel": "visit", "issue_id": None,
        "family_id": "sun-hao", "private_title": "孙浩家想要轮椅", "private_description": "6栋301",
        "public_title": "想要一台轮椅", "public_description": "", "building_group": 6, "claimer_kind": None,
        "claimer_id": None, "claimer_name": None, "unit_contact": None, "fulfil_note": None, "photo_url": None,
        "created_at": NOW, "approved_by": "zhang-wei", "approved_at": NOW, "claimed_at": None,
        "fulfilled_at": None, "confirmed_at": None,
    }  # fmt: skip

    for viewer in (None, CLAIMER, person("zhao-lei", "volunteer")):
        assert "sun-hao" not in repr(wishes.wish_view(viewer, row))
        assert "301" not in repr(wishes.wish_view(viewer, row))
    assert wishes.wish_view(COMMITTEE, row)["committee"]["family_id"] == "sun-hao"


async def test_a_venture_closes_with_participation_counted_from_its_linked_shifts_only() -> None:
    uow = FakeCommunity()
    plan = Plan("湖畔净滩行动", "清理湖岸", PostType.ENVIRONMENT, Decimal("1200.00"), ("六月净滩",))
    venture = await ventures.apply(uow.typed, community="meihu", lead_id="liu-yang", plan=plan)
    await ventures.decide(uow.typed, venture_id=venture.id, by=person("li-na", "committee"), approve=True, reason=None)
    linked, other = uuid.uuid4(), uuid.uuid4()
    await ventures.link_shift(uow.typed, venture_id=venture.id, community="meihu", actor="liu-yang", shift_id=linked)
    for shift, who, hours in ((linked, "wang-fang", 2.0), (linked, "zhao-lei", 1.5), (other, "chen-jing", 3.0)):
        await uow.ventures.record_participation(
            "meihu",
            ParticipationCompleted(
                participation_id=uuid.uuid4(), shift_id=shift, volunteer_id=who, post_type=PostType.ENVIRONMENT,
                hours=hours, started_at=NOW, ended_at=NOW, confirmed_by="liu-yang", confirmed_at=NOW,
            ),
        )  # fmt: skip

    await ventures.close(
        uow.typed, venture_id=venture.id, community="meihu", actor="liu-yang", spent=Decimal("800.00"), report="完成"
    )

    closed = uow.events[-1]
    assert isinstance(closed, VentureClosed)
    assert (closed.activities_held, closed.participants, closed.volunteer_hours) == (1, 2, 3.5)
    assert closed.spent == Decimal("800.00")


async def test_a_visit_is_planned_for_a_backbone_once_a_year_with_the_standing_when_picked() -> None:
    uow = FakeCommunity()
    uow.visits.years[("wang-fang", 2026)] = LoveBankYear("wang-fang", 300, 10.0)

    async def plan_visit(volunteer: str) -> CareVisit:
        return await visits.plan(
            uow.typed, community="meihu", actor="zhang-wei", volunteer_id=volunteer, planned_for=date(2026, 12, 20),
            visitors=["zhang-wei"],
        )  # fmt: skip

    await plan_visit("wang-fang")
    with pytest.raises(AlreadyPlannedThisYear):
        await plan_visit("wang-fang")
    with pytest.raises(NotABackbone):
        await plan_visit("sun-hao")

    [planned] = uow.events
    assert isinstance(planned, VisitPlanned)
    assert (planned.volunteer_id, planned.points, planned.hours, planned.year) == ("wang-fang", 300, 10.0, 2026)
