"""What community does when events arrive: one small function per event type, calling into each
practice that keeps a read copy of it, and the yearly report, which counts nearly every type (the
kernel runs it in the transaction that records the event as processed, so an event handled twice
changes nothing twice)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.community.domain.yearly_report import CONSUMED as COUNTED
from services.community.service_layer import announcements, ventures, visits, wishes, yearly_report
from services.community.service_layer.unit_of_work import CommunityUnitOfWork


async def on_issue_submitted(uow: CommunityUnitOfWork, event: CloudEvent[IssueSubmitted]) -> None:
    """A micro-wish raised in intake becomes a private wish candidate; every matter counts as raised."""
    async with uow:
        await wishes.on_issue_submitted(uow, event)
        await yearly_report.record(uow, event)


async def on_participation_completed(uow: CommunityUnitOfWork, event: CloudEvent[ParticipationCompleted]) -> None:
    """A confirmed participation counts for a venture's report and for the volunteer's hours of the year.

    Once per participation: the same participation published again under another event id (which
    the kernel's idempotency cannot recognise) is known to the participations read model and adds
    nothing."""
    async with uow:
        if not await ventures.record_participation(uow, event):
            return
        await visits.add_hours(uow, event)
        await yearly_report.record(uow, event)


async def on_points_awarded(uow: CommunityUnitOfWork, event: CloudEvent[PointsAwarded]) -> None:
    """Points the love bank credited count for the year's backbone volunteers (care visits) and the report."""
    async with uow:
        await visits.add_points(uow, event)
        await yearly_report.record(uow, event)


Handler = Callable[[CommunityUnitOfWork, CloudEvent[Any]], Awaitable[None]]
PRACTICES: dict[str, Handler] = {
    "shift.scheduled": announcements.on_shift_scheduled,  # a post's volunteers: its announcements' audience
    "signup.created": announcements.on_signup_created,
    "issue.submitted": on_issue_submitted,
    "participation.completed": on_participation_completed,
    "points.awarded": on_points_awarded,
}
CONSUMED: tuple[str, ...] = tuple(sorted(set(PRACTICES) | set(COUNTED)))
"""Every event type community subscribes to."""


async def handle(uow: CommunityUnitOfWork, event: CloudEvent[Any]) -> None:
    """The one handler of every subscription: the practices' own, or the yearly report's alone."""
    practice = PRACTICES.get(event.event_name)
    if practice is not None:
        await practice(uow, event)
    else:
        await yearly_report.record(uow, event)
