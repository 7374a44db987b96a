"""Wires the deliberation service once: its settings, unit of work, routers, the issue.referred consumer, the scheduler."""

from __future__ import annotations

from fastapi import FastAPI

from services.deliberation.entrypoints import agenda, calendar, councils, numbers, people, sessions
from services.deliberation.entrypoints.events import SUBSCRIPTIONS, keep_scheduling, schedule_on_start
from services.deliberation.entrypoints.links import LINKS
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.deliberation.settings import DeliberationSettings
from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock

NAME = "deliberation"


def create(settings: DeliberationSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or DeliberationSettings()
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli deliberation",
            description="Councils (协商议事会, 妇女议事会), their first-Friday sessions, agenda, votes and decisions.",
            settings=settings,
            components=None,
            unit_of_work=DeliberationUnitOfWork,
            routers=[councils.router, sessions.router, agenda.router, calendar.router, numbers.router, people.router],
            subscriptions=SUBSCRIPTIONS,
            on_start=[schedule_on_start],
            background=[keep_scheduling],
            clock=clock,
            links=LINKS,
        )
    )
