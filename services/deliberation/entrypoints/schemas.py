"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from contracts.enums import CouncilKind, CouncilParty, CouncilPosition, MeetingMode
from services.deliberation.adapters.rows import Row
from services.kernel.openapi import LocalTime

Text200 = Field(min_length=1, max_length=200)
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _meeting_time(value: datetime) -> datetime:
    if not EARLIEST <= value < LATEST:
        raise ValueError("a session is held between the years 2000 and 2099")
    return value


MeetingTime = Annotated[
    AwareDatetime, AfterValidator(_meeting_time), Field(description="With an offset; from 2000 to 2099")
]
"""When a session starts or ends: the community's calendar (and its local day) holds it, 2000 to 2099."""
MajorityRuleName = Literal["simple", "two_thirds", "consensus"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PutMember(Body):
    name: str = Text200
    party: CouncilParty
    position: CouncilPosition = CouncilPosition.MEMBER
    term_from: date
    term_until: date | None = None


class NewMember(PutMember):
    person_id: str = Field(min_length=1, max_length=100)


class CreateCouncil(Body):
    kind: CouncilKind
    name: str | None = Field(default=None, min_length=1, max_length=200)
    majority_rule: MajorityRuleName = "simple"
    quorum_fraction: Decimal = Field(default=Decimal("0.5"), ge=0, lt=1, decimal_places=3)
    meeting_time: LocalTime | None = None
    timezone: str | None = Field(default=None, max_length=64)
    duration_minutes: int | None = Field(default=None, ge=15, le=1440)
    default_mode: MeetingMode = MeetingMode.IN_PERSON
    location: str | None = Field(default=None, max_length=200)
    members: list[NewMember] = Field(
        default_factory=list,
        max_length=100,
        description="Members from the start, so the first session.scheduled events already name them.",
    )


class UpdateCouncil(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    majority_rule: MajorityRuleName | None = None
    quorum_fraction: Decimal | None = Field(default=None, ge=0, lt=1, decimal_places=3)
    default_mode: MeetingMode | None = None
    location: str | None = Field(default=None, max_length=200)


class Council(BaseModel):
    id: uuid.UUID
    community: str
    kind: CouncilKind
    kind_labels: dict[str, str]
    name: str
    majority_rule: str
    quorum_fraction: Decimal
    meeting_time: LocalTime
    timezone: str
    duration_minutes: int
    default_mode: MeetingMode
    default_mode_labels: dict[str, str]
    location: str | None
    feed_url: str | None = Field(description="iCalendar feed a phone can subscribe to (no bearer header needed).")

    @classmethod
    def of(cls, row: Row, feed_base: str, *, show_feed: bool) -> Council:
        kind, mode = CouncilKind(row["kind"]), MeetingMode(row["default_mode"])
        return cls(
            **{k: row[k] for k in ("id", "community", "name", "majority_rule", "quorum_fraction", "meeting_time")},
            **{k: row[k] for k in ("timezone", "duration_minutes", "location")},
            kind=kind,
            kind_labels=kind.labels(),
            default_mode=mode,
            default_mode_labels=mode.labels(),
            feed_url=f"{feed_base}/calendars/{row['feed_token']}.ics" if show_feed else None,
        )


class Member(BaseModel):
    person_id: str
    name: str
    party: CouncilParty
    party_labels: dict[str, str]
    position: CouncilPosition
    position_labels: dict[str, str]
    voting: bool
    term_from: date
    term_until: date | None

    @classmethod
    def of(cls, row: Row) -> Member:
        party, position = CouncilParty(row["party"]), CouncilPosition(row["position"])
        return cls(
            person_id=row["person_id"],
            name=row["name"],
            party=party,
            party_labels=party.labels(),
            position=position,
            position_labels=position.labels(),
            voting=row["voting"],
            term_from=row["term_from"],
            term_until=row["term_until"],
        )


class CreateSession(Body):
    title: str = Text200
    starts_at: MeetingTime
    ends_at: MeetingTime | None = None
    mode: MeetingMode | None = None
    location: str | None = Field(default=None, max_length=200)


class SessionHow(Body):
    mode: MeetingMode | None = Field(
        default=None, description="集中 in_person, 走访 visiting, 上门 door_to_door, 微信 online"
    )
    location: str | None = Field(default=None, max_length=200)


class Conclude(Body):
    minutes: str = Field(default="", max_length=50_000)


class Cancel(Body):
    reason: str | None = Field(default=None, max_length=2000)


class Session(BaseModel):
    id: uuid.UUID
    council_id: uuid.UUID
    council_kind: CouncilKind
    community: str
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: MeetingMode
    mode_labels: dict[str, str]
    location: str | None
    status: str
    regular: bool
    opened_at: datetime | None
    concluded_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    minutes: str | None
    report: dict[str, Any] | None

    @classmethod
    def of(cls, row: Row) -> Session:
        mode = MeetingMode(row["mode"])
        return cls(
            **{k: row[k] for k in ("id", "council_id", "community", "title", "starts_at", "ends_at", "location")},
            **{k: row[k] for k in ("status", "opened_at", "concluded_at", "cancelled_at", "cancel_reason")},
            minutes=row["minutes"],
            report=row["report"],
            council_kind=CouncilKind(row["council_kind"]),
            mode=mode,
            mode_labels=mode.labels(),
            regular=row["regular_date"] is not None,
        )


class Attendee(BaseModel):
    person_id: str
    recorded_by: str
    recorded_at: datetime


class AddItem(Body):
    title: str = Text200
    description: str = Field(default="", max_length=5000)


class AgendaItem(BaseModel):
    id: uuid.UUID
    community: str
    council_id: uuid.UUID | None
    session_id: uuid.UUID | None
    title: str
    description: str
    source: str
    issue_id: uuid.UUID | None
    proposed_by: str | None
    status: str
    times_deferred: int
    created_at: datetime

    @classmethod
    def of(cls, row: Row) -> AgendaItem:
        return cls(**dict(row))


class ProposeMotion(Body):
    title: str = Text200
    text: str = Field(default="", max_length=5000)


class CastVote(Body):
    choice: Literal["for", "against", "abstain"]


class CloseMotion(Body):
    action_plan: str | None = Field(default=None, min_length=1, max_length=5000)
    responsible_party: CouncilParty | None = None
    responsible_person_id: str | None = Field(default=None, min_length=1, max_length=100)
    review_date: date | None = None
    note: str | None = Field(default=None, max_length=5000)


class Results(BaseModel):
    votes_for: int
    votes_against: int
    votes_abstain: int


class Motion(BaseModel):
    id: uuid.UUID
    agenda_item_id: uuid.UUID
    session_id: uuid.UUID
    council_id: uuid.UUID
    title: str
    text: str
    proposed_by: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    votes_cast: int
    my_vote: str | None
    results: Results | None = Field(description="Hidden (null) until the motion closes.")


class Decision(BaseModel):
    id: uuid.UUID
    motion_id: uuid.UUID
    agenda_item_id: uuid.UUID
    session_id: uuid.UUID
    council_id: uuid.UUID
    community: str
    issue_id: uuid.UUID | None
    outcome: str
    title: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    action_plan: str | None
    responsible_party: CouncilParty | None
    responsible_person_id: str | None
    review_date: date | None
    note: str | None
    suggestion_id: uuid.UUID | None
    decided_at: datetime

    @classmethod
    def of(cls, row: Row) -> Decision:
        return cls(**dict(row))
