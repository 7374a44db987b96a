"""The events community consumes, bound to their handlers `(uow, event)` (thin: the work is in service_layer).

One subscription per event type: a type several practices need is handled by one function in
service_layer/reactions.py that hands the event to each of them, in the same transaction."""

from __future__ import annotations

from contracts.catalogue import BY_NAME
from services.community.domain.yearly_report import CONSUMED
from services.community.service_layer import yearly_report
from services.kernel.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = [Subscription(BY_NAME[name], yearly_report.record) for name in CONSUMED]
