"""The service factory: every Linli service is a `ServiceDefinition` turned into one FastAPI app.

The app owns the process's resources for its lifetime: the asyncpg pool, the FastStream
NATS broker with the service's idempotent consumers, the process's one LISTEN connection (the
relays' wake-ups, the caches' invalidation), the outbox relays and any background loops the
service declares. It adds what every service must answer: /healthz, /readyz,
/metrics, /asyncapi.json, /openapi.json and /docs, the admins' /audit log, problem details, CORS, JSON logs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
import stamina
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from starlette.responses import Response

from contracts.catalogue import EMITTERS, Emitter
from contracts.enums import Role
from contracts.generate import service_asyncapi
from services.kernel import db
from services.kernel.audit_api import audit_router
from services.kernel.auth import Principal, TokenVerifier, require_roles
from services.kernel.cache import Cache, CacheInvalidation
from services.kernel.clock import Clock, SystemClock
from services.kernel.consumer import EventConsumers, Subscription
from services.kernel.errors import DomainError
from services.kernel.http import KernelHttpMiddleware
from services.kernel.lean_lane import LeanLane
from services.kernel.links import Links, document_links
from services.kernel.listener import DatabaseListener
from services.kernel.logs import configure_logging
from services.kernel.openapi import document_problems
from services.kernel.outbox import Outbox
from services.kernel.problems import Problem, ServiceUnavailable, install_problem_handlers, problem_response
from services.kernel.publisher import OutboxPublisher
from services.kernel.relay import OutboxRelay
from services.kernel.settings import ServiceSettings
from services.kernel.status import ServiceStatus, collect
from services.kernel.topology import ensure_streams
from services.kernel.tracing import configure_tracing
from services.kernel.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("linli.app")
# Objects allocated between young-generation collections (CPython default: 700). Measured with the
# HTTP write bench (issue 19): 20,000 -> 100,000 gave POST /issues ~9 % more requests/s, the same
# as no collector at all, for ~1 MB more peak RSS under load.
GC_YOUNG_THRESHOLD = 100_000

OUTBOX_BACKLOG = Gauge("linli_outbox_backlog", "Outbox rows not yet published", ["service"])
CONSUMER_PENDING = Gauge("linli_consumer_pending", "Messages not yet delivered to a consumer", ["service", "consumer"])
CONSUMER_ACK_PENDING = Gauge(
    "linli_consumer_ack_pending", "Messages delivered but not acknowledged", ["service", "consumer"]
)
DLQ_MESSAGES = Gauge("linli_dead_letter_messages", "Messages waiting in the dead-letter stream", ["service"])
# What /readyz would answer, for Prometheus, which scrapes /metrics and does not probe /readyz.
READY = Gauge("linli_ready", "1 while the service reaches its database and NATS, else 0", ["service"])


S = TypeVar("S", bound=ServiceSettings)
C = TypeVar("C")


@dataclass
class ServiceContext(Generic[S, C]):
    """What routes, consumers and loops of one service share: reached as `request.app.state.ctx`.

    `settings` is the service's own settings class and `components` its own typed bundle of
    process-wide parts (a rate limiter, a cache, a live-update hub), built once in its bootstrap;
    `uow()` makes a fresh unit of work; `listener` is the process's one LISTEN connection."""

    name: str
    settings: S
    components: C
    broker: NatsBroker
    outbox: Outbox
    clock: Clock
    uow: UnitOfWorkFactory[S]
    listener: DatabaseListener
    pool_: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self.pool_ is None:
            raise ServiceUnavailable("The database pool is not open yet.")
        return self.pool_

    @property
    def js(self) -> JetStreamContext:
        stream: JetStreamContext = self.broker.config.connection_state.stream
        return stream


Task = Callable[[ServiceContext[Any, Any]], Awaitable[None]]


@dataclass
class ServiceDefinition(Generic[S, C]):
    """Everything that makes one service; `create_app` turns it into its FastAPI app.

    `unit_of_work`: the service's UnitOfWork class (with its repositories), made per command.
    `errors`: the service's own kinds of domain refusal and the problem each answers with,
    beyond the kernel's (problems.DOMAIN_PROBLEMS). `clock`: injected (tests); the system clock otherwise.
    `caches`: the service's caches (among its components), forgotten whenever the database notifies
    that their tables changed (cache.py; the tables are named in the service's migrations)."""

    name: str
    title: str
    description: str
    settings: S
    components: C = None  # type: ignore[assignment]
    routers: Sequence[APIRouter] = ()
    subscriptions: Sequence[Subscription] = ()
    on_start: Sequence[Task] = ()
    background: Sequence[Task] = ()
    """Long-running loops (schedulers, reminders); cancelled at shutdown."""
    unit_of_work: type[UnitOfWork[S]] = UnitOfWork
    errors: Mapping[type[DomainError], type[Problem]] = field(default_factory=dict)
    clock: Clock | None = None
    caches: Sequence[Cache[Any]] = ()
    version: str = "1.0.0"
    links: Sequence[Links] = ()
    """OpenAPI links between its operations (services/kernel/links.py), written into its document."""


