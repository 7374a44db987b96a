"""Request and response bodies of the shifts API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.enums import PostType, VolunteerKind
from services.kernel.openapi import LocalTime
from services.shifts.adapters.queries import Row
from services.shifts.service_layer.stats import StatsBucket, StatsOut

__all__ = ["StatsBucket", "StatsOut"]

PersonId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]


def _each_once(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("names one twice")
    return values


EachOnce = AfterValidator(_each_once)
"""A list of people or posts that names each one once (documented as `uniqueItems`)."""


LocalDateTime = Annotated[
    datetime, Field(description="With an offset, or without one as a wall-clock time of the community's zone")
]
"""Read as the community's wall clock when naive: the route converts it (deps.in_zone), with the settings' zone."""


def local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- posts ---------------------------------------------------------------------------------------


class PostIn(Strict):
    description: LongText | None = None
    leader_ids: Annotated[list[PersonId], EachOnce] = Field(
        default_factory=list, max_length=20, json_schema_extra={"uniqueItems": True}
    )


class PostOut(BaseModel):
    id: uuid.UUID
    post_type: PostType
    labels: dict[str, str]
    description: str | None
    leader_ids: list[str]

    @classmethod
    def of(cls, row: Row, leaders: list[str]) -> PostOut:
        post_type = PostType(row["post_type"])
        return cls(
            id=row["id"],
            post_type=post_type,
            labels=post_type.labels(),
            description=row["description"],
            leader_ids=leaders,
        )


# ---- volunteers ----------------------------------------------------------------------------------


class VolunteerIn(Strict):
    name: ShortText
    kind: VolunteerKind
    building_group: int | None = Field(default=None, ge=1, le=6)
    skills: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(default_factory=list, max_length=20)
    posts: Annotated[list[PostType], EachOnce] = Field(
        default_factory=list, max_length=4, json_schema_extra={"uniqueItems": True}
    )


class VolunteerOut(BaseModel):
    id: str
    name: str
    kind: VolunteerKind
    kind_labels: dict[str, str]
    building_group: int | None
    skills: list[str]
    posts: list[PostType]
    suspended: bool
    suspended_at: datetime | None
    suspended_reason: str | None
    approved_at: datetime | None
    approved_by: str | None

    @classmethod
    def of(cls, row: Row, posts: list[str], zone: ZoneInfo) -> VolunteerOut:
        kind = VolunteerKind(row["kind"])
        return cls(
            id=row["id"],
            name=row["name"],
            kind=kind,
            kind_labels=kind.labels(),
            building_group=row["building_group"],
            skills=list(row["skills"]),
            posts=[PostType(p) for p in posts],
            suspended=row["suspended_at"] is not None,
            suspended_at=local(row["suspended_at"], zone),
            suspended_reason=row["suspended_reason"],
            approved_at=local(row["approved_at"], zone),
            approved_by=row["approved_by"],
        )


class FeedOut(BaseModel):
    url: str
    note: str = "Keep this address private: anyone with it can read your shifts. / 请妥善保管此链接。"


# ---- templates -----------------------------------------------------------------------------------


class TemplateIn(Strict):
    post: PostType
    title: ShortText
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(min_length=1, max_length=7)
    start_time: LocalTime = Field(description="Wall-clock time of the community's zone")
    end_time: LocalTime = Field(description="Local time; not after start_time means the next day")
    valid_from: date
    valid_until: date | None = None
    location: ShortText | None = None
    capacity: int = Field(ge=1, le=1000)
    min_party_members: int = Field(default=0, ge=0, le=1000)
    notes: LongText | None = None
    active: bool = True


class TemplateOut(BaseModel):
    id: uuid.UUID
    post: PostType
    title: str
    weekdays: list[int]
    start_time: LocalTime
    end_time: LocalTime
    valid_from: date
    valid_until: date | None
    location: str | None
    capacity: int
    min_party_members: int
    notes: str | None
    active: bool
    timezone: str

    @classmethod
    def of(cls, row: Row, zone: ZoneInfo) -> TemplateOut:
        return cls(
            id=row["id"],
            post=PostType(row["post_type"]),
            title=row["title"],
            weekdays=sorted(row["weekdays"]),
            start_time=row["start_time"],
            end_time=row["end_time"],
            valid_from=row["valid_from"],
            valid_until=row["valid_until"],
            location=row["location"],
            capacity=row["capacity"],
            min_party_members=row["min_party_members"],
            notes=row["notes"],
            active=row["active"],
            timezone=zone.key,
        )


class GenerateOut(BaseModel):
    created: int
    withdrawn: int = 0


# ---- shifts --------------------------------------------------------------------------------------


class ShiftIn(Strict):
    post: PostType
    title: ShortText
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    location: ShortText | None = None
    capacity: int = Field(ge=1, le=1000)
    min_party_members: int = Field(default=0, ge=0, le=1000)
    notes: LongText | None = None


class ShiftPatch(Strict):
    title: ShortText | None = None
    location: ShortText | None = None
    notes: LongText | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)
    min_party_members: int | None = Field(default=None, ge=0, le=1000)


class CancelIn(Strict):
    reason: LongText | None = None


class ShiftOut(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    post: PostType
    template_id: uuid.UUID | None
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    capacity: int
    min_party_members: int
    notes: str | None
    status: Literal["scheduled", "cancelled"]
    cancel_reason: str | None
    confirmed_count: int
    waitlist_count: int
    open_places: int

    @classmethod
    def of(cls, row: Row, zone: ZoneInfo) -> ShiftOut:
        return cls(
            id=row["id"],
            post_id=row["post_id"],
            post=PostType(row["post_type"]),
            template_id=row["template_id"],
            title=row["title"],
            starts_at=row["starts_at"].astimezone(zone),
            ends_at=row["ends_at"].astimezone(zone),
            location=row["location"],
            capacity=row["capacity"],
            min_party_members=row["min_party_members"],
            notes=row["notes"],
            status=row["status"],
            cancel_reason=row["cancel_reason"],
            confirmed_count=row["confirmed_count"],
            waitlist_count=row["waitlist_count"],
            open_places=max(row["capacity"] - row["confirmed_count"], 0),
        )


# ---- sign-ups and confirmation -------------------------------------------------------------------


class SignupIn(Strict):
    volunteer_id: PersonId | None = Field(default=None, description="Leaders sign others up; omit to sign up yourself")


class SignupOut(BaseModel):
    id: uuid.UUID
    shift_id: uuid.UUID
    volunteer_id: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None = None
    signed_up_by: str
    created_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None

    @classmethod
    def of(cls, row: Row, zone: ZoneInfo, position: int | None = None) -> SignupOut:
        return cls(
            id=row["id"],
            shift_id=row["shift_id"],
            volunteer_id=row["volunteer_id"],
            status=row["status"],
            waitlist_position=position,
            signed_up_by=row["signed_up_by"],
            created_at=row["created_at"].astimezone(zone),
            promoted_at=local(row["promoted_at"], zone),
            cancelled_at=local(row["cancelled_at"], zone),
            checked_in_at=local(row["checked_in_at"], zone),
            checked_out_at=local(row["checked_out_at"], zone),
        )


class RosterEntry(SignupOut):
    """A live sign-up as the post leader sees it at the post: who, whether a party member, and the confirmed outcome."""

    volunteer_name: str
    volunteer_kind: VolunteerKind
    volunteer_kind_labels: dict[str, str]
    outcome: Literal["completed", "no_show"] | None = Field(description="Confirmed outcome; null until confirmed")
    hours: float | None
    hours_source: str | None

    @classmethod
    def of_row(cls, row: Row, zone: ZoneInfo, position: int | None) -> RosterEntry:
        kind = VolunteerKind(row["volunteer_kind"])
        return cls(
            **SignupOut.of(row, zone, position).model_dump(),
            volunteer_name=row["volunteer_name"],
            volunteer_kind=kind,
            volunteer_kind_labels=kind.labels(),
            outcome=row["outcome"],
            hours=float(row["hours"]) if row["hours"] is not None else None,
            hours_source=row["hours_source"],
        )


class VolunteerShiftOut(BaseModel):
    """One of a volunteer's live sign-ups with its shift (the waitlist position when waiting)."""

    shift: ShiftOut
    signup: SignupOut


