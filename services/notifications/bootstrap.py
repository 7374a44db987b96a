"""Wires the notifications service once: settings, components, unit of work, routers, consumers and loops."""

from __future__ import annotations

from fastapi import FastAPI

from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock
from services.kernel.problems import UnprocessableContent
from services.notifications.adapters.hub import InboxHub
from services.notifications.domain.templates import InvalidTemplate
from services.notifications.entrypoints import admin, inbox, people, preferences, subscriptions
from services.notifications.entrypoints.consumers import (
    SUBSCRIPTIONS,
    deliver,
    install_templates,
    keep_streams_announced,
    start_listening,
)
from services.notifications.entrypoints.links import LINKS
from services.notifications.service_layer.unit_of_work import NotificationsComponents, NotificationsUnitOfWork
from services.notifications.settings import NotificationSettings

NAME = "notifications"


def create(settings: NotificationSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or NotificationSettings()
    components = NotificationsComponents(hub=InboxHub())
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli notifications",
            description=(
                "Inbox per person with a live SSE stream, WeCom group robots, e-mail, and outbound webhooks "
                "signed per Standard Webhooks. 通知服务：站内信、企业微信群机器人、邮件、签名 Webhook。"
            ),
            settings=settings,
            components=components,
            caches=components.caches.all(),
            unit_of_work=NotificationsUnitOfWork,
            routers=[inbox.router, preferences.router, subscriptions.router, admin.router, people.router],
            subscriptions=SUBSCRIPTIONS,
            on_start=[install_templates, start_listening],
            background=[deliver, keep_streams_announced],
            # A template that would not render is a 422 like any other invalid body, not a 400.
            errors={InvalidTemplate: UnprocessableContent},
            clock=clock,
            links=LINKS,
        )
    )
