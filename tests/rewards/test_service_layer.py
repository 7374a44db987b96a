"""The love bank's commands on a fake unit of work (no database): what they decide, what they publish, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.events.rewards import PointsAdjusted, PointsAwarded
from services.rewards.domain.errors import AlreadyExists, InsufficientPoints, InvalidValues, NotFoundError
from services.rewards.service_layer import adjustments
from services.rewards.service_layer import participation as participations
from tests.rewards.fakes import FakeRewardsUnitOfWork
from tests.rewards.helpers import ADMIN, SHANGHAI_NOON, participation

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def fake(**settings: object) -> FakeRewardsUnitOfWork:
    return FakeRewardsUnitOfWork(NOW, **settings)


async def test_an_adjustment_credits_the_account_and_announces_it_once_committed() -> None:
    uow = fake()

    tx, balance = await adjustments.adjust(uow, "meihu", "wu-xia", 50, reason="补录 late record", by=ADMIN)

    assert balance == 50 == uow.fake_ledger.balance("meihu", "wu-xia")
    assert uow.committed == 1
    [event] = uow.events
    assert isinstance(event, PointsAdjusted)
    assert (event.transaction_id, event.points, event.balance_after, event.adjusted_by) == (tx, 50, 50, "admin")
    assert event.adjusted_at == NOW  # the injected clock


async def test_an_adjustment_of_zero_points_is_refused_before_anything_opens() -> None:
    uow = fake()

    with pytest.raises(InvalidValues):
        await adjustments.adjust(uow, "meihu", "wu-xia", 0, reason="nothing", by=ADMIN)

    assert uow.committed == 0
    assert uow.published == []


async def test_taking_away_more_than_the_balance_is_refused_and_publishes_nothing() -> None:
    uow = fake()
    await adjustments.adjust(uow, "meihu", "wu-xia", 50, reason="top-up", by=ADMIN)

    with pytest.raises(InsufficientPoints) as refused:
        await adjustments.adjust(uow, "meihu", "wu-xia", -60, reason="too much", by=ADMIN)

    assert refused.value.extensions == {"reason": "insufficient-points", "balance": 50, "needed": 60}
    assert uow.rolled_back == 1
    assert len(uow.published) == 1  # only the top-up
    assert uow.fake_ledger.balance("meihu", "wu-xia") == 50


async def test_a_reversal_undoes_a_transaction_once() -> None:
    uow = fake()
    tx, _ = await adjustments.adjust(uow, "meihu", "zhou-qiang", 30, reason="wrong person", by=ADMIN)

    _, after = await adjustments.reverse(uow, "meihu", tx, reason="mistake", by=ADMIN)

    assert after == 0
    assert [e.points for e in uow.events if isinstance(e, PointsAdjusted)] == [30, -30]
    with pytest.raises(AlreadyExists):
        await adjustments.reverse(uow, "meihu", tx, reason="again", by=ADMIN)


async def test_another_communitys_transaction_does_not_exist_for_a_reversal() -> None:
    uow = fake()
    tx, _ = await adjustments.adjust(uow, "meihu", "zhou-qiang", 30, reason="top-up", by=ADMIN)

    with pytest.raises(NotFoundError):
        await adjustments.reverse(uow, "other", tx, reason="not yours", by=ADMIN)


async def test_one_participation_is_a_batch_of_one_paying_its_points_with_the_balance_after() -> None:
    uow = fake()
    shift = participation("wang-fang", hours=2.0)

    await participations.on_participation_completed(uow, shift)

    [award] = uow.fake_ledger.awards
    assert (award.points, award.service_day, award.hours) == (24, SHANGHAI_NOON.date(), Decimal(2))
    [event] = uow.events
    assert isinstance(event, PointsAwarded)
    assert (event.points, event.balance_after, event.source_event_id) == (24, 24, shift.id)
    assert event.explanation["en"] == "2.0 h patrol x 12 points/h = 24"


async def test_night_hours_are_judged_in_the_communitys_time_zone() -> None:
    start = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 22:00-24:00 in London (night), 05:00-07:00 in Shanghai
    london, shanghai = fake(time_zone="Europe/London"), fake(time_zone="Asia/Shanghai")

    for uow in (london, shanghai):
        await participations.on_participation_completed(uow, participation("liu-yang", hours=2.0, started_at=start))

    assert [uow.fake_ledger.awards[0].night_hours for uow in (london, shanghai)] == [2, 1]
    assert [uow.fake_ledger.balance("meihu", "liu-yang") for uow in (london, shanghai)] == [36, 30]


async def test_the_daily_cap_adds_up_a_batchs_awards_in_event_order() -> None:
    uow = fake()
    day = SHANGHAI_NOON - timedelta(hours=6)  # 06:00-14:00 and 14:00-22:00: no night hours
    batch = [participation("yang-min", hours=8.0, started_at=day + timedelta(hours=h)) for h in (0, 8, 0)]

    await participations.on_participation_completed_batch(uow, batch)

    assert [a.points for a in uow.fake_ledger.awards] == [96, 96, 8]
    assert uow.fake_ledger.balance("meihu", "yang-min") == 200
    assert len(uow.events) == 3


async def test_an_event_given_twice_in_a_batch_pays_once() -> None:
    uow = fake()
    shift = participation("zhao-lei", hours=1.0)

    await participations.on_participation_completed_batch(uow, [shift, shift])

    assert len(uow.fake_ledger.awards) == 1
    assert uow.fake_ledger.balance("meihu", "zhao-lei") == 12
