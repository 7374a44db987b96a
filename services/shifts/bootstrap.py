"""Wires the shifts service once: its settings, components, unit of work, routers and the generator loop."""

from __future__ import annotations

from fastapi import FastAPI

from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock
from services.shifts.entrypoints import calendar, people, posts, shifts, signups, templates, volunteers
from services.shifts.entrypoints.deps import generate_loop
from services.shifts.entrypoints.links import LINKS
from services.shifts.service_layer.unit_of_work import ShiftsComponents, ShiftsUnitOfWork, policy_of
from services.shifts.settings import ShiftsSettings

NAME = "shifts"
PORT = 8083


def create(settings: ShiftsSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or ShiftsSettings()
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli shifts",
            description="红色岗位 · Red posts: volunteers, shifts and their recurrence, sign-up with waitlist, "
            "check-in/out, confirmation by the post leader, statistics and iCalendar feeds.",
            settings=settings,
            components=ShiftsComponents(policy=policy_of(settings)),
            unit_of_work=ShiftsUnitOfWork,
            routers=[
                posts.router,
                volunteers.router,
                templates.router,
                shifts.router,
                signups.router,
                calendar.router,
                people.router,
            ],
            background=[generate_loop],
            clock=clock,
            links=LINKS,
        )
    )
