"""Fast tests of the selection commands on a fake unit of work: the rules without a database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from contracts.enums import SelectionCategory
from contracts.events.community import SelectionConcluded
from services.community.domain.selections import Nomination, NominationStatus, Selection, rank
from services.community.service_layer import selections
from services.community.service_layer.unit_of_work import CommunityUnitOfWork
from services.community.settings import CommunitySettings
from services.kernel import errors
from services.kernel.clock import SettableClock
from services.kernel.identity import Principal
from tests.support.fake_uow import FakeUnitOfWork

T0 = datetime(2020, 9, 1, 2, 0, tzinfo=UTC)
COMMITTEE = Principal("zhang-wei", "张伟", "meihu", frozenset({"committee", "resident"}), 1)


def resident(sub: str) -> Principal:
    return Principal(sub, sub, "meihu", frozenset({"resident"}), 6)


class FakeSelections:
    """The repository's contract in memory: one ballot per (selection, voter) is its key."""

    def __init__(self) -> None:
        self.rows: dict[uuid.UUID, Selection] = {}
        self.ballots: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = {}

    async def insert(self, s: Selection) -> None:
        self.rows[s.id] = s

    async def get_for_update(self, selection_id: uuid.UUID, *, shared: bool = False) -> Selection | None:
        return self.rows.get(selection_id)

    async def selection_of_nomination(self, nomination_id: uuid.UUID) -> uuid.UUID | None:
        return next((s.id for s in self.rows.values() for n in s.nominations if n.id == nomination_id), None)

    async def save(self, s: Selection) -> None:
        self.rows[s.id] = s

    async def add_nomination(self, selection_id: uuid.UUID, n: Nomination) -> bool:
        return True

    async def save_check(self, n: Nomination) -> None:
        pass

    async def cast(self, selection_id: uuid.UUID, voter: str, marks: Sequence[uuid.UUID], at: datetime) -> bool:
        if (selection_id, voter) in self.ballots:
            return False
        self.ballots[(selection_id, voter)] = list(marks)
        return True

    async def tally(self, selection_id: uuid.UUID) -> tuple[dict[uuid.UUID, int], int]:
        counts: dict[uuid.UUID, int] = {}
        cast = [marks for (s, _), marks in self.ballots.items() if s == selection_id]
        for marks in cast:
            for mark in marks:
                counts[mark] = counts.get(mark, 0) + 1
        return counts, len(cast)


class FakeCommunityUnitOfWork(FakeUnitOfWork[CommunitySettings], CommunityUnitOfWork):
    def __init__(self) -> None:
        super().__init__("community", CommunitySettings(), at=T0)
        self.fake_selections = FakeSelections()

    @property
    def selections(self) -> FakeSelections:  # type: ignore[override]
        return self.fake_selections


async def _voting(uow: FakeCommunityUnitOfWork, seats: int = 1) -> uuid.UUID:
    selection = await selections.create(
        uow,
        COMMITTEE,
        selections.NewSelection(
            category=SelectionCategory.EXCELLENT_GROUP_LEADER,
            year=2020,
            title={"zh-CN": "2020年度优秀楼栋党小组长", "en": "Excellent group leaders 2020"},
            seats=seats,
            who_may_nominate=["resident"],
            who_may_vote=["resident"],
            nominations_close_at=T0 + timedelta(days=7),
            voting_closes_at=T0 + timedelta(days=14),
        ),
    )
    clock = uow.clock
    assert isinstance(clock, SettableClock)
    for person in ("wang-fang", "chen-jing"):
        nomination = await selections.nominate(
            uow, resident("sun-hao"), selection.id, selections.NewNomination(person, person, 3, "尽心尽责")
        )
        await selections.check(uow, COMMITTEE, nomination.id, approve=True, reason=None)
        clock.advance(timedelta(minutes=1))
    await selections.close_nominations(uow, COMMITTEE, selection.id)
    await selections.open_voting(uow, COMMITTEE, selection.id)
    return selection.id


async def test_a_second_ballot_of_the_same_person_is_refused_and_publishes_nothing() -> None:
    uow = FakeCommunityUnitOfWork()
    selection_id = await _voting(uow)
    await selections.cast_ballot(uow, resident("sun-hao"), selection_id, ["wang-fang"])

    with pytest.raises(errors.RuleBroken) as refused:
        await selections.cast_ballot(uow, resident("sun-hao"), selection_id, ["chen-jing"])

    assert refused.value.reason == "already-voted"
    assert list(uow.fake_selections.ballots.values()) == [[uow.fake_selections.rows[selection_id].nominations[0].id]]
    assert uow.events == []


async def test_closing_names_the_winners_once_in_selection_concluded() -> None:
    uow = FakeCommunityUnitOfWork()
    selection_id = await _voting(uow, seats=1)
    await selections.cast_ballot(uow, resident("sun-hao"), selection_id, ["chen-jing"])
    await selections.cast_ballot(uow, resident("zhao-lei"), selection_id, ["chen-jing"])
    await selections.cast_ballot(uow, resident("liu-yang"), selection_id, ["wang-fang"])
    assert isinstance(uow.clock, SettableClock)
    uow.clock.advance(timedelta(days=14))

    await selections.close(uow, COMMITTEE, selection_id)
    with pytest.raises(errors.IllegalTransition):
        await selections.close(uow, COMMITTEE, selection_id)

    [concluded] = uow.events
    assert isinstance(concluded, SelectionConcluded)
    assert [(w.person_id, w.votes) for w in concluded.winners] == [("chen-jing", 2)]
    assert concluded.votes_cast == 3
    assert concluded.category is SelectionCategory.EXCELLENT_GROUP_LEADER


def _nomination(minute: int) -> Nomination:
    return Nomination(
        id=uuid.uuid4(),
        candidate_id=f"p{minute}",
        candidate_name=f"p{minute}",
        building_group=None,
        reason="r",
        nominated_by="x",
        nominated_at=T0 + timedelta(minutes=minute),
        status=NominationStatus.APPROVED,
    )


def test_a_tie_at_the_last_seat_goes_to_the_earliest_nomination_and_no_vote_wins_no_seat() -> None:
    late, early, top, silent = _nomination(3), _nomination(1), _nomination(2), _nomination(0)
    tally = {late.id: 2, early.id: 2, top.id: 5}

    ranked = rank([late, early, top, silent], tally, seats=3)
    two_seats = rank([late, early, top, silent], tally, seats=2)

    assert [(r.nomination.candidate_id, r.winner) for r in ranked] == [
        ("p2", True),
        ("p1", True),
        ("p3", True),
        ("p0", False),
    ]
    assert [r.nomination.candidate_id for r in two_seats if r.winner] == ["p2", "p1"]
    assert [r.winner for r in rank([silent], {}, seats=5)] == [False]
