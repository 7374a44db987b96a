"""Idempotent durable consumers.

For each event type a service handles there is one durable JetStream consumer
(`<service>__<entity>_<verb>`, declared in topology.py). A message is handled like this:

1. Parse the CloudEvent. A malformed or schema-violating event is poison.
2. In one transaction: insert (consumer, event id) into processed_events; if the row was
   already there the event was handled before and nothing else happens; otherwise run
   the handler on the same connection. Commit.
3. Ack, only after the commit. A crash before the ack redelivers the message; step 2
   then finds the processed row and changes nothing.

A poison message (bad payload or a handler error) is retried with exponential back-off
and, after `consumer_max_tries` deliveries, published to the dead-letter stream and
acked, so good traffic keeps flowing. A failure of the database or network is not the
message's fault: it is retried with back-off as long as it takes and never dead-lettered.
The ack policy is MANUAL on purpose: FastStream's default would terminate a message
whose handler raised, so it would never be retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from faststream import AckPolicy
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.annotations import NatsMessage
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind
from pydantic import ValidationError

from contracts.envelope import CloudEvent, EventData
from services.kernel.db import INFRASTRUCTURE_ERRORS, Connection
from services.kernel.faults import crash_point
from services.kernel.metrics import CONSUME_LATENCY, DEAD_LETTERS, EVENTS_CONSUMED
from services.kernel.settings import ServiceSettings
from services.kernel.topology import ConsumerSpec, dlq_subject, ensure_consumer
from services.kernel.tracing import context_from, tracer

log = logging.getLogger("linli.consumer")

Handler = Callable[[Connection, CloudEvent[Any]], Awaitable[None]]

_MARK_PROCESSED = """
INSERT INTO processed_events (consumer, event_id, event_type) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING true
"""


class RetryLater(Exception):
    """The event cannot be applied yet (e.g. it arrived before the one it follows); counts as a try."""


@dataclass(frozen=True)
class Subscription:
    """A service handles events of `model` with `handle(conn, event)` inside the idempotency transaction."""

    model: type[EventData]
    handle: Handler


class EventConsumers:
    """Binds a service's subscriptions to FastStream subscribers on their durable consumers."""

    def __init__(
        self,
        *,
        service: str,
        broker: NatsBroker,
        settings: ServiceSettings,
        subscriptions: Sequence[Subscription],
        pool: Callable[[], asyncpg.Pool],
    ) -> None:
        self.service = service
        self.broker = broker
        self.settings = settings
        self.subscriptions = list(subscriptions)
        self._pool = pool
        self.specs = [ConsumerSpec(service, s.model.event_name()) for s in self.subscriptions]
        for spec, subscription in zip(self.specs, self.subscriptions, strict=True):
            self._register(spec, subscription)

    def _register(self, spec: ConsumerSpec, subscription: Subscription) -> None:
        async def on_message(message: NatsMessage) -> None:
            await self.process(spec, subscription, message)

        on_message.__name__ = spec.durable
        self.broker.subscriber(
            spec.filter_subject,
            stream=JStream(spec.stream, declare=False),
            durable=spec.durable,
            pull_sub=PullSub(batch_size=self.settings.consumer_batch_size, timeout=1.0),
            ack_policy=AckPolicy.MANUAL,
            title=spec.durable,
            description=f"{self.service} handles {spec.event_name}",
        )(on_message)

    async def declare(self, js: JetStreamContext) -> None:
        for spec in self.specs:
            await ensure_consumer(
                js,
                spec,
                ack_wait=self.settings.consumer_ack_wait,
                max_ack_pending=self.settings.consumer_max_ack_pending,
            )

    def _backoff(self, tries: int) -> float:
        base = self.settings.consumer_backoff_base * (2 ** max(tries - 1, 0))
        delay: float = min(base, self.settings.consumer_backoff_max) * random.uniform(0.8, 1.2)
        return delay

    async def process(self, spec: ConsumerSpec, subscription: Subscription, message: Any) -> None:
        raw = message.raw_message
        tries = int(raw.metadata.num_delivered or 1)
        started = time.perf_counter()
        try:
            event = CloudEvent[subscription.model].model_validate_json(raw.data)  # type: ignore[name-defined]
            if event.type != subscription.model.event_type():
                raise ValueError(f"{event.type} is not {subscription.model.event_type()}")
        except (ValidationError, ValueError) as exc:
            await self._poison(spec, message, tries, f"invalid event: {exc}")
            return
        traceparent = (raw.headers or {}).get("traceparent") or event.traceparent
        with tracer().start_as_current_span(
            f"consume {spec.event_name}", context=context_from(traceparent), kind=SpanKind.CONSUMER
        ) as span:
            span.set_attribute("messaging.consumer.group.name", spec.durable)
            span.set_attribute("cloudevents.event_id", str(event.id))
            try:
                async with self._pool().acquire() as conn, conn.transaction():
                    fresh = await conn.fetchval(_MARK_PROCESSED, spec.durable, event.id, event.type)
                    if fresh:
                        await subscription.handle(conn, event)
            except INFRASTRUCTURE_ERRORS as exc:
                log.warning("%s: database unavailable, retrying %s: %s", spec.durable, event.id, exc)
                EVENTS_CONSUMED.labels(self.service, spec.durable, "retry").inc()
                await message.nack(delay=self._backoff(tries))
                return
            except Exception as exc:
                span.record_exception(exc)
                await self._poison(spec, message, tries, f"{type(exc).__name__}: {exc}")
                return
        crash_point("consumer.after_commit")
        await message.ack()
        EVENTS_CONSUMED.labels(self.service, spec.durable, "applied" if fresh else "duplicate").inc()
        CONSUME_LATENCY.labels(self.service, spec.durable).observe(time.perf_counter() - started)

    async def _poison(self, spec: ConsumerSpec, message: Any, tries: int, reason: str) -> None:
        raw = message.raw_message
        if tries < self.settings.consumer_max_tries:
            log.warning("%s: try %d failed, will retry: %s", spec.durable, tries, reason)
            EVENTS_CONSUMED.labels(self.service, spec.durable, "retry").inc()
            await message.nack(delay=self._backoff(tries))
            return
        headers = {
            "Nats-Msg-Id": f"dlq:{spec.durable}:{raw.metadata.sequence.stream}",
            "Linli-Original-Subject": raw.subject,
            "Linli-Original-Stream": spec.stream,
            "Linli-Original-Sequence": str(raw.metadata.sequence.stream),
            "Linli-Consumer": spec.durable,
            "Linli-Tries": str(tries),
            "Linli-Error": reason[:1000],
        }
        for key in ("Nats-Msg-Id", "traceparent"):
            if raw.headers and key in raw.headers:
                headers[f"Linli-Original-{key}"] = raw.headers[key]
        js: JetStreamContext = self.broker.config.connection_state.stream
        await js.publish(dlq_subject(self.service, spec.durable), raw.data, headers=headers)
        await message.ack()
        DEAD_LETTERS.labels(self.service, spec.durable).inc()
        EVENTS_CONSUMED.labels(self.service, spec.durable, "dead_lettered").inc()
        log.error("%s: dead-lettered after %d tries: %s", spec.durable, tries, reason)
