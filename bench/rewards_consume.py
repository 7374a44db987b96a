"""Consume path on a real service: rewards draining a backlog of participation.completed
events (award: rule, daily cap, ledger transaction with its postings, points.awarded into
the outbox; the idempotency record; ack) vs the raw loop of bench/consume.py over the
same events on the same stream.

While the backlog waits, rewards is stopped; the other consumers of participation.completed and
points.awarded (notifications, community; found from JetStream's durable consumers) stay stopped
during both drains so the two cores go to rewards and to the raw loop alike, and this section runs
last because the stack is left with the points.awarded events to deliver.
The backlog's volunteers and days are spread (1,000 people x 50 days) so the daily cap does
not zero the awards.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from bench import consume
from bench.events import participation_completed, publish_backlog, variants
from bench.stack import BenchStack
from contracts.catalogue import emitter_of
from contracts.envelope import subject_filter

VOLUNTEERS = [f"bench-r{n:04d}" for n in range(1000)]
_END = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)


def _vary(i: int, data: dict[str, Any]) -> None:
    """1,000 volunteers x up to 200 days (rounds follow on), one 2-hour patrol each: the daily cap never zeroes an award.
    Each volunteer belongs to one of six building groups, as a resident does."""
    day = (i // len(VOLUNTEERS)) % 200
    end = _END - timedelta(days=day)
    volunteer = i % len(VOLUNTEERS)
    data["participation_id"] = str(uuid.uuid4())
    data["shift_id"] = str(uuid.uuid4())
    data["volunteer_id"] = VOLUNTEERS[volunteer]
    data["building_group"] = (volunteer % 6) + 1
    data["started_at"] = (end - timedelta(hours=2)).isoformat()
    data["ended_at"] = data["confirmed_at"] = end.isoformat()


async def run(stack: BenchStack, *, args: argparse.Namespace, log: Any) -> dict[str, Any]:
    total = args.events
    stream = emitter_of("participation.completed").stream
    nc = await nats.connect(stack.nats.url)
    js = nc.jetstream()
    rounds: list[dict[str, Any]] = []
    # Everyone else who consumes what rewards drains or emits (notifications, community's report).
    others = sorted(
        {*await stack.consumers_of("participation.completed"), *await stack.consumers_of("points.awarded")}
        - {"rewards"}
    )
    log(f"consume: stopped during the drains: {', '.join(others) or 'none'}")
    try:
        for round_ in range(args.rounds):
            stack.terminate("rewards")
            for name in others:
                if stack.pid(name):
                    stack.terminate(name)
            durable = f"bench_raw_participation_completed_{round_}"
            await consume.fresh_raw_durable(js, stream, durable, subject_filter("participation.completed"))
            started = time.perf_counter()
            # Each round its own volunteers' days (offset), so no award of an earlier round is repeated.
            await publish_backlog(
                js, variants(participation_completed(0, VOLUNTEERS), total, _vary, offset=round_ * total)
            )
            published = time.perf_counter() - started
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
            rounds.append({"service": service, "raw": raw})
            log(
                f"consume round {round_}: {total} participation.completed published in {published:.1f}s; "
                f"raw loop {raw['rate']:.0f}/s, rewards {service['rate']:.0f}/s"
            )
    finally:
        await nc.close()
    median = consume.median_round(rounds)
    service, raw = median["service"], median["raw"]
    return {
        "figure": consume.drain_figure(
            name="Consume path (rewards)",
            metric=f"participation.completed/s draining a backlog of {total:,}: rewards vs raw loop (median of {len(rounds)} rounds)",
            value=service["rate"],
            baseline=raw["rate"],
            backlog=total,
            service=service,
            raw=raw,
            rounds=[{"service_rate": r["service"]["rate"], "raw_rate": r["raw"]["rate"]} for r in rounds],
            of="the round with the median ratio",
        )
    }
