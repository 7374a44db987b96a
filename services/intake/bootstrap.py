"""Wires the intake service once: its settings, components, unit of work, routers, consumers and loop."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.entrypoints import admin, committee, issues, numbers, people, photos
from services.intake.entrypoints.consumers import SUBSCRIPTIONS, auto_close_loop
from services.intake.entrypoints.links import LINKS
from services.intake.open311 import routes as open311
from services.intake.service_layer.ratelimit import SubmissionLimits
from services.intake.service_layer.unit_of_work import IntakeComponents, IntakeUnitOfWork
from services.intake.settings import IntakeSettings
from services.kernel.app import ServiceDefinition, create_app
from services.kernel.clock import Clock

NAME = "intake"


def create(settings: IntakeSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    components = IntakeComponents(limits=SubmissionLimits(settings.intake_person_rate, settings.intake_address_rate))
    return create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli intake",
            description="Residents raise issues; the two committees review, resolve and close them. Open311 GeoReport v2.",
            settings=settings,
            components=components,
            caches=[components.categories],
            unit_of_work=IntakeUnitOfWork,
            routers=[
                issues.router,
                photos.router,
                committee.router,
                numbers.router,
                admin.router,
                open311.router,
                people.router,
            ],
            errors=photos.PHOTO_PROBLEMS,
            subscriptions=SUBSCRIPTIONS,
            background=[auto_close_loop],
            clock=clock,
            links=LINKS,
        )
    )
