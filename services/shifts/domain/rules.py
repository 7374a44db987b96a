"""The sign-up rules of a red-post shift (in the spirit of Engelsystem), as plain functions.

Every refusal is a `RuleBroken` (domain/errors.py) with a machine-readable reason, an English
and a Chinese text, so the API can answer 409 problem details that a phone shows as-is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from contracts.enums import VolunteerKind
from services.shifts.domain.errors import HoursInvalid, Reason, RuleBroken

SignupStatus = Literal["confirmed", "waitlisted"]


@dataclass(frozen=True)
class SignupPolicy:
    opens_before: timedelta = timedelta(days=14)
    cancel_cutoff: timedelta = timedelta(hours=3)
    no_show_limit: int = 2
    no_show_window: timedelta = timedelta(days=90)
    checkin_opens_before: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class ShiftView:
    """What the rules need to know about a shift (read under its row lock)."""

    id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    min_party_members: int = 0
    status: str = "scheduled"
    confirmed_count: int = 0
    confirmed_party_members: int = 0


@dataclass(frozen=True)
class Planned:
    """When a shift was planned to run (all that counting its hours needs)."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Overlap:
    shift_id: str
    title: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Waiting:
    signup_id: str
    kind: VolunteerKind


def check_open_shift(shift: ShiftView, now: datetime) -> None:
    if shift.status == "cancelled":
        raise RuleBroken(Reason.SHIFT_CANCELLED, "This shift has been cancelled.", "该班次已取消。")
    if now >= shift.ends_at:
        raise RuleBroken(Reason.ENDED, "This shift has already ended.", "该班次已结束。")


def places_for(shift: ShiftView, kind: VolunteerKind) -> int:
    """Free places this kind of volunteer may take: places still needed by party members are kept for them."""
    free = shift.capacity - shift.confirmed_count
    if kind == VolunteerKind.PARTY_MEMBER:
        return max(free, 0)
    reserved = max(shift.min_party_members - shift.confirmed_party_members, 0)
    return max(free - reserved, 0)


def decide_signup(
    shift: ShiftView,
    *,
    kind: VolunteerKind,
    suspended: bool,
    overlap: Overlap | None,
    now: datetime,
    policy: SignupPolicy,
    by_leader: bool,
) -> SignupStatus:
    """Confirmed if a place is free, waitlisted if full; refuses with a reason otherwise."""
    check_open_shift(shift, now)
    if suspended:
        raise RuleBroken(
            Reason.SUSPENDED,
            "Too many no-shows: a post leader must re-approve you before you sign up again.",
            "缺勤次数过多：需岗位负责人重新审核后才能报名。",
        )
    opens_at = shift.starts_at - policy.opens_before
    if not by_leader and now < opens_at:
        raise RuleBroken(
            Reason.NOT_OPEN_YET,
            f"Sign-up opens at {opens_at.isoformat()}.",
            f"报名将于 {opens_at.isoformat()} 开放。",
            opens_at=opens_at.isoformat(),
        )
    if overlap is not None:
        raise RuleBroken(
            Reason.OVERLAPS,
            f"This overlaps your shift '{overlap.title}' ({overlap.starts_at.isoformat()} - {overlap.ends_at.isoformat()}).",
            f"与您已报名的班次“{overlap.title}”时间冲突。",
            overlapping_shift={
                "id": overlap.shift_id,
                "title": overlap.title,
                "starts_at": overlap.starts_at.isoformat(),
                "ends_at": overlap.ends_at.isoformat(),
            },
        )
    return "confirmed" if places_for(shift, kind) > 0 else "waitlisted"


def to_promote(shift: ShiftView, waitlist: list[Waiting]) -> list[str]:
    """The waitlisted sign-ups that take the free places, first come first served within the party reservation."""
    promoted: list[str] = []
    confirmed, party = shift.confirmed_count, shift.confirmed_party_members
    for waiting in waitlist:
        state = ShiftView(
            shift.id, shift.title, shift.starts_at, shift.ends_at, shift.capacity, shift.min_party_members,
            shift.status, confirmed, party,
        )  # fmt: skip
        if shift.capacity - confirmed <= 0:
            break
        if places_for(state, waiting.kind) > 0:
            promoted.append(waiting.signup_id)
            confirmed += 1
            party += waiting.kind == VolunteerKind.PARTY_MEMBER
    return promoted


def check_cancellation(shift: ShiftView, *, status: str, now: datetime, policy: SignupPolicy, by_leader: bool) -> None:
    """Waitlist places may always be given up; a confirmed place until the cut-off (leaders any time before the end)."""
    if status == "waitlisted":
        return
    check_open_shift(shift, now)
    closes_at = shift.starts_at - policy.cancel_cutoff
    if not by_leader and now > closes_at:
        raise RuleBroken(
            Reason.CANCELLATION_CLOSED,
            f"Cancellation closed at {closes_at.isoformat()}; please ask the post leader.",
            f"取消报名已于 {closes_at.isoformat()} 截止，请联系岗位负责人。",
            closed_at=closes_at.isoformat(),
        )


def check_check_in(shift: ShiftView, *, now: datetime, policy: SignupPolicy) -> None:
    check_open_shift(shift, now)
    opens_at = shift.starts_at - policy.checkin_opens_before
    if now < opens_at:
        raise RuleBroken(
            Reason.NOT_OPEN_YET,
            f"Check-in opens at {opens_at.isoformat()}.",
            f"签到将于 {opens_at.isoformat()} 开放。",
            opens_at=opens_at.isoformat(),
        )


def should_suspend(recent_no_shows: int, policy: SignupPolicy) -> bool:
    return recent_no_shows >= policy.no_show_limit


@dataclass(frozen=True)
class CountedService:
    hours: float
    started_at: datetime
    ended_at: datetime
    source: Literal["check_in_out", "planned", "edited"]
    reason: str | None = field(default=None)


def counted_service(
    shift: ShiftView | Planned,
    *,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    hours: float | None = None,
    reason: str | None = None,
) -> CountedService:
    """Hours from check-in/out when both exist, else the planned hours; a leader may edit them with a reason."""
    if hours is not None:
        if not reason or not reason.strip():
            raise HoursInvalid("Edited hours need a reason.", "修改时长需要说明理由。")
        if not 0 < hours <= 24:
            raise HoursInvalid("Hours must be more than 0 and at most 24.", "时长须大于 0 且不超过 24 小时。")
        start = checked_in_at or shift.starts_at
        return CountedService(round(hours, 2), start, start + timedelta(hours=hours), "edited", reason.strip())
    if checked_in_at is not None and checked_out_at is not None:
        counted = round((checked_out_at - checked_in_at).total_seconds() / 3600, 2)
        if counted <= 0:
            raise HoursInvalid(
                "Check-in and check-out are too close to count; give the hours and a reason.",
                "签到与签退间隔过短，请填写时长并说明理由。",
            )
        return CountedService(min(counted, 24.0), checked_in_at, checked_out_at, "check_in_out")
    planned = round((shift.ends_at - shift.starts_at).total_seconds() / 3600, 2)
    return CountedService(min(planned, 24.0), shift.starts_at, shift.ends_at, "planned")
