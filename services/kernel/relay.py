"""The outbox relay: publishes committed outbox rows to JetStream.

Several relays may run at once (in one process or many): each claims a batch with
`FOR UPDATE SKIP LOCKED` and marks it published in the same statement, publishes it with
`Nats-Msg-Id` = event id, and commits once JetStream has acknowledged it (what was not
acknowledged is unmarked first). If it dies after publishing and before the commit, the
rows are published again; JetStream's duplicate window drops the copy, and consumers are
idempotent beyond that window. A LISTEN on `outbox_<schema>` (on the process's one LISTEN
connection, listener.py) wakes the relay the moment a transaction commits, so latency is
milliseconds, not a polling interval.

One relay runs `workers` claim loops behind that one LISTEN. A commit wakes one idle
worker, not all of them: every other woken worker would only find the rows locked and spend
a transaction on nothing. A worker that finds a full batch wakes a partner, so a backlog is
drained by all of them.

With publishing after commit on (publisher.py), the process that commits publishes its rows
itself and the relay is the safety net: it claims only rows older than `grace` seconds (a publish
that never happened: a crash, NATS away) on its poll interval, and ignores the commits' wake-ups.
The process's own commits send none (its pool sets `linli.outbox_notify = off`, read by the
outbox trigger): a NOTIFY cost PostgreSQL and every listening process more than the rest of a
trickled event's commit. While the publisher defers to it (at start, after a failed publish), it
works as described above, claiming everything at once, until a claim finds nothing left
(`OutboxPublisher.relay_caught_up`); the rows the publisher leaves to it then wake it in-process
(`OutboxPublisher.on_fallback`), and another writer's NOTIFY still does.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from typing import Any

import asyncpg
from nats.js import JetStreamContext

from services.kernel.faults import crash_point
from services.kernel.listener import DatabaseListener
from services.kernel.metrics import EVENTS_PUBLISHED
from services.kernel.publisher import OutboxPublisher, send_event

log = logging.getLogger("linli.relay")

# Claimed and marked in one statement; the mark stands only if the transaction commits.
_CLAIM = """
UPDATE outbox SET published_at = now(), attempts = attempts + 1
WHERE seq IN (SELECT seq FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING seq, id, subject, event_type, payload, traceparent
"""
# The safety net's claim: what publishing after commit has left for `grace` seconds.
_CLAIM_SETTLED = """
UPDATE outbox SET published_at = now(), attempts = attempts + 1
WHERE seq IN (
    SELECT seq FROM outbox WHERE published_at IS NULL AND created_at < now() - make_interval(secs => $2)
    ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
)
RETURNING seq, id, subject, event_type, payload, traceparent
"""
_UNMARK_FAILED = "UPDATE outbox SET published_at = NULL WHERE id = ANY($1::uuid[])"
# Published rows are kept a while for audit and replay by hand, then pruned in small bites.
_PRUNE = """
DELETE FROM outbox WHERE seq IN (
    SELECT seq FROM outbox WHERE published_at < now() - make_interval(secs => $1) LIMIT 5000
)
"""
PRUNE_EVERY = 600.0


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        pool: asyncpg.Pool,
        js: JetStreamContext,
        listener: DatabaseListener | None = None,
        batch_size: int = 256,
        workers: int = 1,
        poll_interval: float = 1.0,
        publish_timeout: float = 5.0,
        retention_seconds: float = 7 * 24 * 3600,
        publisher: OutboxPublisher | None = None,
        grace: float = 5.0,
    ) -> None:
        self.service = service
        self.pool = pool
        self.js = js
        self.listener = listener
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.publish_timeout = publish_timeout
        self.retention_seconds = retention_seconds
        self.workers = workers
        self._last_prune = 0.0
        self._idle: list[asyncio.Event] = []  # one per worker waiting for work, longest waiting first
        self._missed = False  # a wake-up came while every worker was busy
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self.publisher = publisher
        self.grace = grace
        self._in_flight = 0  # workers holding a claimed batch
        if publisher is not None:
            publisher.on_fallback = self.wake

    @property
    def safety_net(self) -> bool:
        """True while the process publishes after commit itself and this relay only picks up what it missed."""
        return self.publisher is not None and self.publisher.direct

    def _notified(self) -> None:
        if not self.safety_net:  # a commit that the publisher sends itself needs no claim
            self.wake()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name=f"relay-{self.service}-{n}") for n in range(self.workers)]
        if self.listener is not None:
            # Woken on every (re)connection too: to catch up on what committed while nobody listened.
            await self.listener.listen(f"outbox_{self.service}", lambda _payload: self._notified(), connected=self.wake)

    def wake(self) -> None:
        """Wake one idle worker; if all are busy, the next to finish runs again instead of sleeping."""
        for event in self._idle:
            if not event.is_set():
                event.set()
                return
        self._missed = True

    async def stop(self) -> None:
        self._stopping = True
        for event in self._idle:
            event.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        delay = 0.0
        while not self._stopping:
            try:
                published = await self.publish_batch()
                delay = 0.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = min(max(delay * 2, 0.2), 5.0)
                log.warning("outbox relay could not publish, retrying in %.1fs: %s", delay, exc)
                await asyncio.sleep(delay)
                continue
            if published >= self.batch_size:
                self.wake()  # more is waiting: bring a partner in
                continue
            if published and self.publisher is not None and not self.safety_net:
                continue  # catching up for the publisher: claim again until a claim finds nothing
            if self._missed:
                self._missed = False
                continue
            await self._prune_now_and_then()
            woken = asyncio.Event()
            self._idle.append(woken)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), self.poll_interval)
            finally:
                self._idle.remove(woken)

    async def _prune_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            await self.pool.execute(_PRUNE, self.retention_seconds)
        except Exception as exc:
            log.warning("outbox prune failed: %s", exc)

    async def publish_batch(self) -> int:
        """Claim, publish and mark one batch; returns how many rows were published."""
        publisher, safety_net = self.publisher, self.safety_net
        left_before = publisher.left if publisher is not None else 0
        self._in_flight += 1
        try:
            claimed, published = await self._publish_batch(safety_net)
        finally:
            self._in_flight -= 1
        if publisher is not None and not safety_net and claimed == 0 and self._in_flight == 0:
            publisher.relay_caught_up(left_before)
        return published

    async def _publish_batch(self, safety_net: bool) -> tuple[int, int]:
        """Claimed rows and how many of them were acknowledged."""
        async with self.pool.acquire() as conn, conn.transaction():
            if safety_net:
                claimed = await conn.fetch(_CLAIM_SETTLED, self.batch_size, self.grace)
            else:
                claimed = await conn.fetch(_CLAIM, self.batch_size)
            rows = sorted(claimed, key=lambda row: row["seq"])
            if not rows:
                return 0, 0
            # Pipelined: every event of the batch is sent before any PubAck is awaited.
            acks: list[asyncio.Future[Any]] = []
            try:
                for row in rows:
                    acks.append(await self._publish(row))
                results = await asyncio.wait_for(asyncio.gather(*acks, return_exceptions=True), self.publish_timeout)
            except BaseException:
                for ack in acks:  # release nats-py's in-flight slots; the rows stay unpublished
                    ack.cancel()
                raise
            crash_point("relay.after_publish")
            failed = [row["id"] for row, result in zip(rows, results, strict=True) if isinstance(result, BaseException)]
            if failed:  # their attempt is counted; they are published again by a later batch
                await conn.execute(_UNMARK_FAILED, failed)
                first = next(r for r in results if isinstance(r, BaseException))
                log.warning("outbox relay: %d of %d events not acknowledged: %r", len(failed), len(rows), first)
        unacknowledged = set(failed)
        by_type = collections.Counter(row["event_type"] for row in rows if row["id"] not in unacknowledged)
        for event_type, count in by_type.items():  # one counter update per type, not per event
            EVENTS_PUBLISHED.labels(self.service, event_type).inc(count)
        return len(rows), by_type.total()

    async def _publish(self, row: Any) -> asyncio.Future[Any]:
        """Send one event; returns the future of its PubAck (duplicate=True counts as success)."""
        return await send_event(
            self.js, row["id"], row["subject"], row["event_type"], row["payload"], row["traceparent"]
        )
