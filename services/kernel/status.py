"""What an operator asks of a running service: ready or not, consumer lag, outbox backlog, dead letters.

The same figures feed /metrics (Prometheus text, for scrapers) and /status (JSON, for the operators' desk in
the browser, admins only), gathered at the moment they are asked for."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg
from nats.js import JetStreamContext
from pydantic import BaseModel, Field

from services.kernel.dlq import dead_letter_count
from services.kernel.outbox import backlog
from services.kernel.topology import ConsumerSpec, consumer_lag


class ConsumerStatus(BaseModel):
    durable: str = Field(description="The durable JetStream consumer")
    stream: str
    pending: int = Field(description="Messages not yet delivered to it (its lag)")
    ack_pending: int = Field(description="Delivered but not yet acknowledged")


class ServiceStatus(BaseModel):
    service: str
    ready: bool = Field(description="The database and NATS are reachable (what /readyz answers)")
    database: bool
    nats: bool
    outbox_backlog: int | None = Field(description="Outbox rows not yet published; None when the database is down")
    dead_letters: int | None = Field(description="Messages of this service in the dead-letter stream")
    consumers: list[ConsumerStatus] = Field(description="Empty when NATS is down")


async def collect(
    service: str, pool: asyncpg.Pool | None, js: JetStreamContext | None, specs: Sequence[ConsumerSpec], nats: bool
) -> ServiceStatus:
    """Each figure within 2 s, or left out (None, no consumers) when its server does not answer."""
    pending: int | None = None
    with contextlib.suppress(Exception):
        async with asyncio.timeout(2):
            assert pool is not None
            async with pool.acquire() as conn:
                pending = await backlog(conn)
    consumers: list[ConsumerStatus] = []
    dead: int | None = None
    if nats and js is not None:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(2):
                for spec in specs:
                    lag, ack_pending = await consumer_lag(js, spec)
                    consumers.append(
                        ConsumerStatus(durable=spec.durable, stream=spec.stream, pending=lag, ack_pending=ack_pending)
                    )
                dead = await dead_letter_count(js, service)
    database = pending is not None
    return ServiceStatus(
        service=service,
        ready=database and nats,
        database=database,
        nats=nats,
        outbox_backlog=pending,
        dead_letters=dead,
        consumers=consumers,
    )
