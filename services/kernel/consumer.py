"""Idempotent durable consumers.

For each event type a service handles there is one durable JetStream consumer
(`<service>__<entity>_<verb>`, declared in topology.py). A message is handled like this:

1. Parse the CloudEvent. A malformed or schema-violating event is poison.
2. In one transaction: insert (consumer, event id) into processed_events; if the row was
   already there the event was handled before and nothing else happens; otherwise run
   the handler on the same connection. Commit.
3. Ack, only after the commit. A crash before the ack redelivers the message; step 2
   then finds the processed row and changes nothing.

A pulled batch goes through step 2 in one transaction. A service whose handler gains much
from seeing many events at once (set-based SQL instead of a few statements per event) may
also give `handle_batch`: it is then called once per pulled batch with the fresh events
(those not processed before, each once), in the same transaction as their processed_events
rows. Whenever a batch fails, its events are retried one by one through `handle`, so
`handle_batch` must have exactly the effect of calling `handle` on each event in order.

A poison message (bad payload or a handler error) is retried with exponential back-off
and, after `consumer_max_tries` deliveries, published to the dead-letter stream and
acked, so good traffic keeps flowing. A failure of the database or network is not the
message's fault: it is retried with back-off as long as it takes and never dead-lettered.
Acks are explicit and sent only after the commit (never FastStream's default
terminate-on-error, which would drop a message whose handler raised).

The pull loop is the kernel's own, on nats-py's pull subscription over the FastStream
broker's connection. FastStream's pull subscriber fetches with `batch=N, timeout=T`, and
nats-py then holds a lone message until N arrive or T expires (measured: ~700 ms for a
single event with N=32, T=1 s). Here a long poll waits for the first message and
returns the moment it arrives; whatever else is already waiting is drained without
waiting, so a trickle is handled in milliseconds and a backlog in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind
from pydantic import ValidationError

from contracts.envelope import CloudEvent, EventData, envelope_of
from services.kernel.db import INFRASTRUCTURE_ERRORS, Connection
from services.kernel.faults import crash_point
from services.kernel.metrics import CONSUME_LATENCY, DEAD_LETTERS, EVENTS_CONSUMED
from services.kernel.settings import ServiceSettings
from services.kernel.topology import ConsumerSpec, dlq_subject, ensure_consumer
from services.kernel.tracing import context_from, recording, span
from services.kernel.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("linli.consumer")

# The first argument is the service's own UnitOfWork subclass (the kind its definition names),
# joined to the transaction that records the event as processed; typed Any because a handler
# asks for the subclass, which a Callable over the base class would refuse.
Handler = Callable[[Any, CloudEvent[Any]], Awaitable[None]]
BatchHandler = Callable[[Any, Sequence[CloudEvent[Any]]], Awaitable[None]]

_MARK_MANY = """
INSERT INTO processed_events (consumer, event_id, event_type)
SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS batch(id, type)
ON CONFLICT DO NOTHING RETURNING event_id
"""
_MARK_PROCESSED = """
INSERT INTO processed_events (consumer, event_id, event_type) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING true
"""


def _event_id(data: bytes) -> str | None:
    """The CloudEvent id of a message, if it is JSON with a string id (poison may not be)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    value = document.get("id") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


