"""Wires the notifications service once: consumers of every event, routers, the worker and the SSE hub."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from contracts.catalogue import ALL_EVENTS
from services.kernel.app import ServiceContext, ServiceDefinition, create_app
from services.kernel.clock import Clock, SystemClock
from services.kernel.consumer import Subscription
from services.kernel.settings import ServiceSettings
from services.notifications.adapters import repository as repo
from services.notifications.adapters.hub import InboxHub
from services.notifications.entrypoints import admin, inbox, preferences, subscriptions
from services.notifications.service_layer import reminders
from services.notifications.service_layer.delivery import DeliveryWorker
from services.notifications.service_layer.dispatch import Dispatcher
from services.notifications.service_layer.messages import Messenger
from services.notifications.settings import NotificationSettings

NAME = "notifications"
OWN_ENTITY = "notification"


def create(settings: ServiceSettings | None = None, clock: Clock | None = None) -> FastAPI:
    if settings is None:
        config = NotificationSettings()
    elif isinstance(settings, NotificationSettings):
        config = settings
    else:
        config = NotificationSettings(**settings.model_dump())
    the_clock: Clock = clock or SystemClock()
    messenger = Messenger(config, the_clock)
    dispatcher = Dispatcher(messenger)
    hub = InboxHub(config.database_url)

    async def install_templates(ctx: ServiceContext) -> None:
        async with ctx.pool.acquire() as conn:
            await repo.install_default_templates(conn)

    async def start_listening(ctx: ServiceContext) -> None:
        await hub.connect()  # before consumers start, so no committed inbox item is missed by open streams

    async def keep_listening(ctx: ServiceContext) -> None:
        await hub.keep_listening()

    async def deliver(ctx: ServiceContext) -> None:
        async with httpx.AsyncClient(timeout=config.notifications_webhook_timeout) as http:
            worker = DeliveryWorker(config, the_clock, http)
            while True:
                fired = await reminders.fire_due(ctx.pool, messenger)
                claimed = await worker.tick(ctx.pool)
                if fired == 0 and claimed < config.notifications_worker_batch:
                    await asyncio.sleep(config.notifications_worker_interval)

    # Every event type but our own: people hear some, outbound webhooks may ask for any.
    subscriptions_ = [Subscription(model, dispatcher) for model in ALL_EVENTS if model.entity != OWN_ENTITY]
    app = create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli notifications",
            description=(
                "Inbox per person with a live SSE stream, WeCom group robots, e-mail, and outbound webhooks "
                "signed per Standard Webhooks. 通知服务：站内信、企业微信群机器人、邮件、签名 Webhook。"
            ),
            routers=[inbox.router, preferences.router, subscriptions.router, admin.router],
            subscriptions=subscriptions_,
            on_start=[install_templates, start_listening],
            background=[deliver, keep_listening],
            settings=config,
        )
    )
    ctx: ServiceContext = app.state.ctx
    ctx.extras["clock"] = the_clock
    ctx.extras["hub"] = hub
    ctx.extras["templates"] = messenger.templates
    return app
