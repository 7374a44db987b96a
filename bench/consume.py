"""Consume path: a service's kernel consumer draining a backlog vs a raw loop built from the
same parts: nats-py pull-fetch of the same batch size, asyncpg `INSERT ... ON CONFLICT DO
NOTHING` on a pool of the same size, ack; the messages of a batch handled concurrently, as
FastStream handles a pulled batch in the kernel.

Both are timed the same way: a poller reads the durable consumer's info every 50 ms; the
rate is what was acknowledged between the first poll that saw progress and the poll that
saw the backlog gone (process start-up is not counted, for either).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from bench.stats import figure, latency_summary
from services.kernel.settings import ServiceSettings

# The raw loop pulls batches of the size the kernel's consumers pull by default.
KERNEL_BATCH = ServiceSettings.model_fields["consumer_batch_size"].default

RAW_TABLE = """
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.processed (
    consumer   text NOT NULL,
    event_id   uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
"""
RAW_INSERT = "INSERT INTO bench.processed (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"


async def drained(
    js: Any, stream: str, durable: str, total: int, timeout: float, poll: float = 0.05, window: float | None = None
) -> dict[str, Any]:
    """Poll a durable consumer until `total` messages are acknowledged, or for `window` seconds
    after the first progress (a slow drain is sampled, not waited out); the steady rate in between."""
    first: tuple[float, int] | None = None
    deadline = time.perf_counter() + timeout
    while True:
        now = time.perf_counter()
        try:
            info = await js.consumer_info(stream, durable)
            done = total - int(info.num_pending or 0) - int(info.num_ack_pending or 0)
        except Exception:
            done = 0
        if first is None and done > 0:
            first = (now, done)
        if first is not None and (done >= total or (window is not None and now - first[0] >= window)):
            seconds = now - first[0]
            counted = min(done, total) - first[1]
            return {
                "seconds": round(seconds, 2),
                "events": counted,
                "drained": done >= total,
                "rate": counted / seconds if seconds > 0 else float("nan"),
            }
        if now > deadline:
            raise TimeoutError(f"{durable}: {done} of {total} acknowledged after {timeout}s")
        await asyncio.sleep(poll)


async def raw_loop(
    nats_url: str,
    database_url: str,
    *,
    stream: str,
    filter_subject: str,
    durable: str,
    batch: int,
    pool_size: int,
    max_ack_pending: int,
    stop: asyncio.Event,
    on_commit: Callable[[bytes], None] | None = None,
) -> None:
    """The baseline consumer: fetch a batch, per message parse the id, insert, ack; batch handled concurrently."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    pool = await asyncpg.create_pool(database_url, min_size=pool_size, max_size=pool_size)
    assert pool is not None
    try:
        await pool.execute(RAW_TABLE)
        try:
            await js.consumer_info(stream, durable)
        except NotFoundError:
            await js.add_consumer(
                stream,
                config=ConsumerConfig(
                    durable_name=durable,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=30,
                    max_ack_pending=max_ack_pending,
                    filter_subject=filter_subject,
                ),
            )
        sub = await js.pull_subscribe_bind(durable, stream)

        async def handle(msg: Any) -> None:
            event_id = orjson.loads(msg.data)["id"]
            await pool.execute(RAW_INSERT, durable, event_id)
            await msg.ack()
            if on_commit is not None:
                on_commit(msg.data)

        while not stop.is_set():
            try:
                messages = await sub.fetch(batch, timeout=0.5)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            await asyncio.gather(*(handle(m) for m in messages))
    finally:
        await pool.close()
        await nc.close()


async def raw_drain(
    js: Any,
    nats_url: str,
    database_url: str,
    *,
    stream: str,
    filter_subject: str,
    durable: str,
    total: int,
    batch: int = KERNEL_BATCH,
    pool_size: int = 10,
    max_ack_pending: int = 1000,
    timeout: float = 600,
    window: float | None = None,
) -> dict[str, Any]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        raw_loop(
            nats_url,
            database_url,
            stream=stream,
            filter_subject=filter_subject,
            durable=durable,
            batch=batch,
            pool_size=pool_size,
            max_ack_pending=max_ack_pending,
            stop=stop,
        )
    )
    try:
        while not task.done():
            try:
                await js.consumer_info(stream, durable)
                break
            except Exception:
                await asyncio.sleep(0.02)
        return await drained(js, stream, durable, total, timeout, window=window)
    finally:
        stop.set()
        await task


async def raw_ping(
    js: Any,
    nats_url: str,
    database_url: str,
    *,
    stream: str,
    subject: str,
    durable: str,
    make: Callable[[int], tuple[bytes, str]],
    n: int = 300,
) -> dict[str, Any]:
    """One event at a time through the raw loop: PubAck -> fetched, inserted, acked. Its latency."""
    arrived: asyncio.Queue[float] = asyncio.Queue()
    stop = asyncio.Event()
    task = asyncio.create_task(
        raw_loop(
            nats_url,
            database_url,
            stream=stream,
            filter_subject=subject,
            durable=durable,
            batch=1,
            pool_size=2,
            max_ack_pending=1000,
            stop=stop,
            on_commit=lambda _d: arrived.put_nowait(time.perf_counter()),
        )
    )
    latencies = []
    try:
        await asyncio.sleep(0.5)
        for i in range(n):
            payload, msg_id = make(i)
            await js.publish(subject, payload, headers={"Nats-Msg-Id": msg_id})
            acked = time.perf_counter()
            latencies.append(await asyncio.wait_for(arrived.get(), 10) - acked)
    finally:
        stop.set()
        await task
    return {**latency_summary(latencies), "samples": latencies}


async def service_drain(
    js: Any,
    *,
    stream: str,
    durable: str,
    total: int,
    start: Callable[[], Awaitable[None]],
    timeout: float = 900,
    window: float | None = None,
) -> dict[str, Any]:
    """Start the service (its consumer finds the backlog waiting) and time the drain."""
    await start()
    return await drained(js, stream, durable, total, timeout, window=window)


async def fresh_raw_durable(js: Any, stream: str, durable: str, filter_subject: str) -> None:
    """A raw loop's durable that starts after everything already in the stream (a round of its own)."""
    last = int((await js.stream_info(stream)).state.last_seq or 0)
    await js.add_consumer(
        stream,
        config=ConsumerConfig(
            durable_name=durable,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=last + 1,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=30,
            max_ack_pending=1000,
            filter_subject=filter_subject,
        ),
    )


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Of rounds {service, raw} (each with a rate), the one whose ratio is the median: one noisy round decides nothing."""
    ranked = sorted(rounds, key=lambda r: r["service"]["rate"] / r["raw"]["rate"] if r["raw"]["rate"] else 0.0)
    return ranked[len(ranked) // 2]


def drain_figure(*, name: str, metric: str, value: float, baseline: float, **details: Any) -> dict[str, Any]:
    """A consume-path figure: a service's drain rate against the raw loop's (target: 70 %)."""
    return figure(
        name=name,
        metric=metric,
        unit="events/s",
        value=value,
        baseline=baseline,
        target=">= 70% of the raw loop",
        met=value >= 0.7 * baseline,
        higher_is_better=True,
        **details,
    )
