"""Events of the intake service: the life of an issue a resident raised."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.enums import IssueCategory, IssueChannel, IssueStatus
from contracts.envelope import EventData

PersonId = str


class IssueEvent(EventData):
    """What every issue event says, so a consumer never needs to ask intake."""

    entity = "issue"

    issue_id: uuid.UUID
    category: IssueCategory
    title: str = Field(max_length=200)
    building_group: int | None = Field(default=None, ge=1, le=6)
    reporter_id: PersonId | None = Field(
        default=None, description="The reporter, so they can be told; trusted subscribers only."
    )
    anonymous: bool = False
    status: IssueStatus
    previous_status: IssueStatus | None = None
    actor_id: PersonId | None = Field(default=None, description="Who caused this change.")
    note: str | None = Field(default=None, max_length=2000)


class IssueSubmitted(IssueEvent):
    verb = "submitted"
    summary = "A resident raised an issue."
    channel: IssueChannel
    priority: Literal["low", "normal", "high", "urgent"] = "normal"
    building: str | None = Field(default=None, max_length=50)
    submitted_at: datetime


class IssueAccepted(IssueEvent):
    verb = "accepted"
    summary = "The committees accepted the issue."


class IssueRejected(IssueEvent):
    verb = "rejected"
    summary = "The committees rejected the issue; note holds the reason."


class IssueReferred(IssueEvent):
    verb = "referred"
    summary = "The committees referred the issue to the deliberation council."
    description: str = Field(default="", max_length=5000)


class IssueDuplicate(IssueEvent):
    verb = "duplicate"
    summary = "The issue duplicates another; its reporter now follows the original."
    duplicate_of: uuid.UUID


class IssueStarted(IssueEvent):
    verb = "started"
    summary = "Work on the issue started (after acceptance, a council decision or a reopening)."
    decision_id: uuid.UUID | None = None


class IssueResolved(IssueEvent):
    verb = "resolved"
    summary = "The issue was resolved by the people named as contributors."
    resolution_summary: str = Field(max_length=5000)
    contributors: list[PersonId] = Field(max_length=100)
    resolved_at: datetime


class IssueReopened(IssueEvent):
    verb = "reopened"
    summary = "The reporter reopened the resolved issue; note holds the reason."


class IssueReturned(IssueEvent):
    verb = "returned"
    summary = "The council rejected the referred issue; it is back in the committees' queue (status submitted), note holds the council's note."
    decision_id: uuid.UUID | None = None


class IssueClosed(IssueEvent):
    verb = "closed"
    summary = "The issue was closed: confirmed by its reporter, or automatically 7 days after resolution."
    satisfaction: int | None = Field(default=None, ge=1, le=5)
    automatic: bool = False
    contributors: list[PersonId] = Field(default_factory=list, max_length=100)
    resolved_event_id: uuid.UUID | None = Field(
        default=None, description="The issue.resolved event this closing confirms."
    )


ISSUE_EVENTS: tuple[type[IssueEvent], ...] = (
    IssueSubmitted,
    IssueAccepted,
    IssueRejected,
    IssueReferred,
    IssueDuplicate,
    IssueStarted,
    IssueResolved,
    IssueReopened,
    IssueReturned,
    IssueClosed,
)
