"""2. NATS stopped for 20 s in the middle of a stream of writes, then started again.

The HTTP API only needs PostgreSQL: every write must still succeed while NATS is away,
its events waiting in the outbox. Once NATS is back the relay publishes the backlog and
the consumer applies it: every event arrives, once."""

from __future__ import annotations

import asyncio
import time

from tests.chaos.common import Context, check_all_consumers, check_stream, log, readiness, record_tally
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.workloads import converge, drive

OUTAGE = 20.0


async def run(ctx: Context) -> Row:
    workload = ctx.workload(full_stack=True, check_in_out_every=0)
    total = ctx.n(400)
    batch = 5
    row = Row("2", f"NATS stopped {OUTAGE:.0f} s mid-stream ({total} writes)")
    async with ChaosStack.started(ctx.dir("2"), services=ctx.services(workload), env=ctx.stack_env()) as stack:
        await workload.prepare(stack, total)
        # Spread the writes over the outage and a few seconds either side of it.
        pace = (OUTAGE + 10) / (total / batch)
        log(f"prepared; writing {total} items over ~{OUTAGE + 10:.0f} s")
        writer = asyncio.create_task(drive(workload, stack, total, batch=batch, concurrency=2, pace=pace))
        await asyncio.sleep(4)
        before = await workload.tally(stack)
        await asyncio.to_thread(stack.nats.stop)
        log(f"NATS stopped with {before.sent} events committed")
        await asyncio.sleep(OUTAGE / 2)
        ready = await readiness(stack, list(stack.service_names))
        await asyncio.sleep(OUTAGE / 2)
        during = await workload.tally(stack)
        await asyncio.to_thread(stack.nats.start)
        back = time.monotonic()
        log(f"NATS started again; {during.sent - before.sent} events committed while it was away")
        sent = await writer
        tally, _ = await converge(workload, stack, total, timeout=120)
        row.recovery = time.monotonic() - back
        log(f"converged: {tally}")
        record_tally(row, tally.sent, tally.distinct, tally.lost, tally.duplicated)
        row.check(
            f"every write acknowledged while NATS was away ({sent.acknowledged}/{total}, {sent.failures} refused)",
            sent.acknowledged == total and sent.failures == 0,
            sent.first_failure,
        )
        row.check(
            f"events committed during the outage waited in the outbox ({during.sent - before.sent} written, "
            f"{during.sent - during.published} unpublished when NATS came back)",
            during.sent > before.sent and during.published < during.sent,
        )
        row.check(
            "services said not ready while NATS was away (/readyz "
            + ", ".join(f"{k} {v}" for k, v in ready.items())
            + ")",
            all(code == 503 for code in ready.values()),
        )
        row.check(f"every event applied once ({total} expected)", tally.sent == total and tally.complete)
        await check_stream(row, stack, workload)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)
    return row
