"""The events notifications consumes and the background loops it runs (thin: call the service layer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, cast

import httpx

from contracts.catalogue import ALL_EVENTS
from services.kernel.app import ServiceContext
from services.kernel.consumer import Subscription
from services.notifications.entrypoints.deps import NotificationsContext
from services.notifications.service_layer import commands, reminders
from services.notifications.service_layer.delivery import DeliveryWorker
from services.notifications.service_layer.dispatch import dispatch
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork

OWN_ENTITY = "notification"

# Every event type but our own: people hear some, outbound webhooks may ask for any.
SUBSCRIPTIONS = [Subscription(model, dispatch) for model in ALL_EVENTS if model.entity != OWN_ENTITY]


def _units(ctx: ServiceContext[Any, Any]) -> tuple[NotificationsContext, Callable[[], NotificationsUnitOfWork]]:
    service = cast(NotificationsContext, ctx)
    return service, lambda: cast(NotificationsUnitOfWork, service.uow())


async def install_templates(ctx: ServiceContext[Any, Any]) -> None:
    _, units = _units(ctx)
    await commands.install_default_templates(units())


async def start_listening(ctx: ServiceContext[Any, Any]) -> None:
    """Before consumers start, so no committed inbox item is missed by open streams: on the process's
    one LISTEN connection, made again by the kernel whenever it is lost."""
    service, _ = _units(ctx)
    hub = service.components.hub
    await ctx.listener.listen(hub.channel, hub.heard)


async def keep_streams_announced(ctx: ServiceContext[Any, Any]) -> None:
    """Renew this instance's live_inbox_listeners row while it has streams open; take it away after."""
    service, _ = _units(ctx)
    hub = service.components.hub
    try:
        while True:
            await hub.keep(ctx.pool)
            await asyncio.sleep(hub.ttl / 3)
    except asyncio.CancelledError:  # stopping: nothing here streams any more (a row left behind lapses)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                await hub.stop_listening(ctx.pool)
        raise


async def deliver(ctx: ServiceContext[Any, Any]) -> None:
    """Fire due reminders and drain the delivery queue; pause only when there was nothing to do."""
    service, units = _units(ctx)
    settings = service.settings
    # Redirects are not followed: a receiver cannot bounce a delivery to an address the SSRF check refused.
    async with httpx.AsyncClient(timeout=settings.notifications_webhook_timeout, follow_redirects=False) as http:
        worker = DeliveryWorker(units, http)
        while True:
            fired = await reminders.fire_due(units())
            claimed = await worker.tick()
            if fired == 0 and claimed < settings.notifications_worker_batch:
                await asyncio.sleep(settings.notifications_worker_interval)
