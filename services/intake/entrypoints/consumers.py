"""The events intake consumes and the background loops it runs (thin: call the service layer)."""

from __future__ import annotations

import asyncio
import logging

from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.intake.entrypoints.deps import settings_of
from services.intake.service_layer import reactions
from services.kernel.app import ServiceContext
from services.kernel.consumer import Subscription

log = logging.getLogger("linli.intake")

SUBSCRIPTIONS = [
    Subscription(DecisionAdopted, reactions.on_decision_adopted),
    Subscription(DecisionRejected, reactions.on_decision_rejected),
    Subscription(SuggestionForwarded, reactions.on_suggestion_forwarded),
]


async def auto_close_loop(ctx: ServiceContext) -> None:
    """Every few minutes close what was resolved 7 days ago; several instances share the work."""
    interval = settings_of(ctx).intake_auto_close_interval
    while True:
        closed = await reactions.auto_close_due(ctx.pool, ctx.outbox)
        if closed:
            log.info("auto-closed %d issues resolved 7 days ago", closed)
        await asyncio.sleep(interval)
