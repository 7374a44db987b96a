"""The events community consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer)."""

from __future__ import annotations

from contracts.events.shifts import ShiftScheduled, SignupCreated
from services.community.service_layer import announcements
from services.kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [
    # publicity: the red posts' volunteers, the audience of a post's announcement
    Subscription(ShiftScheduled, announcements.on_shift_scheduled),
    Subscription(SignupCreated, announcements.on_signup_created),
]
