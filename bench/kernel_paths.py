"""Phase 1: the kernel's own paths on a NATS + PostgreSQL of their own, through the probe
service (tests/kernel/probe: a complete minimal service on the kernel).

- publish path: probe's outbox relay vs raw publish_async (bench/publish.py);
- consume path machinery: probe's idempotent consumer vs the raw loop (bench/consume.py);
- the no-load latencies of a raw publish and a raw consume, two of the three baseline
  p99s the end-to-end target adds up.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import nats

from bench import consume, publish
from bench.events import BENCH_STREAM, ensure_bench_stream, issue_submitted, publish_backlog, variants
from bench.memory import RssSampler
from bench.stack import phase
from contracts.catalogue import emitter_of
from contracts.envelope import subject_filter

RELAY_ONLY = {"LINLI_OUTBOX_PUBLISH_AFTER_COMMIT": "false"}


def _vary_issue(i: int, data: dict[str, Any]) -> None:
    data["issue_id"] = str(uuid.uuid4())
    data["title"] = f"3栋2单元楼道灯不亮 / corridor light out #{i}"


async def run(
    base_dir: Path, *, publish_events: int, consume_events: int, window: float, log: Any, rounds: int = 3
) -> dict[str, Any]:
    rounds_ = rounds
    out: dict[str, Any] = {}
    async with phase(base_dir) as stack:
        # The publish path is the relay's: the probe leaves every row to it (no publish after commit).
        stack.start_probe(RELAY_ONLY)
        await stack.wait_ready(["probe"])
        sampler = RssSampler(stack)
        sampler.start()
        try:
            log(f"publish path: {publish_events} events, relay vs raw publish_async")
            out["publish"] = await publish.run(stack, events=publish_events, log=log, rounds=rounds_)

            nc = await nats.connect(stack.nats.url)
            js = nc.jetstream()
            try:
                await ensure_bench_stream(js)
                payload = issue_submitted(0).model_dump_json().encode()
                log("no-load latency of one raw consume (publish ack -> fetched, inserted, acked)")
                ping = await consume.raw_ping(
                    js,
                    stack.nats.url,
                    stack.database_url,
                    stream=BENCH_STREAM,
                    subject="bench.consume.ping",
                    durable="bench_raw_ping",
                    make=lambda i: (payload, f"cping-{uuid.uuid4()}"),
                )
                out["consume_ping"] = {k: v for k, v in ping.items() if k != "samples"}
                out.setdefault("samples", {})["consume_ping"] = ping["samples"]

                stream = emitter_of("issue.submitted").stream
                measured: list[dict[str, Any]] = []
                for round_ in range(rounds_):
                    # The probe must not see the backlog while the raw loop drains it.
                    stack.terminate("probe")
                    durable = f"bench_raw_issue_submitted_{round_}"
                    await consume.fresh_raw_durable(js, stream, durable, subject_filter("issue.submitted"))
                    started = time.perf_counter()
                    await publish_backlog(js, variants(issue_submitted(0), consume_events, _vary_issue))
                    published = time.perf_counter() - started
                    raw = await consume.raw_drain(
                        js,
                        stack.nats.url,
                        stack.database_url,
                        stream=stream,
                        filter_subject=subject_filter("issue.submitted"),
                        durable=durable,
                        total=consume_events,
                        window=window,
                    )

                    async def start_probe() -> None:
                        stack.start_probe()

                    kernel = await consume.service_drain(
                        js,
                        stream=stream,
                        durable="probe__issue_submitted",
                        total=consume_events,
                        start=start_probe,
                        window=window,
                    )
                    measured.append({"service": kernel, "raw": raw})
                    log(
                        f"consume round {round_}: {consume_events} published in {published:.1f}s; "
                        f"raw loop {raw['rate']:.0f}/s, kernel consumer {kernel['rate']:.0f}/s"
                    )
            finally:
                await nc.close()
            median = consume.median_round(measured)
            kernel, raw = median["service"], median["raw"]
            out["consume_kernel"] = consume.drain_figure(
                name="Consume path (kernel, probe service)",
                metric=f"events/s draining a backlog: kernel consumer vs raw pull+insert+ack loop (median of {len(measured)} rounds)",
                value=kernel["rate"],
                baseline=raw["rate"],
                events=consume_events,
                kernel=kernel,
                raw=raw,
                rounds=[{"service_rate": r["service"]["rate"], "raw_rate": r["raw"]["rate"]} for r in measured],
                of="the round with the median ratio",
            )
        finally:
            sampler.stop()
        out["rss_probe"] = sampler.summary()
    out["plots"] = [
        {
            "title": "No-load latency of the raw baselines (two of the e2e target's three)",
            "series": {
                "raw publish: send -> PubAck": out.get("publish", {}).get("samples", {}).get("publish_ping", []),
                "raw consume: PubAck -> fetched, inserted, acked": out.get("samples", {}).get("consume_ping", []),
            },
        }
    ]
    return out
