"""What the love bank's routes are given: its typed context and a fresh unit of work."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.kernel.app import ServiceContext
from services.rewards.service_layer.unit_of_work import RewardsComponents, RewardsUnitOfWork
from services.rewards.settings import RewardsSettings

RewardsContext = ServiceContext[RewardsSettings, RewardsComponents]


def context_of(request: Request) -> RewardsContext:
    return cast(RewardsContext, request.app.state.ctx)


async def get_rewards(request: Request) -> RewardsContext:
    """FastAPI dependency: the love bank's context, typed."""
    return context_of(request)


async def get_uow(request: Request) -> RewardsUnitOfWork:
    """FastAPI dependency: a fresh unit of work of the love bank, not yet open (the command opens it)."""
    return cast(RewardsUnitOfWork, context_of(request).uow())