async def get_ctx(request: Request) -> ServiceContext[Any, Any]:
    """FastAPI dependency: the service's context (async: FastAPI runs a sync dependency in a worker thread)."""
    ctx: ServiceContext[Any, Any] = request.app.state.ctx
    return ctx


async def get_uow(request: Request) -> UnitOfWork[Any]:
    """FastAPI dependency: a fresh unit of work of the service, not yet open (the command opens it)."""
    ctx: ServiceContext[Any, Any] = request.app.state.ctx
    return ctx.uow()


def create_app(definition: ServiceDefinition[S, C]) -> FastAPI:
    settings = definition.settings
    name = definition.name
    broker = NatsBroker(
        settings.nats_servers,
        name=f"linli-{name}",
        graceful_timeout=settings.graceful_timeout,
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        connect_timeout=3,
        log_level=logging.DEBUG,
    )
    outbox = Outbox(name)
    clock = definition.clock or SystemClock()
    publisher = OutboxPublisher(
        name,
        enabled=settings.outbox_publish_after_commit,
        timeout=settings.outbox_publish_timeout,
        mark_delay=settings.outbox_mark_delay,
    )
    units = UnitOfWorkFactory(
        definition.unit_of_work,
        pool=lambda: ctx.pool,
        outbox=outbox,
        clock=clock,
        settings=settings,
        components=definition.components,
        publisher=publisher,
    )
    ctx: ServiceContext[S, C] = ServiceContext(
        name=name,
        settings=settings,
        components=definition.components,
        broker=broker,
        outbox=outbox,
        clock=clock,
        uow=units,
        listener=DatabaseListener(settings.database_url, name),
    )
    invalidation = CacheInvalidation(definition.caches)
    consumers = EventConsumers(
        service=name,
        broker=broker,
        settings=settings,
        subscriptions=definition.subscriptions,
        pool=lambda: ctx.pool,
        units=units,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, settings.log_level)
        configure_tracing(name, settings.otel_exporter_otlp_endpoint)
        ctx.pool_ = await _open_pool(settings, name)
        # Before anything reads a cache: a change is heard from the moment the first value is kept.
        await ctx.listener.listen(
            f"cache_{name}",
            invalidation.heard,
            connected=invalidation.forget_everything,
            lost=invalidation.forget_everything,
        )
        await ctx.listener.start()
        await _connect_broker(broker)
        await ensure_streams(
            ctx.js, replicas=settings.stream_replicas, duplicate_window=settings.stream_duplicate_window
        )
        await consumers.declare(ctx.js)
        # Until the relay has published what an earlier process left, commits are left to it too.
        await publisher.start(ctx.pool, ctx.js, relay=settings.outbox_relays > 0)
        for task in definition.on_start:
            await task(ctx)
        await broker.start()
        await consumers.start(ctx.js)
        relays = (
            [
                OutboxRelay(
                    service=name,
                    pool=ctx.pool,
                    js=ctx.js,
                    listener=ctx.listener,
                    batch_size=settings.outbox_batch_size,
                    workers=settings.outbox_relays,
                    poll_interval=settings.outbox_poll_interval,
                    publish_timeout=settings.outbox_publish_timeout,
                    retention_seconds=settings.outbox_retention_hours * 3600,
                    publisher=publisher if settings.outbox_publish_after_commit else None,
                    grace=settings.outbox_relay_grace,
                )
            ]
            if settings.outbox_relays
            else []
        )
        for relay in relays:
            await relay.start()
        if relays:  # normally one claim that finds nothing: milliseconds
            await publisher.wait_direct(2.0)
        loops = [asyncio.create_task(_supervised(task, ctx), name=f"{name}-bg") for task in definition.background]
        log.info("%s ready", name, extra={"pid": os.getpid()})
        try:
            yield
        finally:
            for loop in loops:
                loop.cancel()
            # Stop taking messages first and let in-flight batches finish (graceful_timeout).
            await consumers.stop()
            await publisher.stop()
            await broker.stop()
            for relay in relays:
                await relay.stop()
            for loop in loops:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await loop
            await ctx.listener.stop()
            await ctx.pool.close()
            log.info("%s stopped", name)

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        lifespan=lifespan,
        # The kernel's own middleware (http.py) makes the server span and the HTTP metrics; FastAPI's
        # native telemetry would make a second span and second metrics for every request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.ctx = ctx
    app.state.consumers = consumers
    app.state.verifier = TokenVerifier(settings)
    install_problem_handlers(app, definition.errors)
    app.add_middleware(LeanLane, fastapi=app)  # the innermost: added first
    if settings.cors_origins:  # no front-end origin configured: no CORS headers to add
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["Location", "Link"],
        )
    app.add_middleware(KernelHttpMiddleware, service=name, max_body_bytes=settings.max_body_bytes)
    app.include_router(_operations_router(definition, ctx, consumers))
    app.include_router(audit_router())
    for router in definition.routers:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_links(document_problems(FastAPI.openapi(app)), definition.links)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


