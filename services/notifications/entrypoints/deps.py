"""What the notifications routes are given: its typed context and a fresh unit of work."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.kernel.app import ServiceContext
from services.notifications.service_layer.unit_of_work import NotificationsComponents, NotificationsUnitOfWork
from services.notifications.settings import NotificationSettings

NotificationsContext = ServiceContext[NotificationSettings, NotificationsComponents]


def context_of(request: Request) -> NotificationsContext:
    return cast(NotificationsContext, request.app.state.ctx)


async def get_notifications(request: Request) -> NotificationsContext:
    """FastAPI dependency: the service's context, typed."""
    return context_of(request)


async def get_uow(request: Request) -> NotificationsUnitOfWork:
    """FastAPI dependency: a fresh unit of work, not yet open (the command opens it)."""
    return cast(NotificationsUnitOfWork, context_of(request).uow())
