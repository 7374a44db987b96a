"""Events of the community service: publicity (宣传) and public participation (群众参与).

Announcements and initiatives, the neighbourhood festival (邻里节), public selections (评选),
micro-wishes fulfilled (微心愿), micro public-welfare venture projects (微公益创投) and care
visits (走访慰问). Every event carries what its consumers need, so none of them asks back:
notifications tells people and robots, rewards awards points and honours, and community's own
yearly report counts them.

Privacy: a micro-wish's family is named only by `family_id`, for the inbox and the award
check; no event carries a family's name, address or phone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.enums import PostType, SelectionCategory
from contracts.envelope import EventData

PersonId = str
Audience = Literal["community", "building_group", "post"]
ClaimerKind = Literal["person", "party_member", "unit"]


# -- publicity ------------------------------------------------------------------------------


class AnnouncementPublished(EventData):
    entity = "announcement"
    verb = "published"
    summary = (
        "The committees or a building group's publicity agent published an announcement (公告) to the whole "
        "community, one building group or one red post's volunteers."
    )

    announcement_id: uuid.UUID
    title: str = Field(max_length=200)
    body: str = Field(max_length=10_000)
    audience: Audience
    building_group: int | None = Field(default=None, ge=1, le=6, description="Set when audience is building_group.")
    post_type: PostType | None = Field(default=None, description="Set when audience is post.")
    recipient_ids: list[PersonId] = Field(
        default_factory=list,
        max_length=5000,
        description="For a post's audience: its volunteers as community knows them. Empty otherwise: "
        "the inbox shows a community or building-group announcement to every reader it is for.",
    )
    pinned: bool = False
    expires_at: datetime | None = None
    published_by: PersonId
    agent_group: int | None = Field(
        default=None, ge=1, le=6, description="The building group of the publicity agent who published it."
    )
    published_at: datetime


class AnnouncementWithdrawn(EventData):
    entity = "announcement"
    verb = "withdrawn"
    summary = "An announcement was withdrawn before it expired; readers no longer see it."

    announcement_id: uuid.UUID
    withdrawn_by: PersonId
    withdrawn_at: datetime


class InitiativeLaunched(EventData):
    entity = "initiative"
    verb = "launched"
    summary = "The committees launched an initiative (倡议书) residents may sign on to."

    initiative_id: uuid.UUID
    title: str = Field(max_length=200)
    body: str = Field(max_length=20_000)
    closes_at: datetime | None = None
    launched_by: PersonId
    launched_at: datetime


class InitiativeSigned(EventData):
    entity = "initiative"
    verb = "signed"
    summary = "A resident signed on to an initiative (once per person)."

    initiative_id: uuid.UUID
    person_id: PersonId
    building_group: int | None = Field(default=None, ge=1, le=6)
    signed_at: datetime


# -- the neighbourhood festival -------------------------------------------------------------


class ActivityEvent(EventData):
    entity = "activity"

    activity_id: uuid.UUID
    festival_id: uuid.UUID
    festival_year: int = Field(ge=2000, le=2200)
    festival_edition: int | None = Field(default=None, ge=1, description="13 for the 13th festival (2020).")
    title: str = Field(max_length=200)


class ActivityAdopted(ActivityEvent):
    verb = "adopted"
    summary = "The committees adopted a resident's proposed festival activity, with the support it gathered."

    proposed_by: PersonId
    support_count: int = Field(ge=0)
    adopted_by: PersonId
    adopted_at: datetime


class ActivityScheduled(ActivityEvent):
    verb = "scheduled"
    summary = "An adopted festival activity got its time and place; people may sign up."

    starts_at: datetime
    ends_at: datetime
    location: str | None = Field(default=None, max_length=200)
    capacity: int | None = Field(default=None, ge=1)
    proposed_by: PersonId | None = Field(default=None, description="The resident who proposed it, to be told.")


# -- public selections ----------------------------------------------------------------------


class SelectionWinner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    person_id: PersonId
    name: str = Field(max_length=100)
    building_group: int | None = Field(default=None, ge=1, le=6)
    votes: int = Field(ge=0)
    reason: str = Field(default="", max_length=2000, description="Why they were nominated, as checked.")


class SelectionConcluded(EventData):
    entity = "selection"
    verb = "concluded"
    summary = (
        "A public selection (评选) closed its vote; the winners are named, and rewards grants each an honour "
        "with its certificate."
    )

    selection_id: uuid.UUID
    category: SelectionCategory
    year: int = Field(ge=2000, le=2200)
    title: dict[str, str] = Field(description="Keyed by language (zh-CN, en).")
    seats: int = Field(ge=1)
    votes_cast: int = Field(ge=0)
    winners: list[SelectionWinner] = Field(max_length=500)
    concluded_by: PersonId
    concluded_at: datetime


# -- micro-wishes ---------------------------------------------------------------------------


class WishEvent(EventData):
    entity = "wish"

    wish_id: uuid.UUID
    issue_id: uuid.UUID | None = Field(default=None, description="The matter it was raised as, if raised in intake.")
    title: str = Field(max_length=200, description="The wish as the public board shows it: no family identity.")
    building_group: int | None = Field(default=None, ge=1, le=6)


class WishApproved(WishEvent):
    verb = "approved"
    summary = "The committees put a micro-wish (微心愿) on the public wish board, without the family's identity."

    channel: Literal["intake", "festival", "visit", "committee"]
    approved_by: PersonId
    approved_at: datetime


class WishClaimed(WishEvent):
    verb = "claimed"
    summary = "A volunteer, a party member or a unit claimed a micro-wish to fulfil it."

    claimer_kind: ClaimerKind
    claimer_id: PersonId | None = Field(default=None, description="The person who claimed; for a unit, its contact.")
    claimer_name: str = Field(max_length=200)
    claimed_at: datetime


class WishFulfilled(WishEvent):
    verb = "fulfilled"
    summary = "The claimer fulfilled the micro-wish, with a note and a photo; the family is asked to confirm."

    family_id: PersonId = Field(description="For the inbox only: the family is asked to confirm.")
    claimer_kind: ClaimerKind
    claimer_id: PersonId | None = None
    claimer_name: str = Field(max_length=200)
    note: str = Field(max_length=2000)
    fulfilled_at: datetime


class WishConfirmed(WishEvent):
    verb = "confirmed"
    summary = "The family confirmed the micro-wish fulfilled; rewards credits the claimer's micro-wish award once."

    claimer_kind: ClaimerKind
    claimer_id: PersonId | None = None
    claimer_name: str = Field(max_length=200)
    confirmed_at: datetime


# -- micro public-welfare venture projects ----------------------------------------------------


class VentureEvent(EventData):
    entity = "venture"

    venture_id: uuid.UUID
    title: str = Field(max_length=200)
    post_type: PostType
    lead_id: PersonId = Field(description="The red post's team lead who applied.")
    budget: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="Yuan.")


class VentureApproved(VentureEvent):
    verb = "approved"
    summary = "The committees approved a micro public-welfare venture project (微公益创投)."

    approved_by: PersonId
    approved_at: datetime


class VentureReturned(VentureEvent):
    verb = "returned"
    summary = "The committees returned a venture application to its team with what to change."

    reason: str = Field(max_length=2000)
    returned_by: PersonId
    returned_at: datetime


class VentureClosed(VentureEvent):
    verb = "closed"
    summary = "A venture project filed its closing report: spend, activities held and participation."

    spent: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    activities_held: int = Field(ge=0)
    participants: int = Field(ge=0)
    volunteer_hours: float = Field(ge=0)
    closed_at: datetime


# -- care visits ----------------------------------------------------------------------------


class VisitPlanned(EventData):
    entity = "visit"
    verb = "planned"
    summary = "The committees planned a care visit (走访慰问) to a backbone volunteer's home; the volunteer is told."

    visit_id: uuid.UUID
    year: int = Field(ge=2000, le=2200)
    volunteer_id: PersonId
    planned_for: date
    visitors: list[PersonId] = Field(max_length=20)
    points: int = Field(ge=0, description="The volunteer's points in the love bank when picked.")
    hours: float = Field(ge=0, description="The volunteer's confirmed hours when picked.")
    planned_by: PersonId
    planned_at: datetime


class VisitRecorded(EventData):
    entity = "visit"
    verb = "recorded"
    summary = "A care visit took place: who visited, when, and a note."

    visit_id: uuid.UUID
    year: int = Field(ge=2000, le=2200)
    volunteer_id: PersonId
    visited_at: datetime
    visitors: list[PersonId] = Field(max_length=20)
    note: str = Field(max_length=2000)


COMMUNITY_EVENTS: tuple[type[EventData], ...] = (
    AnnouncementPublished,
    AnnouncementWithdrawn,
    InitiativeLaunched,
    InitiativeSigned,
    ActivityAdopted,
    ActivityScheduled,
    SelectionConcluded,
    WishApproved,
    WishClaimed,
    WishFulfilled,
    WishConfirmed,
    VentureApproved,
    VentureReturned,
    VentureClosed,
    VisitPlanned,
    VisitRecorded,
)
