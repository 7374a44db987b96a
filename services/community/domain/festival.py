"""The neighbourhood festival (邻里节): one a year, its activities proposed and chosen by residents.

Residents propose activities while proposals are open and support the ones they like (once
each); the committees adopt a proposal (ActivityAdopted, with the support it gathered) and
schedule it (ActivityScheduled: time, place, capacity); then people sign up, never beyond
capacity. An activity goes proposed -> adopted -> scheduled, one way.

Plain Python, no I/O.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from contracts.events.community import ActivityAdopted, ActivityScheduled
from services.kernel import errors
from services.kernel.events import PendingEvent


class ActivityStatus(StrEnum):
    PROPOSED = "proposed"
    ADOPTED = "adopted"
    SCHEDULED = "scheduled"


NEXT: dict[ActivityStatus, tuple[ActivityStatus, ...]] = {
    ActivityStatus.PROPOSED: (ActivityStatus.ADOPTED,),
    ActivityStatus.ADOPTED: (ActivityStatus.SCHEDULED,),
    ActivityStatus.SCHEDULED: (),
}


class FestivalNotFound(errors.DoesNotExist):
    def __init__(self, festival: object) -> None:
        super().__init__(f"There is no festival {festival} / 邻里节不存在.")


class ActivityNotFound(errors.DoesNotExist):
    def __init__(self, activity_id: object) -> None:
        super().__init__(f"There is no festival activity {activity_id} / 活动不存在.")


class ActivityStepNotAllowed(errors.IllegalTransition):
    def __init__(self, current: ActivityStatus, wanted: ActivityStatus) -> None:
        super().__init__(
            f"An activity that is {current.value} cannot become {wanted.value} / 活动当前状态不允许此操作.",
            current=current.value,
            allowed=[s.value for s in NEXT[current]],
        )


@dataclass(frozen=True)
class Festival:
    id: uuid.UUID
    community: str
    year: int
    edition: int | None
    theme: str
    proposals_close_at: datetime

    def check_open_for_proposals(self, now: datetime) -> None:
        if now >= self.proposals_close_at:
            raise errors.RuleBroken(
                "Proposals for this festival are closed / 活动征集已截止.", reason="proposals-closed"
            )


@dataclass
class Activity:
    id: uuid.UUID
    festival: Festival
    title: str
    proposed_by: str
    status: ActivityStatus = ActivityStatus.PROPOSED
    support_count: int = 0
    adopted_by: str | None = None
    adopted_at: datetime | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = None
    capacity: int | None = None
    _events: list[PendingEvent] = field(default_factory=list, repr=False)

    @property
    def community(self) -> str:
        return self.festival.community

    def _move(self, wanted: ActivityStatus) -> None:
        if wanted not in NEXT[self.status]:
            raise ActivityStepNotAllowed(self.status, wanted)
        self.status = wanted

    def _base(self) -> dict[str, object]:
        return {
            "activity_id": self.id,
            "festival_id": self.festival.id,
            "festival_year": self.festival.year,
            "festival_edition": self.festival.edition,
            "title": self.title,
        }

    def check_supportable(self) -> None:
        if self.status is not ActivityStatus.PROPOSED:
            raise errors.RuleBroken(
                "Support is for proposals not yet adopted / 只能支持尚未采纳的提议.", reason="already-adopted"
            )

    def adopt(self, actor: str, now: datetime) -> None:
        self._move(ActivityStatus.ADOPTED)
        self.adopted_by, self.adopted_at = actor, now
        self._record(
            ActivityAdopted(
                **self._base(),
                proposed_by=self.proposed_by,
                support_count=self.support_count,
                adopted_by=actor,
                adopted_at=now,
            )
        )

    def schedule(
        self, *, starts_at: datetime, ends_at: datetime, location: str | None, capacity: int | None, now: datetime
    ) -> None:
        if ends_at <= starts_at:
            raise errors.InvalidInput("An activity ends after it starts / 结束时间须晚于开始时间.", field="ends_at")
        if starts_at <= now:
            raise errors.InvalidInput("An activity is scheduled in the future / 活动时间须在将来.", field="starts_at")
        if capacity is not None and capacity < 1:
            raise errors.InvalidInput("Capacity is at least 1 / 名额至少为 1.", field="capacity")
        self._move(ActivityStatus.SCHEDULED)
        self.starts_at, self.ends_at, self.location, self.capacity = starts_at, ends_at, location, capacity
        self._record(
            ActivityScheduled(
                **self._base(),
                starts_at=starts_at,
                ends_at=ends_at,
                location=location,
                capacity=capacity,
                proposed_by=self.proposed_by,
            )
        )

    def check_sign_up(self, signed_up: int, now: datetime) -> None:
        """A sign-up is for a scheduled activity not yet started, within its capacity (`signed_up`
        counted under this activity's row lock, so two last-place sign-ups cannot both pass)."""
        if self.status is not ActivityStatus.SCHEDULED:
            raise errors.RuleBroken(
                "Sign-ups open when the activity is scheduled / 活动排期后方可报名.", reason="not-scheduled"
            )
        assert self.starts_at is not None
        if now >= self.starts_at:
            raise errors.RuleBroken("The activity has started / 活动已开始.", reason="started")
        if self.capacity is not None and signed_up >= self.capacity:
            raise errors.RuleBroken("The activity is full / 活动名额已满.", reason="full", capacity=self.capacity)

    def _record(self, data: ActivityAdopted | ActivityScheduled) -> None:
        self._events.append(PendingEvent(data, community=self.community, subject=self.id))

    def pull_events(self) -> list[PendingEvent]:
        events, self._events = self._events, []
        return events
