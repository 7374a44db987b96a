"""Consume path on a real service: rewards draining a backlog of participation.completed
events (award: rule, daily cap, ledger transaction with its postings, points.awarded into
the outbox; the idempotency record; ack) vs the raw loop of bench/consume.py over the
same events on the same stream.

While the backlog waits, rewards is stopped; notifications stays stopped during the drain so
the two cores go to rewards (as they go to the raw loop), and this section runs last
because the stack is left with the points.awarded events to deliver.
The backlog's volunteers and days are spread (1,000 people x 50 days) so the daily cap does
not zero the awards.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from bench import consume
from bench.events import participation_completed, publish_backlog
from bench.stack import BenchStack
from bench.stats import figure
from contracts.catalogue import emitter_of
from contracts.envelope import subject_filter

VOLUNTEERS = [f"bench-r{n:04d}" for n in range(1000)]


async def run(stack: BenchStack, *, args: argparse.Namespace, log: Any) -> dict[str, Any]:
    total = args.events
    stream = emitter_of("participation.completed").stream
    nc = await nats.connect(stack.nats.url)
    js = nc.jetstream()
    try:
        stack.terminate("rewards")
        if stack.pid("notifications"):
            stack.terminate("notifications")
        last = int((await js.stream_info(stream)).state.last_seq or 0)
        events = []
        for i in range(total):
            event = participation_completed(i, VOLUNTEERS, day_offset=(i // len(VOLUNTEERS)) % 50)
            events.append(event)
        started = time.perf_counter()
        await publish_backlog(js, events)
        log(
            f"consume: {total} participation.completed published in {time.perf_counter() - started:.1f}s; raw loop draining"
        )
        durable = "bench_raw_participation_completed"
        await js.add_consumer(
            stream,
            config=ConsumerConfig(
                durable_name=durable,
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=last + 1,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=30,
                max_ack_pending=1000,
                filter_subject=subject_filter("participation.completed"),
            ),
        )
        raw = await consume.raw_drain(
            js,
            stack.nats.url,
            stack.database_url,
            stream=stream,
            filter_subject=subject_filter("participation.completed"),
            durable=durable,
            total=total,
            window=args.drain_window,
        )
        log(f"  raw loop {raw['rate']:.0f}/s; rewards draining")

        async def start_rewards() -> None:
            stack.start_service("rewards")

        service = await consume.service_drain(
            js,
            stream=stream,
            durable="rewards__participation_completed",
            total=total,
            start=start_rewards,
            window=args.drain_window,
        )
        log(f"  rewards {service['rate']:.0f}/s")
    finally:
        await nc.close()
    return {
        "figure": figure(
            name="Consume path (rewards)",
            metric=f"participation.completed/s draining a backlog of {total:,}: rewards vs raw loop",
            unit="events/s",
            value=service["rate"],
            baseline=raw["rate"],
            target=">= 70% of the raw loop",
            met=service["rate"] >= 0.7 * raw["rate"],
            higher_is_better=True,
            backlog=total,
            service=service,
            raw=raw,
        )
    }
