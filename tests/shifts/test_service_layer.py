"""The main commands against the fake unit of work: the rules, the events and the lock order, no database."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import pytest

from contracts.events.shifts import (
    ParticipationCompleted,
    ShiftScheduled,
    SignupCancelled,
    SignupCreated,
    SignupPromoted,
)
from services.kernel.identity import Principal
from services.shifts.adapters.repository import ShiftDetails, TemplateDetails
from services.shifts.domain.errors import HoursInvalid, NotALeader, Reason, RuleBroken
from services.shifts.service_layer import signups, templates
from services.shifts.service_layer.confirmations import Confirmation, confirm_participants
from services.shifts.settings import ShiftsSettings
from tests.shifts.conftest import START
from tests.shifts.fakes import FakeShiftsUnitOfWork

H = timedelta(hours=1)
COMMUNITY = "meihu"
LEADER = Principal("liu-yang", "刘洋", COMMUNITY, frozenset({"resident", "post_leader"}))


def person(sub: str) -> Principal:
    return Principal(sub, sub, COMMUNITY, frozenset({"resident", "volunteer"}))


def world(**settings: Any) -> tuple[FakeShiftsUnitOfWork, uuid.UUID]:
    """A unit of work standing at START with a patrol post led by liu-yang; returns it and the post's id."""
    uow = FakeShiftsUnitOfWork(ShiftsSettings(**settings), at=START)
    post = uow.fake.add_post(COMMUNITY, "patrol", leaders=["liu-yang"])
    return uow, post["id"]


def shift(uow: FakeShiftsUnitOfWork, post_id: uuid.UUID, *, starts_in: timedelta, capacity: int = 10) -> uuid.UUID:
    starts_at = START + starts_in
    new = ShiftDetails(COMMUNITY, post_id, "晚间巡逻", starts_at, starts_at + 2 * H, capacity)
    row = uow.fake.shifts[uuid.uuid4()] = {
        "id": None,
        **{k: v for k, v in vars(new).items()},
        "post_type": "patrol",
        "status": "scheduled",
        "cancel_reason": None,
        "confirmed_count": 0,
        "waitlist_count": 0,
        "created_by": "liu-yang",
    }
    shift_id = next(k for k, v in uow.fake.shifts.items() if v is row)
    row["id"] = shift_id
    return shift_id


async def test_a_sign_up_within_capacity_is_confirmed_and_announced() -> None:
    uow, post = world()
    uow.fake.add_volunteer(COMMUNITY, "a")
    shift_id = shift(uow, post, starts_in=24 * H)

    result = await signups.sign_up(uow, person("a"), shift_id=shift_id, volunteer_id="a")

    assert (result.signup["status"], result.waitlist_position) == ("confirmed", None)
    assert [type(e) for e in uow.events] == [SignupCreated]
    assert uow.fake.shifts[shift_id]["confirmed_count"] == 1


