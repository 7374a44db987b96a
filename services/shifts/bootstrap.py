"""Wires the shifts service once: routers, rule-error mapping, the template generator loop."""

from __future__ import annotations

from fastapi import FastAPI

from services.kernel.app import ServiceDefinition, create_app
from services.kernel.settings import ServiceSettings
from services.shifts.entrypoints import calendar, posts, shifts, signups, templates, volunteers
from services.shifts.entrypoints.deps import install_rule_handlers
from services.shifts.service_layer.generator import generate_loop
from services.shifts.settings import ShiftsSettings

NAME = "shifts"
PORT = 8083


def create(settings: ServiceSettings | None = None) -> FastAPI:
    if settings is None:
        settings = ShiftsSettings()
    elif not isinstance(settings, ShiftsSettings):
        settings = ShiftsSettings(**settings.model_dump())
    app = create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli shifts",
            description="红色岗位 · Red posts: volunteers, shifts and their recurrence, sign-up with waitlist, "
            "check-in/out, confirmation by the post leader, statistics and iCalendar feeds.",
            routers=[posts.router, volunteers.router, templates.router, shifts.router, signups.router, calendar.router],
            background=[generate_loop],
            settings=settings,
        )
    )
    install_rule_handlers(app)
    return app