class PullLoop:
    """Fetch from one durable consumer and hand each batch to `handle`, up to `concurrency` batches at a time.

    With concurrency 1 a batch is fetched only when the previous one is done; with more, the
    next batch is fetched and handled while earlier ones are still in their transactions (never
    more than `concurrency` batches fetched and not finished).

    Stopping never strands a message: the loop finishes the batch in hand (up to the graceful
    timeout), and whatever a fetch returns after the stop began is nak'd at once, so another
    instance gets it now rather than after ack_wait (a rolling restart would otherwise hold
    every in-flight message for ack_wait)."""

    def __init__(
        self,
        js: JetStreamContext,
        spec: ConsumerSpec,
        handle: Callable[[list[Msg]], Awaitable[None]],
        *,
        batch_size: int,
        long_poll: float = 1.0,
        concurrency: int = 1,
    ) -> None:
        self.js = js
        self.spec = spec
        self.handle = handle
        self.batch_size = batch_size
        self.long_poll = long_poll
        self.concurrency = concurrency
        self._running = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._subscription = await self.js.pull_subscribe_bind(consumer=self.spec.durable, stream=self.spec.stream)
        self._running = True
        self._task = asyncio.create_task(self._run(), name=f"pull-{self.spec.durable}")

    async def _fetch(self) -> list[Msg]:
        try:
            first = await self._subscription.fetch(1, timeout=self.long_poll)
        except TimeoutError:
            return []
        if self.batch_size == 1 or not _more_waiting(first):
            return list(first)
        try:  # drain what is already waiting, without waiting for more
            more = await self._subscription.fetch(self.batch_size - 1, timeout=0.002)
        except TimeoutError:
            more = []
        return [*first, *more]

    async def _run(self) -> None:
        failures = 0
        in_flight: set[asyncio.Task[None]] = set()
        try:
            while self._running:
                while len(in_flight) >= self.concurrency:
                    _, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                try:
                    batch = await self._fetch()
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # NATS away or reconnecting: pause and poll again
                    failures += 1
                    log.debug("%s: fetch failed (%s); retrying", self.spec.durable, exc)
                    await asyncio.sleep(min(0.1 * 2**failures, 2.0))
                    continue
                if not batch:
                    continue
                if not self._running:
                    await _nak_all(batch)
                    break
                if self.concurrency == 1:
                    await self._handle(batch)
                else:
                    in_flight.add(asyncio.create_task(self._handle(batch)))
            if in_flight:  # stopping: finish the batches in hand
                await asyncio.wait(in_flight)
        except asyncio.CancelledError:
            for task in in_flight:
                task.cancel()
            raise

    async def _handle(self, batch: list[Msg]) -> None:
        try:
            await self.handle(batch)
        except Exception:
            # Unacked messages come back after ack_wait; never let one batch stop the loop.
            log.exception("%s: batch handling failed", self.spec.durable)

    async def stop(self, graceful_timeout: float) -> None:
        self._running = False
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), graceful_timeout + self.long_poll)
        except TimeoutError:
            log.warning("%s: in-flight batch did not finish within %.0fs", self.spec.durable, graceful_timeout)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        except Exception:
            log.exception("%s: pull loop ended with an error", self.spec.durable)
        await _nak_all(_undelivered(self._subscription))
        with contextlib.suppress(Exception):
            await self._subscription.unsubscribe()


def _more_waiting(messages: list[Msg]) -> bool:
    """Whether the stream held more for this consumer when `messages` were delivered.

    The drain fetch costs a round trip and, when nothing is waiting, its whole timeout: on a
    trickle (one event at a time, the common case) that is pure latency on every hop."""
    try:
        return any(m.metadata.num_pending for m in messages)
    except Exception:  # not a JetStream message (no metadata): ask the server, as before
        return True


def _undelivered(subscription: Any) -> list[Msg]:
    """Messages the server already pushed into the subscription's inbox but no fetch returned.

    nats-py keeps them in the subscription's pending queue (a private attribute); without a nak
    they would wait out ack_wait."""
    queue = getattr(getattr(subscription, "_sub", None), "_pending_queue", None)
    found: list[Msg] = []
    while queue is not None and not queue.empty():
        msg = queue.get_nowait()
        if isinstance(msg, Msg) and msg.reply:  # status messages have no reply subject
            found.append(msg)
    return found


@contextlib.asynccontextmanager
async def _no_publish() -> AsyncIterator[Callable[[], None]]:
    yield lambda: None


async def _nak_all(messages: list[Msg]) -> None:
    for msg in messages:
        with contextlib.suppress(Exception):
            await msg.nak()


@dataclass(frozen=True)
class Subscription:
    """A service handles events of `model` with `handle(uow, event)` inside the idempotency transaction.

    The unit of work is joined to that transaction: the handler's changes, the events its
    aggregates recorded and the processed_events row commit together; the handler never commits.

    `handle_batch(uow, events)`, if given, applies the fresh events of a pulled batch at once
    (in delivery order, none twice, none processed before); it must have the same effect as
    `handle` on each of them in turn, because a failed batch is retried one event at a time
    through `handle` (which also decides what is poison).

    `concurrency` > 1 lets that many pulled batches be handled at once, each in its own
    transaction on its own connection, so one batch's database round trips overlap another's
    work. Only for handlers whose effect does not depend on the order of events across batches
    beyond what their own row locks serialise; an event redelivered while its first delivery is
    in flight waits on the first's processed_events row and is then skipped as a duplicate."""

    model: type[EventData]
    handle: Handler
    handle_batch: BatchHandler | None = None
    concurrency: int = 1

    @property
    def envelope(self) -> type[CloudEvent[Any]]:
        """CloudEvent[model], made once per process (looking it up costs more than validating)."""
        return envelope_of(self.model)


