"""Events of the deliberation service: sessions of the councils and their decisions."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from contracts.enums import CouncilKind, CouncilParty, MeetingMode
from contracts.envelope import EventData

PersonId = str


class SessionEvent(EventData):
    entity = "session"

    session_id: uuid.UUID
    council_id: uuid.UUID
    council_kind: CouncilKind
    title: str = Field(max_length=200)
    starts_at: datetime
    ends_at: datetime
    mode: MeetingMode
    location: str | None = Field(default=None, max_length=200)
    member_ids: list[PersonId] = Field(
        default_factory=list, description="Members and observers of the council, to be told."
    )


class SessionScheduled(SessionEvent):
    verb = "scheduled"
    summary = "A council session was scheduled (first Friday of the month, or ad hoc)."


class SessionCancelled(SessionEvent):
    verb = "cancelled"
    summary = "A scheduled session was cancelled."
    reason: str | None = Field(default=None, max_length=2000)


class SessionConcluded(SessionEvent):
    verb = "concluded"
    summary = "A session concluded; attendees lists who was present."
    concluded_at: datetime
    attendees: list[PersonId]
    decisions_count: int = Field(ge=0)
    issues_answered: list[uuid.UUID] = Field(default_factory=list)


class DecisionEvent(EventData):
    entity = "decision"

    decision_id: uuid.UUID
    council_id: uuid.UUID
    council_kind: CouncilKind
    session_id: uuid.UUID
    motion_id: uuid.UUID
    agenda_item_id: uuid.UUID
    issue_id: uuid.UUID | None = Field(default=None, description="The referred issue this answers, if any.")
    title: str = Field(max_length=200)
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    votes_abstain: int = Field(ge=0)
    decided_at: datetime
    member_ids: list[PersonId] = Field(default_factory=list)
    note: str | None = Field(default=None, max_length=5000)


class DecisionAdopted(DecisionEvent):
    verb = "adopted"
    summary = "The council adopted a motion; the action plan says who does what by when."
    action_plan: str = Field(max_length=5000)
    responsible_party: CouncilParty | None = None
    responsible_person_id: PersonId | None = None
    review_date: date | None = None


class DecisionRejected(DecisionEvent):
    verb = "rejected"
    summary = "The council rejected a motion (or it failed for want of a majority)."


class SuggestionForwarded(EventData):
    entity = "suggestion"
    verb = "forwarded"
    summary = "A women's-council decision sent up to the two committees as a suggestion."

    suggestion_id: uuid.UUID
    council_id: uuid.UUID
    decision_id: uuid.UUID
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    building_group: int | None = Field(default=None, ge=1, le=6)
    forwarded_by: PersonId | None = None
    forwarded_at: datetime


DELIBERATION_EVENTS: tuple[type[EventData], ...] = (
    SessionScheduled,
    SessionCancelled,
    SessionConcluded,
    DecisionAdopted,
    DecisionRejected,
    SuggestionForwarded,
)
