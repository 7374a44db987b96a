"""The events the love bank consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer)."""

from __future__ import annotations

from contracts.events.community import SelectionConcluded, WishConfirmed
from contracts.events.deliberation import SessionConcluded
from contracts.events.issue import IssueClosed, IssueResolved
from contracts.events.shifts import ParticipationCompleted, ParticipationNoShow
from services.kernel.consumer import Subscription
from services.rewards.service_layer import awards, honours, participation

SUBSCRIPTIONS = (
    Subscription(
        ParticipationCompleted,
        participation.on_participation_completed,
        participation.on_participation_completed_batch,
        concurrency=4,
    ),
    Subscription(ParticipationNoShow, awards.on_no_show),
    Subscription(IssueResolved, awards.on_issue_resolved),
    Subscription(IssueClosed, awards.on_issue_closed),
    Subscription(SessionConcluded, awards.on_session_concluded),
    Subscription(WishConfirmed, awards.on_wish_confirmed),
    Subscription(SelectionConcluded, honours.on_selection_concluded),
)
