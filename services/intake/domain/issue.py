"""The Issue aggregate: it enforces the lifecycle and records the events its changes cause.

Plain Python, no I/O: the service layer loads an Issue, calls one method, saves it with
the recorded history entries and emits the recorded events through the outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contracts.enums import IssueCategory, IssueChannel
from contracts.enums import IssueStatus as S
from contracts.events.issue import (
    IssueAccepted,
    IssueClosed,
    IssueDuplicate,
    IssueEvent,
    IssueReferred,
    IssueRejected,
    IssueReopened,
    IssueResolved,
    IssueReturned,
    IssueStarted,
    IssueSubmitted,
)
from services.intake.domain.lifecycle import (
    InvalidCommand,
    InvalidDuplicate,
    NotTheReporter,
    OwnContribution,
    TransitionNotAllowed,
    check,
)
from services.kernel.events import PendingEvent
from services.kernel.privacy import mask_phones_in

REOPEN_WINDOW = timedelta(days=7)
AUTO_CLOSE_AFTER = timedelta(days=7)


@dataclass
class HistoryEntry:
    actor_id: str | None
    from_status: S | None
    to_status: S
    note: str | None
    at: datetime
    event_id: uuid.UUID | None = None


@dataclass
class Issue:
    id: uuid.UUID
    community: str
    category: IssueCategory
    title: str
    reporter_id: str
    channel: IssueChannel
    status: S
    created_at: datetime
    description: str = ""
    building: str | None = None
    building_group: int | None = None
    anonymous: bool = False
    priority: str = "normal"
    held_for_review: bool = False
    duplicate_of: uuid.UUID | None = None
    decision_id: uuid.UUID | None = None
    decision_note: str | None = None
    resolution_summary: str | None = None
    contributors: list[str] = field(default_factory=list)
    resolved_at: datetime | None = None
    resolved_event_id: uuid.UUID | None = None
    satisfaction: int | None = None
    status_note: str | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    events: list[tuple[uuid.UUID, IssueEvent]] = field(default_factory=list)
    """Events this change caused, each with the id it will be published under."""
    followers: list[str] = field(default_factory=list)
    """New followers recorded by this change (the reporter of a merged duplicate)."""

    # -- creation -------------------------------------------------------------------------

    @classmethod
    def submit(
        cls,
        *,
        issue_id: uuid.UUID,
        community: str,
        category: IssueCategory,
        title: str,
        reporter_id: str,
        channel: IssueChannel,
        now: datetime,
        held_for_review: bool = False,
        recorded_by: str | None = None,
        **details: Any,
    ) -> Issue:
        """A new matter; `recorded_by`: the committee member who took it down for the reporter (by phone, on a
        visit), the actor of its first step."""
        issue = cls(
            id=issue_id,
            community=community,
            category=category,
            title=title,
            reporter_id=reporter_id,
            channel=channel,
            status=S.SUBMITTED,
            created_at=now,
            held_for_review=held_for_review,
            **details,
        )
        note = "held for review: the text looks like link spam" if held_for_review else None
        if recorded_by is not None and recorded_by != reporter_id:
            note = f"recorded by {recorded_by} ({channel.value})" + (f"; {note}" if note else "")
        entry = HistoryEntry(recorded_by or reporter_id, None, S.SUBMITTED, note, now)
        if not held_for_review:
            entry.event_id = issue._record(issue._submitted_event())
        issue.history.append(entry)
        return issue

    def _submitted_event(self) -> IssueSubmitted:
        return IssueSubmitted(
            **self._base(S.SUBMITTED, None, self.reporter_id, None),
            channel=self.channel,
            priority=self.priority,
            building=self.building,
            submitted_at=self.created_at,
        )

    # -- committee review -------------------------------------------------------------------

    def release(self, actor: str, now: datetime) -> None:
        """A committee found held text harmless: publish the submission as if it had just come in."""
        if self.held_for_review:
            self.held_for_review = False
            event_id = self._record(self._submitted_event())
            self.history.append(HistoryEntry(actor, S.SUBMITTED, S.SUBMITTED, "released after review", now, event_id))

    def accept(self, actor: str, note: str | None, now: datetime) -> None:
        self._review_target(S.ACCEPTED)
        self.release(actor, now)
        self._move(S.ACCEPTED, actor, note, now, IssueAccepted)

    def reject(self, actor: str, reason: str | None, now: datetime) -> None:
        self._review_target(S.REJECTED)
        if not reason or not reason.strip():
            raise InvalidCommand("A rejection needs a reason / 不予受理须说明理由.")
        # Spam held for review is rejected without ever being published.
        self._move(S.REJECTED, actor, reason, now, IssueRejected)

    def refer(self, actor: str, note: str | None, now: datetime) -> None:
        self._review_target(S.REFERRED)
        self.release(actor, now)
        self._move(S.REFERRED, actor, note, now, IssueReferred, description=self.description[:5000])

    def mark_duplicate(self, actor: str, original: Issue, note: str | None, now: datetime) -> None:
        self._review_target(S.DUPLICATE)
        if original.id == self.id:
            raise InvalidDuplicate("An issue cannot duplicate itself / 不能与自身重复.")
        if original.community != self.community:
            raise InvalidDuplicate("The original belongs to another community.")
        if original.status in (S.DUPLICATE, S.REJECTED):
            raise InvalidDuplicate(f"The original is {original.status.value}; name the issue it duplicates instead.")
        self.release(actor, now)
        self.duplicate_of = original.id
        # The duplicate's reporter follows the original from now on.
        if self.reporter_id != original.reporter_id:
            original.followers.append(self.reporter_id)
        self._move(S.DUPLICATE, actor, note, now, IssueDuplicate, duplicate_of=original.id)

    def _review_target(self, wanted: S) -> None:
        check(self.status, wanted)

    # -- work -------------------------------------------------------------------------------

    def start(self, actor: str | None, note: str | None, now: datetime, decision_id: uuid.UUID | None = None) -> None:
        if decision_id is not None:
            self.decision_id = decision_id
            self.decision_note = note
        self._move(S.IN_PROGRESS, actor, note, now, IssueStarted, decision_id=decision_id)

    def return_to_queue(self, actor: str | None, note: str | None, now: datetime, decision_id: uuid.UUID) -> None:
        """The council rejected the referred issue: back to the committees with its note."""
        self.decision_id = decision_id
        self.decision_note = note
        self._move(
            S.SUBMITTED, actor, f"council rejected: {note or ''}".strip(), now, IssueReturned, decision_id=decision_id
        )

    def resolve(self, actor: str, summary: str, contributors: list[str], now: datetime) -> None:
        check(self.status, S.RESOLVED)
        if not summary.strip():
            raise InvalidCommand("A resolution needs a summary / 办结须填写处理情况.")
        if actor in contributors:
            raise OwnContribution(actor)
        self.resolution_summary = summary
        self.contributors = list(dict.fromkeys(contributors))
        self.resolved_at = now
        self.resolved_event_id = self._move(
            S.RESOLVED,
            actor,
            summary[:2000],
            now,
            IssueResolved,
            resolution_summary=summary,
            contributors=self.contributors,
            resolved_at=now,
        )

    def confirm(self, actor: str, satisfaction: int, now: datetime) -> None:
        if actor != self.reporter_id:
            raise NotTheReporter("Only the reporter may confirm the resolution / 仅反映人可以确认办结.")
        check(self.status, S.CLOSED)
        self.satisfaction = satisfaction
        self._close(actor, f"confirmed, satisfaction {satisfaction}", now, satisfaction=satisfaction, automatic=False)

    def auto_close(self, now: datetime) -> None:
        check(self.status, S.CLOSED)
        if self.resolved_at is None or now - self.resolved_at < AUTO_CLOSE_AFTER:
            raise TransitionNotAllowed(self.status, S.CLOSED, "Not yet 7 days since the resolution.")
        self._close(
            None,
            "closed automatically 7 days after resolution / 办结7天后自动关闭",
            now,
            satisfaction=None,
            automatic=True,
        )

    def _close(self, actor: str | None, note: str, now: datetime, *, satisfaction: int | None, automatic: bool) -> None:
        self._move(
            S.CLOSED,
            actor,
            note,
            now,
            IssueClosed,
            satisfaction=satisfaction,
            automatic=automatic,
            contributors=self.contributors,
            resolved_event_id=self.resolved_event_id,
        )

    def reopen(self, actor: str, reason: str, now: datetime) -> None:
        if actor != self.reporter_id:
            raise NotTheReporter("Only the reporter may reopen the issue / 仅反映人可以重新打开.")
        check(self.status, S.REOPENED)
        if not reason.strip():
            raise InvalidCommand("Reopening needs a reason / 重新打开须说明理由.")
        if self.resolved_at is not None and now - self.resolved_at > REOPEN_WINDOW:
            raise TransitionNotAllowed(
                self.status,
                S.REOPENED,
                "The 7 days to reopen after the resolution have passed / 已超过7天，不能重新打开.",
                allowed=[S.CLOSED],
            )
        self._move(S.REOPENED, actor, reason, now, IssueReopened)

    # -- helpers ----------------------------------------------------------------------------

    def _base(self, status: S, previous: S | None, actor: str | None, note: str | None) -> dict[str, Any]:
        """What every event of the issue says; the bus reaches systems outside the community, so a
        phone number typed into the title or a note travels masked."""
        return {
            "issue_id": self.id,
            "category": self.category,
            "title": mask_phones_in(self.title)[:200],
            "building_group": self.building_group,
            "reporter_id": self.reporter_id,
            "anonymous": self.anonymous,
            "status": status,
            "previous_status": previous,
            "actor_id": actor,
            "note": mask_phones_in(note)[:2000] if note else None,
        }

    def _move(
        self, to: S, actor: str | None, note: str | None, now: datetime, event_type: type[IssueEvent], **extra: Any
    ) -> uuid.UUID:
        check(self.status, to)
        previous = self.status
        self.status = to
        self.status_note = note
        event_id = self._record(event_type(**self._base(to, previous, actor, note), **extra))
        self.history.append(HistoryEntry(actor, previous, to, note, now, event_id=event_id))
        return event_id

    def pull_events(self) -> list[PendingEvent]:
        """The events recorded since the last call, for the unit of work to publish; forgets them."""
        pending = [
            PendingEvent(event, community=self.community, subject=self.id, event_id=event_id)
            for event_id, event in self.events
        ]
        self.events.clear()
        return pending

    def _record(self, event: IssueEvent) -> uuid.UUID:
        # The id is chosen here so history rows and the closing event can name the events they follow.
        event_id = uuid.uuid4()
        self.events.append((event_id, event))
        return event_id
