"""The events intake consumes and the background loops it runs (thin: call the service layer)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.intake.entrypoints.deps import IntakeContext
from services.intake.service_layer import commands, reactions
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork
from services.kernel.app import ServiceContext
from services.kernel.consumer import Subscription

log = logging.getLogger("linli.intake")

SUBSCRIPTIONS = [
    Subscription(DecisionAdopted, reactions.on_decision_adopted),
    Subscription(DecisionRejected, reactions.on_decision_rejected),
    Subscription(SuggestionForwarded, reactions.on_suggestion_forwarded),
]


async def auto_close_loop(ctx: ServiceContext[Any, Any]) -> None:
    """Every few minutes close what was resolved 7 days ago; several instances share the work."""
    intake = cast(IntakeContext, ctx)
    while True:
        closed = await commands.auto_close_all(lambda: cast(IntakeUnitOfWork, intake.uow()))
        if closed:
            log.info("auto-closed %d issues resolved 7 days ago", closed)
        await asyncio.sleep(intake.settings.intake_auto_close_interval)