class ConfirmationIn(Strict):
    volunteer_id: PersonId
    outcome: Literal["completed", "no_show"]
    hours: float | None = Field(default=None, gt=0, le=24, description="Edited hours; needs a reason")
    reason: LongText | None = None


class ConfirmationsIn(Strict):
    participants: list[ConfirmationIn] = Field(min_length=1, max_length=1000)


class ParticipationOut(BaseModel):
    id: uuid.UUID
    shift_id: uuid.UUID
    volunteer_id: str
    outcome: Literal["completed", "no_show"]
    hours: float | None
    started_at: datetime | None
    ended_at: datetime | None
    hours_source: str | None
    hours_reason: str | None
    confirmed_by: str
    confirmed_at: datetime
    newly_confirmed: bool
    volunteer_suspended: bool = False

    @classmethod
    def of(cls, row: Row, zone: ZoneInfo, *, new: bool, suspended: bool = False) -> ParticipationOut:
        return cls(
            id=row["id"],
            shift_id=row["shift_id"],
            volunteer_id=row["volunteer_id"],
            outcome=row["outcome"],
            hours=float(row["hours"]) if row["hours"] is not None else None,
            started_at=local(row["started_at"], zone),
            ended_at=local(row["ended_at"], zone),
            hours_source=row["hours_source"],
            hours_reason=row["hours_reason"],
            confirmed_by=row["confirmed_by"],
            confirmed_at=row["confirmed_at"].astimezone(zone),
            newly_confirmed=new,
            volunteer_suspended=suspended,
        )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
