"""What intake's routes are given: its typed context, a fresh unit of work, the client's address."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from services.intake.service_layer.unit_of_work import IntakeComponents, IntakeUnitOfWork
from services.intake.settings import IntakeSettings
from services.kernel.app import ServiceContext

IntakeContext = ServiceContext[IntakeSettings, IntakeComponents]


def context_of(request: Request) -> IntakeContext:
    return cast(IntakeContext, request.app.state.ctx)


async def get_intake(request: Request) -> IntakeContext:
    """FastAPI dependency: intake's context, typed."""
    return context_of(request)


async def get_intake_uow(request: Request) -> IntakeUnitOfWork:
    """FastAPI dependency: a fresh unit of work of intake, not yet open (the command opens it)."""
    return cast(IntakeUnitOfWork, context_of(request).uow())


def client_address(request: Request, settings: IntakeSettings) -> str | None:
    if settings.intake_trust_forwarded_for and (forwarded := request.headers.get("x-forwarded-for")):
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None