class EventConsumers:
    """Runs a service's subscriptions, one pull loop per durable consumer."""

    def __init__(
        self,
        *,
        service: str,
        broker: NatsBroker,
        settings: ServiceSettings,
        subscriptions: Sequence[Subscription],
        pool: Callable[[], asyncpg.Pool],
        units: UnitOfWorkFactory[Any],
    ) -> None:
        self.service = service
        self.broker = broker
        self.settings = settings
        self.subscriptions = list(subscriptions)
        self._pool = pool
        self._units = units
        self.specs = [ConsumerSpec(service, s.model.event_name()) for s in self.subscriptions]
        self._loops: list[PullLoop] = []

    async def start(self, js: JetStreamContext) -> None:
        for spec, subscription in zip(self.specs, self.subscriptions, strict=True):

            async def handle(batch: list[Msg], spec: ConsumerSpec = spec, sub: Subscription = subscription) -> None:
                await self.process_batch(spec, sub, batch)

            loop = PullLoop(
                js, spec, handle, batch_size=self.settings.consumer_batch_size, concurrency=subscription.concurrency
            )
            await loop.start()
            self._loops.append(loop)

    async def stop(self) -> None:
        """Stop fetching; let batches in flight finish (up to the graceful timeout) so nothing is redelivered."""
        await asyncio.gather(*(loop.stop(self.settings.graceful_timeout) for loop in self._loops))
        self._loops.clear()

    async def declare(self, js: JetStreamContext) -> None:
        for spec in self.specs:
            await ensure_consumer(
                js,
                spec,
                ack_wait=self.settings.consumer_ack_wait,
                max_ack_pending=self.settings.consumer_max_ack_pending,
            )

    def _publish(self) -> contextlib.AbstractAsyncContextManager[Callable[[], None]]:
        """Around a consumer transaction: its outbox rows are published right after it commits."""
        publisher = self._units.publisher
        if publisher is None:
            return _no_publish()
        return publisher.transaction()

    def _backoff(self, tries: int) -> float:
        base = self.settings.consumer_backoff_base * (2 ** max(tries - 1, 0))
        delay: float = min(base, self.settings.consumer_backoff_max) * random.uniform(0.8, 1.2)
        return delay

    def _parse(self, subscription: Subscription, raw: Msg) -> CloudEvent[Any]:
        event: CloudEvent[Any] = subscription.envelope.model_validate_json(raw.data)
        if event.type != subscription.model.event_type():
            raise ValueError(f"{event.type} is not {subscription.model.event_type()}")
        return event

    async def process_batch(self, spec: ConsumerSpec, subscription: Subscription, raws: list[Msg]) -> None:
        """Apply a pulled batch in one transaction; if anything in it fails, sort it out one by one.

        One transaction per batch saves a BEGIN/COMMIT round trip and a WAL flush per event,
        which is most of the cost of a small handler; correctness is the same because each
        event's effect still commits together with its processed_events row."""
        parsed: list[tuple[Msg, CloudEvent[Any]]] = []
        for raw in raws:
            try:
                parsed.append((raw, self._parse(subscription, raw)))
            except (ValidationError, ValueError) as exc:
                await self._poison(spec, raw, f"invalid event: {_without_values(exc)}")
        if len(parsed) > 1:
            started = time.perf_counter()
            try:
                async with self._publish() as seal, self._pool().acquire() as conn, conn.transaction():
                    # One INSERT records the whole batch as processed; only the new events are applied.
                    fresh_ids = {
                        row["event_id"]
                        for row in await conn.fetch(
                            _MARK_MANY, spec.durable, [e.id for _, e in parsed], [e.type for _, e in parsed]
                        )
                    }
                    outcomes = []
                    fresh_events: list[tuple[Msg, CloudEvent[Any]]] = []
                    for raw, event in parsed:
                        fresh = event.id in fresh_ids
                        fresh_ids.discard(event.id)  # the same event twice in one batch applies once
                        outcomes.append(fresh)
                        if fresh:
                            fresh_events.append((raw, event))
                    if subscription.handle_batch is None:
                        for (raw, event), fresh in zip(parsed, outcomes, strict=True):
                            await self._apply(conn, spec, subscription, raw, event, fresh=fresh)
                    elif fresh_events:
                        await self._apply_batch(conn, spec, subscription.handle_batch, fresh_events)
                    seal()  # its events are published right after this commit
            except Exception as exc:  # one bad event or an outage: retry them one at a time
                log.debug("%s: batch of %d falls back to one at a time: %s", spec.durable, len(parsed), exc)
            else:
                crash_point("consumer.after_commit")
                # One after another: an ack only appends to the client's write buffer, and a task
                # per ack (gather) cost more than the acks themselves for a batch of hundreds.
                for raw, _ in parsed:
                    await raw.ack()
                elapsed = (time.perf_counter() - started) / len(parsed)
                applied = sum(outcomes)
                EVENTS_CONSUMED.labels(self.service, spec.durable, "applied").inc(applied)
                EVENTS_CONSUMED.labels(self.service, spec.durable, "duplicate").inc(len(outcomes) - applied)
                latency = CONSUME_LATENCY.labels(self.service, spec.durable)
                for _ in outcomes:
                    latency.observe(elapsed)
                return
        for raw, event in parsed:
            await self._process_one(spec, subscription, raw, event)

    async def _apply(
        self,
        conn: Connection,
        spec: ConsumerSpec,
        subscription: Subscription,
        raw: Msg,
        event: CloudEvent[Any],
        *,
        fresh: bool | None = None,
    ) -> bool:
        """Record the event as processed (unless the caller did) and run the handler if it is new,
        in the caller's transaction."""
        traceparent = (raw.headers or {}).get("traceparent") or event.traceparent
        with span(f"consume {spec.event_name}", context=context_from(traceparent), kind=SpanKind.CONSUMER) as current:
            current.set_attribute("messaging.consumer.group.name", spec.durable)
            current.set_attribute("cloudevents.event_id", str(event.id))
            if fresh is None:
                fresh = bool(await conn.fetchval(_MARK_PROCESSED, spec.durable, event.id, event.type))
            if fresh:
                async with self._units.joined(conn) as uow:
                    await subscription.handle(uow, event)
            return fresh

    async def _apply_batch(
        self,
        conn: Connection,
        spec: ConsumerSpec,
        handle_batch: BatchHandler,
        batch: list[tuple[Msg, CloudEvent[Any]]],
    ) -> None:
        """Run a batch handler on fresh events, in the caller's transaction, under one consumer span.

        The span cannot have every event's producer as its parent: when spans are recorded it
        links to each of them; the ids of the events are an attribute either way."""
        links: list[Link] = []
        if recording():
            for raw, event in batch:
                context = context_from((raw.headers or {}).get("traceparent") or event.traceparent)
                if context is not None:
                    links.append(Link(trace.get_current_span(context).get_span_context()))
        with span(f"consume {spec.event_name}", kind=SpanKind.CONSUMER, links=links) as current:
            current.set_attribute("messaging.consumer.group.name", spec.durable)
            current.set_attribute("messaging.batch.message_count", len(batch))
            current.set_attribute("cloudevents.event_ids", [str(event.id) for _, event in batch])
            async with self._units.joined(conn) as uow:
                await handle_batch(uow, [event for _, event in batch])

    async def _process_one(
        self, spec: ConsumerSpec, subscription: Subscription, raw: Msg, event: CloudEvent[Any]
    ) -> None:
        tries = int(raw.metadata.num_delivered or 1)
        started = time.perf_counter()
        try:
            async with self._publish() as seal, self._pool().acquire() as conn, conn.transaction():
                fresh = await self._apply(conn, spec, subscription, raw, event)
                seal()
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("%s: database unavailable, retrying %s: %s", spec.durable, event.id, exc)
            EVENTS_CONSUMED.labels(self.service, spec.durable, "retry").inc()
            await raw.nak(delay=self._backoff(tries))
            return
        except Exception as exc:
            await self._poison(spec, raw, f"{type(exc).__name__}: {exc}")
            return
        crash_point("consumer.after_commit")
        await raw.ack()
        EVENTS_CONSUMED.labels(self.service, spec.durable, "applied" if fresh else "duplicate").inc()
        CONSUME_LATENCY.labels(self.service, spec.durable).observe(time.perf_counter() - started)

    async def _poison(self, spec: ConsumerSpec, raw: Msg, reason: str) -> None:
        tries = int(raw.metadata.num_delivered or 1)
        if tries < self.settings.consumer_max_tries:
            log.warning("%s: try %d failed, will retry: %s", spec.durable, tries, reason)
            EVENTS_CONSUMED.labels(self.service, spec.durable, "retry").inc()
            await raw.nak(delay=self._backoff(tries))
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
        event_id = _event_id(raw.data)
        if event_id:
            headers["Linli-Event-Id"] = event_id
        js: JetStreamContext = self.broker.config.connection_state.stream
        await js.publish(dlq_subject(self.service, spec.durable), raw.data, headers=headers)
        await raw.ack()
        DEAD_LETTERS.labels(self.service, spec.durable).inc()
        EVENTS_CONSUMED.labels(self.service, spec.durable, "dead_lettered").inc()
        log.error("%s: dead-lettered after %d tries: %s", spec.durable, tries, reason)


def _without_values(exc: Exception) -> str:
    """Why an event was refused, without the values it carried (a pickup code, a name): the reason is
    logged and rides in the dead letter's headers, so it names the fields and what is wrong with them."""
    if isinstance(exc, ValidationError):
        return f"{exc.error_count()} error(s): " + "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'event'}: {error['msg']}" for error in exc.errors()
        )
    return str(exc)
