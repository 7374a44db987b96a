"""Wires the intake service once: routers, consumers, the auto-close loop, the rate limiter."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import Response

from services.intake.adapters.categories import CategoryCache
from services.intake.entrypoints import admin, committee, issues
from services.intake.entrypoints.consumers import SUBSCRIPTIONS, auto_close_loop
from services.intake.open311 import routes as open311
from services.intake.service_layer.ratelimit import RateLimited, SubmissionLimits
from services.intake.settings import IntakeSettings
from services.kernel.app import ServiceContext, ServiceDefinition, create_app
from services.kernel.problems import problem_response
from services.kernel.settings import ServiceSettings

NAME = "intake"


def create(settings: ServiceSettings | None = None) -> FastAPI:
    if settings is None:
        settings = IntakeSettings()
    elif not isinstance(settings, IntakeSettings):
        settings = IntakeSettings.from_base(settings)
    app = create_app(
        ServiceDefinition(
            name=NAME,
            title="Linli intake",
            description="Residents raise issues; the two committees review, resolve and close them. Open311 GeoReport v2.",
            routers=[issues.router, committee.router, admin.router, open311.router],
            subscriptions=SUBSCRIPTIONS,
            background=[auto_close_loop],
            settings=settings,
        )
    )
    ctx: ServiceContext = app.state.ctx
    ctx.extras["limits"] = SubmissionLimits(settings.intake_person_rate, settings.intake_address_rate)
    ctx.extras["categories"] = CategoryCache()

    async def rate_limited(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimited)
        return problem_response(exc, request.url.path, {"Retry-After": str(exc.retry_after)})

    app.add_exception_handler(RateLimited, rate_limited)
    return app
