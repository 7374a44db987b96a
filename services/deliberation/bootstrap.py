"""Wires the deliberation service once: routers, the issue.referred consumer, the scheduler."""

from __future__ import annotations

from fastapi import FastAPI

from services.deliberation.entrypoints import agenda, calendar, councils, problems, sessions
from services.deliberation.entrypoints.events import SUBSCRIPTIONS
from services.deliberation.service_layer.scheduling import schedule_all, scheduling_loop
from services.deliberation.settings import DeliberationSettings
from services.kernel.app import ServiceContext, ServiceDefinition, create_app
from services.kernel.settings import ServiceSettings

NAME = "deliberation"


def _settings(ctx: ServiceContext) -> DeliberationSettings:
    assert isinstance(ctx.settings, DeliberationSettings)
    return ctx.settings


async def schedule_on_start(ctx: ServiceContext) -> None:
    await schedule_all(ctx.pool, ctx.outbox, _settings(ctx))


async def keep_scheduling(ctx: ServiceContext) -> None:
    await scheduling_loop(ctx.pool, ctx.outbox, _settings(ctx))


def create(settings: ServiceSettings | None = None) -> FastAPI:
    if settings is None:
        settings = DeliberationSettings()
    elif not isinstance(settings, DeliberationSettings):
        settings = DeliberationSettings(**settings.model_dump())
    app = create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli deliberation",
            description="Councils (协商议事会, 妇女议事会), their first-Friday sessions, agenda, votes and decisions.",
            routers=[councils.router, sessions.router, agenda.router, calendar.router],
            subscriptions=SUBSCRIPTIONS,
            on_start=[schedule_on_start],
            background=[keep_scheduling],
            settings=settings,
        )
    )
    problems.install(app)
    return app
