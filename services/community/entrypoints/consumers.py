"""The events community consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer).

One subscription per event type: a type several practices need (the yearly report counts nearly
every one) is handled by one function in service_layer/reactions.py that hands the event to each
of them, in the same transaction."""

from __future__ import annotations

from contracts.catalogue import BY_NAME
from services.community.service_layer import reactions
from services.kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [Subscription(BY_NAME[name], reactions.handle) for name in reactions.CONSUMED]
