"""Request and response bodies of the intake API. Every text field has a length limit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import IssueCategory, IssueChannel, IssueStatus

PersonId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:@-]+$")]
Priority = Literal["low", "normal", "high", "urgent"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Strict):
    building: str | None = Field(default=None, max_length=50, description="Building number, e.g. 12栋")
    unit: str | None = Field(default=None, max_length=50)
    text: str | None = Field(default=None, max_length=300, description="Free-text location")
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)


class ContactIn(Strict):
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)


class OnBehalfIn(Strict):
    """The resident a committee member records a matter for (taken by phone or on a visit)."""

    person_id: PersonId | None = Field(
        default=None, description="The resident's id when they have one: the matter is then theirs in the app"
    )
    name: str = Field(min_length=1, max_length=100)


class IssueIn(Strict):
    category: IssueCategory
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    location: LocationIn = Field(default_factory=LocationIn)
    building_group: int | None = Field(default=None, ge=1, le=6, description="Defaults to the reporter's own")
    photos: list[Annotated[str, Field(max_length=500, pattern=r"^https?://")]] = Field(
        default_factory=list, max_length=9
    )
    channel: Literal["app", "phone", "visit", "wechat"] = "app"
    anonymous: bool = False
    priority: Priority = "normal"
    contact: ContactIn | None = None
    attributes: dict[Annotated[str, Field(max_length=50)], Annotated[str, Field(max_length=500)]] = Field(
        default_factory=dict, max_length=30
    )
    on_behalf_of: OnBehalfIn | None = Field(
        default=None, description="Committees, with channel phone or visit: the resident who raised it"
    )


class ReviewIn(Strict):
    decision: Literal["accept", "reject", "refer", "duplicate"]
    note: str | None = Field(default=None, max_length=2000, description="Required when rejecting: the reason")
    duplicate_of: uuid.UUID | None = None


class StartIn(Strict):
    note: str | None = Field(default=None, max_length=2000)


class ResolveIn(Strict):
    summary: str = Field(min_length=1, max_length=5000)
    contributors: list[PersonId] = Field(default_factory=list, max_length=100)


class ConfirmIn(Strict):
    satisfaction: int = Field(ge=1, le=5)


class ReopenIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class CommentIn(Strict):
    body: str = Field(min_length=1, max_length=2000)


class Location(BaseModel):
    building: str | None = None
    unit: str | None = None
    text: str | None = None
    lat: float | None = None
    long: float | None = None


class DuplicateHint(BaseModel):
    id: uuid.UUID
    title: str
    status: IssueStatus
    created_at: datetime


class PhotoOut(BaseModel):
    id: uuid.UUID
    url: str = Field(description="Path of the image on this service (GET it with the same token)")
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    size: int = Field(description="Bytes")
    created_at: datetime


class IssueOut(BaseModel):
    id: uuid.UUID
    community: str
    category: IssueCategory
    category_label: dict[str, str]
    title: str
    description: str
    location: Location
    building_group: int | None
    photos: list[str] = Field(description="Links given when the issue was raised (e.g. Open311 media_url)")
    uploaded_photos: list[PhotoOut] = Field(default_factory=list, description="Photos uploaded to the issue")
    channel: IssueChannel
    anonymous: bool
    reporter_id: str | None = Field(
        description="Hidden from other residents; for anonymous issues from all but committees"
    )
    reporter_name: str | None
    contact: dict[str, Any] | None = Field(description="Only the reporter and the committees see it")
    is_mine: bool
    priority: Priority
    attributes: dict[str, Any]
    status: IssueStatus
    status_label: dict[str, str]
    status_note: str | None
    held_for_review: bool
    duplicate_of: uuid.UUID | None
    decision_id: uuid.UUID | None
    decision_note: str | None
    resolution_summary: str | None
    contributors: list[str]
    resolved_at: datetime | None
    satisfaction: int | None
    followers: list[str] | None = None
    created_at: datetime
    updated_at: datetime
    possible_duplicates: list[DuplicateHint] | None = None


class HistoryOut(BaseModel):
    seq: int
    at: datetime
    actor_id: str | None
    from_status: IssueStatus | None
    to_status: IssueStatus
    note: str | None
    event_id: uuid.UUID | None


class CommentOut(BaseModel):
    id: uuid.UUID
    issue_id: uuid.UUID
    author_id: str | None
    author_name: str | None
    by_reporter: bool
    body: str
    created_at: datetime


class AttributeValue(Strict):
    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)


class AttributeDef(Strict):
    """One Open311 service-definition attribute."""

    code: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_-]+$")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool = False
    variable: bool = True
    order: int = Field(default=0, ge=0, le=1000)
    description: str = Field(min_length=1, max_length=500)
    datatype_description: str | None = Field(default=None, max_length=500)
    values: list[AttributeValue] = Field(default_factory=list, max_length=100)


class CategoryIn(Strict):
    name_zh: str = Field(min_length=1, max_length=50)
    name_en: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=1000)
    attributes: list[AttributeDef] = Field(default_factory=list, max_length=30)
    active: bool = True
    sort_order: int = Field(default=0, ge=0, le=1000)


class CategoryOut(BaseModel):
    code: IssueCategory
    name_zh: str
    name_en: str
    description: str
    attributes: list[dict[str, Any]]
    active: bool
    sort_order: int
    customised: bool


class ApiKeyIn(Strict):
    name: str = Field(min_length=1, max_length=100, description="Who uses it, e.g. 12345 hotline")
    principal: PersonId = Field(description="The system principal requests are filed as")
    key: str | None = Field(
        default=None, min_length=24, max_length=128, pattern=r"^[A-Za-z0-9_-]+$", description="Omit to generate one"
    )


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    community: str
    principal: str
    name: str
    created_at: datetime
    revoked_at: datetime | None = None
    key: str | None = Field(default=None, description="Shown once, when created")


class NumbersGroup(BaseModel):
    key: str = Field(description="The category's code, the building group (1-6, '' when none) or the month (1-12)")
    label: dict[str, str] = Field(description="zh-CN and en name of the key")
    raised: int
    resolved: int


class NumbersOut(BaseModel):
    """The committees' figures of a month or a year, in the community's time zone."""

    community: str
    year: int
    month: int | None = Field(description="None: the whole year")
    time_zone: str
    raised: int = Field(description="Matters raised in the period (not those held as suspected spam)")
    resolved: int = Field(description="Matters resolved in the period, whenever they were raised")
    median_hours_to_resolve: float | None = Field(description="Of the matters resolved in the period")
    satisfaction_average: float | None = Field(description="1-5, of the resolved matters their reporter rated")
    satisfaction_count: int
    by_category: list[NumbersGroup]
    by_building_group: list[NumbersGroup]
    by_month: list[NumbersGroup] = Field(description="A year's figures month by month (empty for a month)")
