"""What the deliberation service consumes and the loop it runs (thin: call the service layer)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

from contracts.events.issue import IssueReferred
from services.deliberation.entrypoints.deps import DeliberationContext
from services.deliberation.service_layer.agenda import on_issue_referred
from services.deliberation.service_layer.scheduling import schedule_all
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.kernel.app import ServiceContext
from services.kernel.consumer import Subscription

log = logging.getLogger("linli.deliberation.scheduling")

SUBSCRIPTIONS = [Subscription(IssueReferred, on_issue_referred)]


def _units(ctx: ServiceContext[Any, Any]) -> tuple[DeliberationContext, Callable[[], DeliberationUnitOfWork]]:
    deliberation = cast(DeliberationContext, ctx)
    return deliberation, lambda: cast(DeliberationUnitOfWork, deliberation.uow())


async def schedule_on_start(ctx: ServiceContext[Any, Any]) -> None:
    """When the service starts, every council's sessions are scheduled the configured months ahead."""
    _, new_uow = _units(ctx)
    await schedule_all(new_uow)


async def keep_scheduling(ctx: ServiceContext[Any, Any]) -> None:
    """Every interval, schedule what came into range (a new month); several instances are safe."""
    deliberation, new_uow = _units(ctx)
    while True:
        await asyncio.sleep(deliberation.settings.deliberation_schedule_interval)
        created = await schedule_all(new_uow)
        if created:
            log.info("scheduled %d sessions", created)
