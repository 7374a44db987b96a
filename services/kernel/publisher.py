"""Publish after commit: the process that commits outbox rows publishes them at once; the relay is the safety net.

The relay (relay.py) alone costs every committed event a wake-up (NOTIFY), a claim transaction
(BEGIN, UPDATE ... RETURNING, COMMIT) and its round trips, in each service an event passes
through. Here the unit of work and the consumer hand the rows they wrote to this publisher right
after their transaction commits; one task per process sends them to JetStream with
`Nats-Msg-Id` = event id (pipelined, many commits per round trip under load) and marks what was
acknowledged in one autocommit UPDATE; its commits send no NOTIFY (db.create_pool's
`notify_outbox`). The pattern is eShop's integration-event log: publish from the process that
saved the change, keep a relay for whatever that publish misses.

Marks wait up to `mark_delay` seconds (50 ms) to be written together: events that come one at a
time (a trickle of confirmations through shifts, rewards and notifications) would otherwise cost
every service on the chain an UPDATE of its own per event. The delay is far below the relay's
grace, so the relay never takes a row whose mark is only waiting.

Exactly once: a row is marked only after JetStream acknowledged it. A crash between commit and
publish, or between publish and mark, leaves the row unmarked; the relay publishes it after
`outbox_relay_grace` seconds (or at once when it starts), and JetStream's duplicate window drops a
second copy of a message id it already stored. Consumers are idempotent beyond that window.

Order. The architecture's messaging rules promise no order across a service's events (its
consumers nak with back-off, so a retried event is delivered after later ones anyway), but the
relay publishes in commit order (`seq`) and this publisher keeps that where it can:

- a transaction takes its place in the queue just before it commits (`reserve`), after it took
  its row locks, so two transactions on one aggregate are queued in the order they commit; the
  task publishes strictly from the head of the queue and waits for a place whose commit is still
  under way, and one NATS connection keeps the order of what it sends;
- while the relay has not yet caught up on what this process did not publish itself (at start:
  rows left by a process that died; later: a publish that failed or timed out), nothing is
  published directly: every commit is left to the relay, which then claims without the grace
  delay and in `seq` order. Direct publishing resumes only when the relay has published every
  row left to it and found nothing more (`relay_caught_up`).

What it cannot order: with several replicas of one service, an event committed by a replica that
dies before publishing reaches the stream up to the grace delay after a later event of the same
aggregate committed by another replica. The relay had the same exposure with several workers
claiming with SKIP LOCKED; consumers must already cope (see above).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
from nats.js import JetStreamContext
from opentelemetry.trace import SpanKind

from services.kernel.faults import crash_point
from services.kernel.metrics import EVENTS_PUBLISHED
from services.kernel.tracing import context_from, current_traceparent, recording, tracer

log = logging.getLogger("linli.publisher")

# uuid, subject, event type, community, payload, traceparent: outbox.OutboxRow
Row = tuple[uuid.UUID, str, str, str, bytes, str | None]

_CAPTURE: contextvars.ContextVar[list[Row] | None] = contextvars.ContextVar("linli_outbox_capture", default=None)

_MARK = "UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[]) AND published_at IS NULL"


def captured(row: Row) -> None:
    """Note a row written to the outbox by the transaction being captured (outbox.py calls it for every row)."""
    rows = _CAPTURE.get()
    if rows is not None:
        rows.append(row)


@contextlib.contextmanager
def capturing() -> Iterator[list[Row]]:
    """Collect the outbox rows written in this block (in this task), for `reserve` before the commit."""
    rows: list[Row] = []
    token = _CAPTURE.set(rows)
    try:
        yield rows
    finally:
        _CAPTURE.reset(token)


def start_capture() -> tuple[list[Row], contextvars.Token[list[Row] | None]]:
    """`capturing` for a unit of work, whose enter and exit are two calls; end it with `end_capture`."""
    rows: list[Row] = []
    return rows, _CAPTURE.set(rows)


def end_capture(token: contextvars.Token[list[Row] | None]) -> None:
    with contextlib.suppress(ValueError):  # reset from another context: nothing of ours to restore
        _CAPTURE.reset(token)


class Place:
    """A transaction's place in the publish queue, taken just before it commits."""

    __slots__ = ("rows", "state")

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.state: bool | None = None  # None: commit under way; True: committed; False: rolled back


