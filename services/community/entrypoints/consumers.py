"""The events community consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer)."""

from __future__ import annotations

from contracts.events.issue import IssueSubmitted
from contracts.events.rewards import PointsAwarded
from contracts.events.shifts import ParticipationCompleted
from services.community.service_layer import reactions
from services.kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [
    # micro-wishes, venture projects, care visits (one Subscription per event type; each handler
    # in service_layer/reactions.py calls every practice that keeps a read copy of that event)
    Subscription(IssueSubmitted, reactions.on_issue_submitted),
    Subscription(ParticipationCompleted, reactions.on_participation_completed),
    Subscription(PointsAwarded, reactions.on_points_awarded),
]