async def _open_pool(settings: ServiceSettings, name: str) -> asyncpg.Pool:
    async for attempt in stamina.retry_context(on=db.INFRASTRUCTURE_ERRORS, attempts=None, timeout=120):
        with attempt:
            return await db.create_pool(
                settings.database_url,
                name,
                min_size=settings.db_pool_min,
                max_size=settings.db_pool_max,
                # Its commits are published here, and what is left to its relay wakes it in-process
                # (publisher.on_fallback); without a relay of its own, another process's must be woken.
                notify_outbox=not (settings.outbox_publish_after_commit and settings.outbox_relays > 0),
            )
    raise RuntimeError("unreachable")


async def _connect_broker(broker: NatsBroker) -> None:
    async for attempt in stamina.retry_context(on=Exception, attempts=None, timeout=120):
        with attempt:
            await broker.connect()


async def _supervised(task: Task, ctx: ServiceContext[Any, Any]) -> None:
    """Run a background loop; if it fails, log and start it again after a pause."""
    while True:
        try:
            await task(ctx)
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background task %s failed; restarting in 2 s", getattr(task, "__name__", task))
            await asyncio.sleep(2)


def _operations_router(
    definition: ServiceDefinition[Any, Any], ctx: ServiceContext[Any, Any], consumers: EventConsumers
) -> APIRouter:
    router = APIRouter(tags=["operations"])
    name = definition.name

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": name}

    def nats_connected() -> bool:
        connection = ctx.broker._connection
        return connection is not None and connection.is_connected

    @router.get(
        "/readyz",
        summary="The database and NATS are reachable",
        response_model=None,
        responses={503: {"description": "The database or NATS is unreachable"}},
    )
    async def readyz(request: Request) -> Response | dict[str, str]:
        checks: dict[str, str] = {}
        try:
            async with asyncio.timeout(2):
                await ctx.pool.fetchval("SELECT 1")
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}: {exc}"
        if not nats_connected():
            checks["nats"] = "unreachable"
        if checks:
            detail = "; ".join(f"{part} {reason}" for part, reason in checks.items())
            problem = ServiceUnavailable(detail, checks=checks)
            return problem_response(problem, request.url.path, {"Retry-After": "2"})
        return {"status": "ready", "service": name}

    async def status() -> ServiceStatus:
        js = None
        with contextlib.suppress(Exception):
            js = ctx.js
        return await collect(name, ctx.pool_, js, consumers.specs, nats_connected())

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        now = await status()
        if now.outbox_backlog is not None:
            OUTBOX_BACKLOG.labels(name).set(now.outbox_backlog)
        READY.labels(name).set(int(now.ready))
        for consumer in now.consumers:
            CONSUMER_PENDING.labels(name, consumer.durable).set(consumer.pending)
            CONSUMER_ACK_PENDING.labels(name, consumer.durable).set(consumer.ack_pending)
        if now.dead_letters is not None:
            DLQ_MESSAGES.labels(name).set(now.dead_letters)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @router.get(
        "/status",
        response_model=ServiceStatus,
        summary="Ready, consumer lag, outbox backlog and dead letters as JSON (admins; the operators' desk)",
    )
    async def status_json(_: Principal = Depends(require_roles(Role.ADMIN))) -> ServiceStatus:
        return await status()

    asyncapi = service_asyncapi(_emitter_of_service(name), [s.model for s in definition.subscriptions])

    @router.get("/asyncapi.json", summary="AsyncAPI 3.0 document of this service's channels")
    async def asyncapi_json() -> dict[str, Any]:
        return asyncapi

    return router


def _emitter_of_service(name: str) -> Emitter:
    for emitter in EMITTERS:
        if emitter.service == name:
            return emitter
    return Emitter(name, "", ())


def serve(app: FastAPI, default_port: int) -> None:
    """Run one service with uvicorn (port from LINLI_HTTP_PORT, else the service's own)."""
    import uvicorn

    port = int(os.environ.get("LINLI_HTTP_PORT", default_port))
    host = os.environ.get("LINLI_HTTP_HOST", "127.0.0.1")
    # Everything built so far (modules, pydantic schemas, routes) lives as long as the process:
    # keep it out of the collector's scans, and collect the young generation less often, since
    # handling a batch of events allocates thousands of short-lived objects.
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=10)
