"""Shared pieces of the routers: the service's parts, reached from the app context."""

from __future__ import annotations

from fastapi import Depends

from services.kernel.app import ServiceContext, get_ctx
from services.kernel.clock import Clock
from services.notifications.settings import NotificationSettings


async def clock(ctx: ServiceContext = Depends(get_ctx)) -> Clock:
    value: Clock = ctx.extras["clock"]
    return value


async def settings(ctx: ServiceContext = Depends(get_ctx)) -> NotificationSettings:
    value = ctx.settings
    assert isinstance(value, NotificationSettings)
    return value
