"""The background loop that keeps every active template generated weeks ahead."""

from __future__ import annotations

import asyncio

from services.kernel.app import ServiceContext
from services.shifts.entrypoints.deps import clock_of, settings_of
from services.shifts.service_layer.templates import generate_all


async def generate_loop(ctx: ServiceContext) -> None:
    settings = settings_of(ctx)
    while True:
        await generate_all(ctx.pool, ctx.outbox, now=clock_of(ctx).now(), weeks=settings.shifts_generate_weeks)
        await asyncio.sleep(settings.shifts_generate_interval_seconds)
