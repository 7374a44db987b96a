"""The events community consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer)."""

from __future__ import annotations

from services.kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