async def test_a_sign_up_to_a_full_shift_joins_the_waitlist_in_order() -> None:
    uow, post = world()
    for p in ("a", "b", "c"):
        uow.fake.add_volunteer(COMMUNITY, p)
    shift_id = shift(uow, post, starts_in=24 * H, capacity=1)

    results = [await signups.sign_up(uow, person(p), shift_id=shift_id, volunteer_id=p) for p in ("a", "b", "c")]

    assert [(r.signup["status"], r.waitlist_position) for r in results] == [
        ("confirmed", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]


async def test_a_sign_up_locks_the_volunteer_before_the_shift() -> None:
    uow, post = world()
    uow.fake.add_volunteer(COMMUNITY, "a")
    shift_id = shift(uow, post, starts_in=24 * H)

    await signups.sign_up(uow, person("a"), shift_id=shift_id, volunteer_id="a")

    assert uow.fake.locks == [("volunteer", "a"), ("shift", shift_id)]


async def test_a_volunteer_cannot_sign_someone_else_up_and_nothing_is_published() -> None:
    uow, post = world()
    uow.fake.add_volunteer(COMMUNITY, "a")
    uow.fake.add_volunteer(COMMUNITY, "b")
    shift_id = shift(uow, post, starts_in=24 * H)

    with pytest.raises(NotALeader):
        await signups.sign_up(uow, person("a"), shift_id=shift_id, volunteer_id="b")

    assert (uow.events, uow.fake.signups) == ([], {})


async def test_cancelling_promotes_the_first_on_the_waitlist() -> None:
    uow, post = world()
    for p in ("a", "b", "c"):
        uow.fake.add_volunteer(COMMUNITY, p)
    shift_id = shift(uow, post, starts_in=24 * H, capacity=1)
    for p in ("a", "b", "c"):
        await signups.sign_up(uow, person(p), shift_id=shift_id, volunteer_id=p)

    promoted = await signups.cancel_signup(uow, person("a"), shift_id=shift_id, volunteer_id="a")

    assert [p["volunteer_id"] for p in promoted] == ["b"]
    assert [type(e) for e in uow.events[-2:]] == [SignupCancelled, SignupPromoted]
    assert (uow.fake.shifts[shift_id]["confirmed_count"], uow.fake.shifts[shift_id]["waitlist_count"]) == (1, 1)


async def test_cancelling_a_confirmed_place_closes_at_the_cut_off_but_not_for_leaders() -> None:
    uow, post = world(shifts_cancel_cutoff_hours=3)
    uow.fake.add_volunteer(COMMUNITY, "a")
    uow.fake.add_volunteer(COMMUNITY, "b")
    shift_id = shift(uow, post, starts_in=2 * H)
    for p in ("a", "b"):
        await signups.sign_up(uow, person(p), shift_id=shift_id, volunteer_id=p)

    with pytest.raises(RuleBroken) as refused:
        await signups.cancel_signup(uow, person("a"), shift_id=shift_id, volunteer_id="a")
    await signups.cancel_signup(uow, LEADER, shift_id=shift_id, volunteer_id="b")

    assert refused.value.reason == Reason.CANCELLATION_CLOSED
    assert refused.value.slug == "shifts/cancellation_closed"


async def test_check_in_opens_an_hour_before_and_check_out_needs_a_check_in() -> None:
    uow, post = world()
    uow.fake.add_volunteer(COMMUNITY, "a")
    shift_id = shift(uow, post, starts_in=2 * H)
    await signups.sign_up(uow, person("a"), shift_id=shift_id, volunteer_id="a")

    with pytest.raises(RuleBroken) as early:
        await signups.check_in(uow, person("a"), shift_id=shift_id, volunteer_id="a")
    with pytest.raises(RuleBroken) as out_first:
        await signups.check_out(uow, person("a"), shift_id=shift_id, volunteer_id="a")
    uow.clock.advance(H)  # type: ignore[attr-defined]
    checked_in = await signups.check_in(uow, person("a"), shift_id=shift_id, volunteer_id="a")
    uow.clock.advance(2 * H)  # type: ignore[attr-defined]
    checked_out = await signups.check_out(uow, person("a"), shift_id=shift_id, volunteer_id="a")

    assert (early.value.reason, out_first.value.reason) == (Reason.NOT_OPEN_YET, Reason.NOT_CHECKED_IN)
    assert (checked_in["checked_in_at"], checked_out["checked_out_at"]) == (START + H, START + 3 * H)


async def _signed_up_and_over(uow: FakeShiftsUnitOfWork, post: uuid.UUID, *people: str) -> uuid.UUID:
    for p in people:
        uow.fake.add_volunteer(COMMUNITY, p)
    shift_id = shift(uow, post, starts_in=H)
    for p in people:
        await signups.sign_up(uow, person(p), shift_id=shift_id, volunteer_id=p)
    uow.clock.advance(4 * H)  # type: ignore[attr-defined]
    return shift_id


async def test_confirming_counts_the_planned_hours_once_and_a_second_time_emits_nothing() -> None:
    uow, post = world()
    shift_id = await _signed_up_and_over(uow, post, "a")
    before = len(uow.events)

    first = await confirm_participants(uow, LEADER, shift_id=shift_id, items=[Confirmation("a", "completed")])
    again = await confirm_participants(uow, LEADER, shift_id=shift_id, items=[Confirmation("a", "completed")])

    completed = uow.events[before:]
    assert [type(e) for e in completed] == [ParticipationCompleted]
    assert (completed[0].hours, completed[0].confirmed_by) == (2.0, "liu-yang")
    assert ([c.new for c in first], [c.new for c in again]) == ([True], [False])


async def test_confirmation_is_all_or_nothing() -> None:
    uow, post = world()
    shift_id = await _signed_up_and_over(uow, post, "a", "b")
    before = len(uow.events)

    with pytest.raises(HoursInvalid):
        await confirm_participants(
            uow,
            LEADER,
            shift_id=shift_id,
            items=[Confirmation("a", "completed"), Confirmation("b", "completed", hours=5)],
        )

    assert (uow.events[before:], uow.fake.participations) == ([], {})


async def test_confirmation_locks_the_volunteers_in_id_order_before_the_shift() -> None:
    uow, post = world()
    shift_id = await _signed_up_and_over(uow, post, "b", "a")
    uow.fake.locks.clear()

    await confirm_participants(
        uow, LEADER, shift_id=shift_id, items=[Confirmation("b", "no_show"), Confirmation("a", "completed")]
    )

    assert uow.fake.locks == [("volunteer", "a"), ("volunteer", "b"), ("shift", shift_id)]


async def test_only_the_post_leader_confirms() -> None:
    uow, post = world()
    shift_id = await _signed_up_and_over(uow, post, "a")

    with pytest.raises(NotALeader):
        await confirm_participants(uow, person("a"), shift_id=shift_id, items=[Confirmation("a", "completed")])


async def test_the_second_no_show_suspends_the_volunteer() -> None:
    uow, post = world(shifts_no_show_limit=2)
    first = await _signed_up_and_over(uow, post, "a")
    uow.clock.set(START)  # type: ignore[attr-defined]
    second = shift(uow, post, starts_in=24 * H)
    await signups.sign_up(uow, person("a"), shift_id=second, volunteer_id="a")
    uow.clock.set(START + 27 * H)  # type: ignore[attr-defined]

    once = await confirm_participants(uow, LEADER, shift_id=first, items=[Confirmation("a", "no_show")])
    twice = await confirm_participants(uow, LEADER, shift_id=second, items=[Confirmation("a", "no_show")])

    assert (once[0].suspended, twice[0].suspended) == (False, True)
    assert uow.fake.volunteers[(COMMUNITY, "a")]["suspended_at"] == START + 27 * H


PATROL = TemplateDetails(
    title="治安巡逻",
    weekdays=[2, 5],
    start_time=time(19),
    end_time=time(21),
    valid_from=date(2026, 12, 1),
    valid_until=None,
    location="美湖小区",
    capacity=6,
    min_party_members=1,
    notes=None,
    active=True,
)


async def test_a_template_generates_its_shifts_ahead_once_at_local_times() -> None:
    uow, _ = world(shifts_generate_weeks=1)

    created = await templates.create_template(uow, LEADER, "patrol", PATROL)
    again = await templates.generate_now(uow, LEADER, created["id"], None)

    starts = sorted(s["starts_at"].astimezone(uow.zone).isoformat() for s in uow.fake.shifts.values())
    assert starts == ["2026-12-29T19:00:00+08:00", "2027-01-01T19:00:00+08:00", "2027-01-05T19:00:00+08:00"]
    assert again == []
    assert [type(e) for e in uow.events] == [ShiftScheduled] * 3


async def test_templates_are_read_in_the_community_time_zone_of_the_settings() -> None:
    uow, _ = world(shifts_generate_weeks=1, time_zone="Europe/Berlin")

    await templates.create_template(uow, LEADER, "patrol", PATROL)

    first = min(s["starts_at"] for s in uow.fake.shifts.values())
    assert first.astimezone(uow.zone).isoformat() == "2026-12-29T19:00:00+01:00"


async def test_editing_a_template_regenerates_only_shifts_nobody_signed_up_for() -> None:
    uow, _ = world(shifts_generate_weeks=1)
    created = await templates.create_template(uow, LEADER, "patrol", PATROL)
    uow.fake.add_volunteer(COMMUNITY, "a")
    first = min(uow.fake.shifts.values(), key=lambda s: s["starts_at"])
    await signups.sign_up(uow, person("a"), shift_id=first["id"], volunteer_id="a")

    await templates.update_template(
        uow, LEADER, created["id"], "patrol", TemplateDetails(**{**vars(PATROL), "start_time": time(18, 30)})
    )

    starts = [
        s["starts_at"].astimezone(uow.zone).strftime("%m-%d %H:%M")
        for s in sorted(uow.fake.shifts.values(), key=lambda s: s["starts_at"])
    ]
    assert starts == ["12-29 19:00", "01-01 18:30", "01-05 18:30"]
