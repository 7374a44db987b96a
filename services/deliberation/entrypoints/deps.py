"""What deliberation's routes are given: its typed context and a fresh unit of work."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.deliberation.settings import DeliberationSettings
from services.kernel.app import ServiceContext

DeliberationContext = ServiceContext[DeliberationSettings, None]


def context_of(request: Request) -> DeliberationContext:
    return cast(DeliberationContext, request.app.state.ctx)


async def get_deliberation(request: Request) -> DeliberationContext:
    """FastAPI dependency: deliberation's context, typed."""
    return context_of(request)


async def get_uow(request: Request) -> DeliberationUnitOfWork:
    """FastAPI dependency: a fresh unit of work of deliberation, not yet open (the command opens it)."""
    return cast(DeliberationUnitOfWork, context_of(request).uow())


def feed_base(request: Request) -> str:
    """The base URL put before calendar feed paths (empty: relative paths)."""
    return context_of(request).settings.deliberation_public_url.rstrip("/")
