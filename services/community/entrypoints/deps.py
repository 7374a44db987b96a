"""What community's routes are given: its typed context and a fresh unit of work."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.community.service_layer.unit_of_work import CommunityComponents, CommunityUnitOfWork
from services.community.settings import CommunitySettings
from services.kernel.app import ServiceContext
from services.kernel.auth import Principal, authenticate

CommunityContext = ServiceContext[CommunitySettings, CommunityComponents]


def context_of(request: Request) -> CommunityContext:
    return cast(CommunityContext, request.app.state.ctx)


async def get_community_uow(request: Request) -> CommunityUnitOfWork:
    """FastAPI dependency: a fresh unit of work of community, not yet open (the command opens it)."""
    return cast(CommunityUnitOfWork, context_of(request).uow())


async def optional_principal(request: Request) -> Principal | None:
    """The caller if a token is sent (checked as everywhere); None for an anonymous reader of a board."""
    if not request.headers.get("authorization"):
        return None
    return authenticate(request)
