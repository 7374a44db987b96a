"""7. SIGTERM during load: the consumer drains what it is handling and stops cleanly,
without a redelivery storm; the producer finishes its in-flight requests.

Phase 1: a backlog of events waits for the consumer; it is SIGTERMed a quarter of the
way through. It must exit 0 within its graceful timeout, having acknowledged what it
applied: once restarted, the messages JetStream delivers again are at most one pull
batch (fetched, not started, never acknowledged) and none of them had been applied
already (an applied-but-unacknowledged message would show as a `duplicate` outcome).
Phase 2 (when producer and consumer differ): the producer is SIGTERMed while writes
are in flight; each write either completes or is refused and retried; none is lost."""

from __future__ import annotations

import asyncio
import time

from tests.chaos.common import Context, check_all_consumers, check_stream, log, metric, record_tally, until
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.streams import deliveries
from tests.chaos.workloads import converge, drive

BATCH_SIZE = 32  # LINLI_CONSUMER_BATCH_SIZE: the most one pull can have fetched and not started
GRACEFUL = 10.0


async def run(ctx: Context) -> Row:
    workload = ctx.workload(check_in_out_every=0)
    total = ctx.n(600)
    shared = workload.producer == workload.consumer
    row = Row("7", f"SIGTERM under load ({total} events)")
    env = ctx.stack_env(
        LINLI_CONSUMER_BATCH_SIZE=str(BATCH_SIZE), LINLI_GRACEFUL_TIMEOUT=str(GRACEFUL), LINLI_LOG_LEVEL="INFO"
    )
    async with ChaosStack.started(ctx.dir("7"), services=workload.services, env=env) as stack:
        first = total if shared else total // 2
        await workload.prepare(stack, total)
        log(f"prepared; writing {first} items as fast as possible")
        writer = asyncio.create_task(drive(workload, stack, first, batch=20, concurrency=4, retry_for=60))

        async def quarter() -> bool:
            return (await workload.tally(stack)).applied >= first // 4

        await until(quarter, timeout=90, interval=0.1)
        before = await workload.tally(stack)
        stopping = time.monotonic()
        code = await asyncio.to_thread(stack.terminate, workload.consumer, GRACEFUL + 10)
        drained = time.monotonic() - stopping
        consumer_clean = clean_exit(stack, workload.consumer, code)
        async with stack.jetstream() as js:
            at_exit = await deliveries(js, workload.stream, workload.durable)
        log(
            f"SIGTERM {workload.consumer} at {before.applied} applied: exit {code} after {drained:.1f} s, "
            f"{at_exit.ack_pending} delivered and unacknowledged"
        )
        restarted = time.monotonic()
        await stack.restart_service(workload.consumer)
        await writer
        await converge(workload, stack, first, timeout=120)
        row.recovery = time.monotonic() - restarted
        duplicates = await metric(stack, workload.consumer, "linli_events_consumed_total", outcome="duplicate")
        async with stack.jetstream() as js:
            counted = await deliveries(js, workload.stream, workload.durable)
        row.check(
            f"{workload.consumer} shut down cleanly after SIGTERM (exit {code}, lifespan finished)",
            consumer_clean,
        )
        row.check(
            f"it drained within its graceful timeout ({drained:.1f} s <= {GRACEFUL:.0f} s)", drained <= GRACEFUL + 1
        )
        row.check(
            f"no redelivery storm: {counted.redeliveries} redelivered (at most one pull batch, {BATCH_SIZE})",
            counted.redeliveries <= BATCH_SIZE,
        )
        row.check(
            f"nothing applied and left unacknowledged: {duplicates:.0f} duplicate deliveries after the restart",
            duplicates == 0,
        )

        if not shared:
            log(f"phase 2: SIGTERM {workload.producer} while {total - first} writes are in flight")
            writer = asyncio.create_task(
                drive(workload, stack, total, start=first, batch=10, concurrency=4, pace=0.1, retry_for=60)
            )
            await asyncio.sleep(1.5)
            code = await asyncio.to_thread(stack.terminate, workload.producer, GRACEFUL + 10)
            producer_clean = clean_exit(stack, workload.producer, code)
            await stack.restart_service(workload.producer)
            sent = await writer
            row.check(
                f"{workload.producer} shut down cleanly with requests in flight (exit {code}, lifespan finished)",
                producer_clean,
            )
            row.check(
                f"every write completed or was retried ({sent.acknowledged}/{total - first}; {sent.failures} refused)",
                sent.acknowledged == total - first,
            )

        tally, _ = await converge(workload, stack, total, timeout=120)
        log(f"converged: {tally}")
        record_tally(row, tally.sent, tally.distinct, tally.lost, tally.duplicated)
        row.check(f"every event applied once ({tally.sent} committed)", tally.complete and tally.sent >= total)
        await check_stream(row, stack, workload)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)
    return row


def clean_exit(stack: ChaosStack, name: str, code: int) -> bool:
    """Uvicorn shuts down gracefully on SIGTERM and then re-raises the signal, so the exit
    status is -15 (or 0); the lifespan's last log line ("<name> stopped") proves the drain ran."""
    return code in (0, -15) and f"{name} stopped" in stack.log_tail(name, 400)