class OutboxPublisher:
    """One per process: publishes committed outbox rows in commit order, marks them, defers to the relay when it must."""

    def __init__(
        self,
        service: str,
        *,
        enabled: bool = True,
        timeout: float = 5.0,
        max_batch: int = 1000,
        mark_delay: float = 0.05,
    ) -> None:
        self.service = service
        self.enabled = enabled
        self.timeout = timeout
        self.max_batch = max_batch
        self.mark_delay = mark_delay
        self.direct = False
        """True while rows are published here; False until the relay has caught up (at start, after a failure)."""
        self.left = 0
        """How many times rows were left to the relay (the relay compares it before and after a claim)."""
        self.on_fallback: Callable[[], None] = lambda: None
        """Called when rows are left to the relay (it wakes the relay and makes it claim without delay)."""
        self._queue: collections.deque[Place] = collections.deque()
        self._changed = asyncio.Event()
        self._stopping = False
        self._resumed = asyncio.Event()  # set whenever direct publishing (re)starts
        self._pool: asyncpg.Pool | None = None
        self._js: JetStreamContext | None = None
        self._task: asyncio.Task[None] | None = None
        self._marks: list[uuid.UUID] = []  # acknowledged, not yet marked
        self._marking: asyncio.Task[None] | None = None

    # -- the transaction side --------------------------------------------------------------

    def reserve(self, rows: list[Row]) -> Place | None:
        """A place in the queue for `rows`, taken before the commit; settle it with `settle`."""
        if not rows or not self.enabled or self._task is None:
            return None
        place = Place(list(rows))
        self._queue.append(place)
        return place

    def settle(self, place: Place | None, committed: bool) -> None:
        if place is None:
            return
        place.state = committed
        self._changed.set()

    def committed(self, rows: list[Row]) -> None:
        """Rows committed by a statement that was its own transaction (no place taken before)."""
        self.settle(self.reserve(rows), True)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Callable[[], None]]:
        """Around a transaction the caller commits (the consumer's): captures its rows; call the
        yielded `seal()` as the last thing inside the transaction block, just before it commits."""
        place: Place | None = None
        with capturing() as rows:

            def seal() -> None:
                nonlocal place
                place = self.reserve(rows)

            try:
                yield seal
            except BaseException:
                self.settle(place, False)
                raise
            self.settle(place, True)

    # -- the publishing side ---------------------------------------------------------------

    async def start(self, pool: asyncpg.Pool, js: JetStreamContext, *, relay: bool) -> None:
        """Start publishing; without a relay there is nothing to catch up on, so rows go out directly at once."""
        if not self.enabled:
            return
        self._pool, self._js = pool, js
        self._stopping = False
        self.direct = not relay
        if self.direct:
            self._resumed.set()
        self._task = asyncio.create_task(self._run(), name=f"publisher-{self.service}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        # Publish what committed already, briefly; what is left stays for the relay of the next start.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                while self._queue and self.direct:
                    self._changed.set()
                    await asyncio.sleep(0.01)
        # Python 3.11's wait_for can swallow a cancellation that lands as its inner await completes (the
        # PubAcks' gather), and the loop would then wait for a change forever: stop says so too, and cancels
        # again until the task has ended.
        self._stopping = True
        self._changed.set()
        task.cancel()
        while not task.done():
            await asyncio.wait({task}, timeout=1)
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        marking, self._marking = self._marking, None
        if marking is not None:
            marking.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await marking
        await self._write_marks()  # what is not marked now, the relay of the next start publishes again

    async def wait_direct(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) for the relay's first catch-up, so a ready service publishes after commit."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                if self.enabled and not self.direct:
                    await self._resumed.wait()
        return self.direct

    def relay_caught_up(self, left_before: int) -> None:
        """The relay's claim found nothing unpublished, none of its workers holding a batch, and no row
        was left to it since that claim began (`left_before` = `left` then): publish directly again.

        Every row left to the relay before the claim began had committed before it (a place is
        handled only once settled), so the claim would have seen it: it is in the stream."""
        if self.enabled and not self.direct and self.left == left_before:
            self.direct = True
            self._resumed.set()
            log.info("%s: publishing after commit", self.service)

    def _fall_back(self) -> None:
        self.left += 1
        if self.direct:
            log.warning("%s: the relay publishes until it has caught up", self.service)
        self.direct = False
        self._resumed.clear()
        self.on_fallback()

    async def _run(self) -> None:
        while not self._stopping:
            while not (self._queue and self._queue[0].state is not None):
                if self._stopping:
                    return
                self._changed.clear()
                await self._changed.wait()
            rows: list[Row] = []
            while self._queue and self._queue[0].state is not None and len(rows) < self.max_batch:
                place = self._queue.popleft()
                if place.state:
                    rows.extend(place.rows)
            if not rows:
                continue
            if not self.direct:
                self._fall_back()
                continue
            try:
                await self._publish(rows)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s: publish after commit failed, the relay takes over: %r", self.service, exc)
                self._fall_back()

    async def _publish(self, rows: list[Row]) -> None:
        assert self._js is not None
        assert self._pool is not None
        crash_point("publisher.before_publish")
        acks: list[asyncio.Future[Any]] = []
        try:
            for event_id, subject, event_type, _, payload, traceparent in rows:
                acks.append(await send_event(self._js, event_id, subject, event_type, payload, traceparent))
            results = await asyncio.wait_for(asyncio.gather(*acks, return_exceptions=True), self.timeout)
        except BaseException:
            for ack in acks:
                ack.cancel()
            raise
        crash_point("publisher.after_publish")
        acknowledged = [row for row, result in zip(rows, results, strict=True) if not isinstance(result, BaseException)]
        if len(acknowledged) < len(rows):
            self._fall_back()
        if acknowledged:
            self._marks.extend(row[0] for row in acknowledged)
            if self.mark_delay <= 0 or len(self._marks) >= self.max_batch:
                await self._write_marks()
            elif self._marking is None or self._marking.done():
                self._marking = asyncio.create_task(self._mark_later(), name=f"publisher-marks-{self.service}")
            by_type = collections.Counter(row[2] for row in acknowledged)
            for event_type, count in by_type.items():
                EVENTS_PUBLISHED.labels(self.service, event_type).inc(count)

    async def _mark_later(self) -> None:
        await asyncio.sleep(self.mark_delay)
        await self._write_marks()

    async def _write_marks(self) -> None:
        ids, self._marks = self._marks, []
        if not ids or self._pool is None:
            return
        try:
            await self._pool.execute(_MARK, ids)
        except Exception as exc:  # published but not marked: the relay publishes again, JetStream drops it
            log.warning("%s: could not mark %d published rows: %r", self.service, len(ids), exc)


async def send_event(
    js: JetStreamContext, event_id: Any, subject: str, event_type: str, payload: bytes, traceparent: str | None
) -> asyncio.Future[Any]:
    """Send one outbox row (the publisher's and the relay's one way); the future of its PubAck. Nats-Msg-Id is the
    event id, so JetStream stores an event sent by both once. The PRODUCER span continues the trace of the request
    that saved the row (its stored traceparent), so a consumer's span has it as parent."""
    headers = {"Nats-Msg-Id": str(event_id), "Linli-Event-Type": event_type}
    if not recording():
        # No span would be exported: pass the stored trace context on as it is (same trace id).
        if traceparent:
            headers["traceparent"] = traceparent
        return await js.publish_async(subject, bytes(payload), headers=headers)
    with tracer().start_as_current_span(
        f"publish {subject}", context=context_from(traceparent), kind=SpanKind.PRODUCER
    ):
        current = current_traceparent()
        if current:
            headers["traceparent"] = current
        return await js.publish_async(subject, bytes(payload), headers=headers)
