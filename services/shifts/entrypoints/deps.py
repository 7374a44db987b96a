"""What shifts' routes are given: its typed context, a fresh unit of work, and the background loop."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from fastapi import Request

from services.kernel.app import ServiceContext
from services.shifts.service_layer.templates import generate_all
from services.shifts.service_layer.unit_of_work import ShiftsComponents, ShiftsUnitOfWork
from services.shifts.settings import ShiftsSettings

ShiftsContext = ServiceContext[ShiftsSettings, ShiftsComponents]


def context_of(request: Request) -> ShiftsContext:
    return cast(ShiftsContext, request.app.state.ctx)


async def get_shifts(request: Request) -> ShiftsContext:
    """FastAPI dependency: the shifts context, typed."""
    return context_of(request)


async def get_shifts_uow(request: Request) -> ShiftsUnitOfWork:
    """FastAPI dependency: a fresh unit of work of shifts, not yet open (the command opens it)."""
    return cast(ShiftsUnitOfWork, context_of(request).uow())


def in_zone(value: datetime, zone: ZoneInfo) -> datetime:
    """A time without an offset is a wall-clock time of the community's zone."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


async def generate_loop(ctx: ServiceContext[Any, Any]) -> None:
    """Keep every active template generated weeks ahead."""
    shifts = cast(ShiftsContext, ctx)
    while True:
        await generate_all(lambda: cast(ShiftsUnitOfWork, shifts.uow()))
        await asyncio.sleep(shifts.settings.shifts_generate_interval_seconds)
