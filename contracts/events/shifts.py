"""Events of the shifts service: red-post shifts, sign-ups and confirmed participation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.enums import PostType
from contracts.envelope import EventData

PersonId = str


class ShiftEvent(EventData):
    entity = "shift"

    shift_id: uuid.UUID
    post_id: uuid.UUID
    post_type: PostType
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    location: str | None = Field(default=None, max_length=200)


class ShiftScheduled(ShiftEvent):
    verb = "scheduled"
    summary = "A shift was scheduled on a red post; post_volunteer_ids are the volunteers serving that post."
    capacity: int = Field(ge=1)
    post_volunteer_ids: list[PersonId] = Field(default_factory=list)


class ShiftCancelled(ShiftEvent):
    verb = "cancelled"
    summary = "A shift was cancelled; signed_up_ids are the volunteers who had signed up."
    reason: str | None = Field(default=None, max_length=2000)
    signed_up_ids: list[PersonId] = Field(default_factory=list)


class SignupEvent(EventData):
    entity = "signup"

    signup_id: uuid.UUID
    shift_id: uuid.UUID
    volunteer_id: PersonId
    post_type: PostType
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime


class SignupCreated(SignupEvent):
    verb = "created"
    summary = "A volunteer signed up for a shift (confirmed) or joined its waitlist."
    status: Literal["confirmed", "waitlisted"]


class SignupPromoted(SignupEvent):
    verb = "promoted"
    summary = "A waitlisted volunteer was promoted to a confirmed place."


class SignupCancelled(SignupEvent):
    verb = "cancelled"
    summary = "A volunteer's sign-up was cancelled."


class ParticipationCompleted(EventData):
    entity = "participation"
    verb = "completed"
    summary = "The post leader confirmed a volunteer's participation; hours are what counts for points."

    participation_id: uuid.UUID
    shift_id: uuid.UUID
    volunteer_id: PersonId
    post_type: PostType
    building_group: int | None = Field(default=None, ge=1, le=6)
    hours: float = Field(gt=0, le=24)
    started_at: datetime = Field(description="Start of the counted service (check-in or planned start).")
    ended_at: datetime
    confirmed_by: PersonId
    confirmed_at: datetime


class ParticipationNoShow(EventData):
    entity = "participation"
    verb = "no_show"
    summary = "The post leader recorded that a signed-up volunteer did not come."

    participation_id: uuid.UUID
    shift_id: uuid.UUID
    volunteer_id: PersonId
    post_type: PostType
    confirmed_by: PersonId
    confirmed_at: datetime


SHIFT_EVENTS: tuple[type[EventData], ...] = (
    ShiftScheduled,
    ShiftCancelled,
    SignupCreated,
    SignupPromoted,
    SignupCancelled,
    ParticipationCompleted,
    ParticipationNoShow,
)
