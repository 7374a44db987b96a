"""The sign-up rules without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.enums import VolunteerKind
from services.shifts.domain.errors import HoursInvalid, Reason, RuleBroken
from services.shifts.domain.rules import (
    Overlap,
    ShiftView,
    SignupPolicy,
    Waiting,
    check_cancellation,
    counted_service,
    decide_signup,
    should_suspend,
    to_promote,
)

NOW = datetime(2026, 12, 29, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = SignupPolicy()


def shift(**changes: object) -> ShiftView:
    values: dict[str, object] = {
        "id": "s1",
        "title": "patrol",
        "starts_at": NOW + 24 * H,
        "ends_at": NOW + 26 * H,
        "capacity": 2,
    }
    values.update(changes)
    return ShiftView(**values)  # type: ignore[arg-type]


def decide(view: ShiftView, kind: VolunteerKind = VolunteerKind.RESIDENT, **kwargs: object) -> str:
    options: dict[str, object] = {"suspended": False, "overlap": None, "now": NOW, "policy": POLICY, "by_leader": False}
    options.update(kwargs)
    return decide_signup(view, kind=kind, **options)  # type: ignore[arg-type]


def test_a_free_place_confirms_and_a_full_shift_waitlists() -> None:
    assert decide(shift(confirmed_count=1)) == "confirmed"
    assert decide(shift(confirmed_count=2)) == "waitlisted"


def test_places_still_needed_by_party_members_are_kept_for_them() -> None:
    view = shift(capacity=3, min_party_members=2, confirmed_count=1)

    assert decide(view, VolunteerKind.RESIDENT_BACKBONE) == "waitlisted"
    assert decide(view, VolunteerKind.PARTY_MEMBER) == "confirmed"


@pytest.mark.parametrize(
    ("view", "kwargs", "reason"),
    [
        (shift(ends_at=NOW), {}, Reason.ENDED),
        (shift(status="cancelled"), {}, Reason.SHIFT_CANCELLED),
        (shift(), {"suspended": True}, Reason.SUSPENDED),
        (shift(starts_at=NOW + 15 * 24 * H, ends_at=NOW + 15 * 24 * H + H), {}, Reason.NOT_OPEN_YET),
        (shift(), {"overlap": Overlap("s0", "other", NOW + 23 * H, NOW + 25 * H)}, Reason.OVERLAPS),
    ],
)
def test_each_refusal_names_its_reason(view: ShiftView, kwargs: dict[str, object], reason: Reason) -> None:
    with pytest.raises(RuleBroken) as refused:
        decide(view, VolunteerKind.RESIDENT, **kwargs)
    assert refused.value.reason == reason
    assert refused.value.detail_zh


def test_waitlist_promotion_skips_residents_while_party_places_are_missing() -> None:
    view = shift(capacity=2, min_party_members=1, confirmed_count=0)
    waitlist = [
        Waiting("w1", VolunteerKind.RESIDENT),
        Waiting("w2", VolunteerKind.RESIDENT),
        Waiting("w3", VolunteerKind.PARTY_MEMBER),
    ]

    assert to_promote(view, waitlist) == ["w1", "w3"]


def test_a_waitlist_place_may_be_given_up_at_any_time_but_a_confirmed_one_not_after_the_cut_off() -> None:
    late = shift(starts_at=NOW + 2 * H, ends_at=NOW + 4 * H)

    check_cancellation(late, status="waitlisted", now=NOW, policy=POLICY, by_leader=False)
    check_cancellation(late, status="confirmed", now=NOW, policy=POLICY, by_leader=True)
    with pytest.raises(RuleBroken) as refused:
        check_cancellation(late, status="confirmed", now=NOW, policy=POLICY, by_leader=False)
    assert refused.value.reason == Reason.CANCELLATION_CLOSED


def test_hours_come_from_check_in_and_out_else_the_plan() -> None:
    view = shift()
    counted = counted_service(
        view, checked_in_at=view.starts_at, checked_out_at=view.starts_at + 90 * timedelta(minutes=1)
    )
    planned = counted_service(view, checked_in_at=view.starts_at, checked_out_at=None)

    assert (counted.hours, counted.source) == (1.5, "check_in_out")
    assert (planned.hours, planned.source, planned.started_at) == (2.0, "planned", view.starts_at)


def test_edited_hours_need_a_reason() -> None:
    with pytest.raises(HoursInvalid):
        counted_service(shift(), checked_in_at=None, checked_out_at=None, hours=3, reason=" ")
    edited = counted_service(shift(), checked_in_at=None, checked_out_at=None, hours=3, reason="stayed late")
    assert (edited.hours, edited.ended_at - edited.started_at) == (3, 3 * H)


def test_the_second_no_show_suspends() -> None:
    assert not should_suspend(1, POLICY)
    assert should_suspend(2, POLICY)
