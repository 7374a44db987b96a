"""1. Participations confirmed through the shifts API while the rewards service is SIGKILLed
and restarted three times: exactly one award per participation, the ledger audit clean.

The kills are timed by the consumer's progress (at about 20 %, 45 % and 70 % of the
effects), so each one lands while rewards is in the middle of its backlog, with messages
delivered and not yet acknowledged, and with confirmations still arriving."""

from __future__ import annotations

import asyncio
import time

from tests.chaos.common import Context, check_all_consumers, check_stream, log, record_tally, until
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.streams import deliveries
from tests.chaos.workloads import converge, drive

KILLS_AT = (0.2, 0.45, 0.7)
# The writes are spread over this long, whatever their number: the consumer drains a backlog in
# batches faster than it builds up, so the kills land mid-backlog only while writes still arrive.
WRITE_SECONDS = 15.0
BATCH = 20


async def run(ctx: Context) -> Row:
    workload = ctx.workload(full_stack=True)
    total = ctx.n(1000)
    row = Row("1", f"{total} {'writes' if ctx.probe else 'participations'}, {workload.consumer} SIGKILLed x3")
    async with ChaosStack.started(ctx.dir("1"), services=ctx.services(workload), env=ctx.stack_env()) as stack:
        log(f"stack ready; preparing {total} items")
        await workload.prepare(stack, total)
        log("prepared; writing")
        # The probe is its own producer: killing it also kills requests in flight, which the client retries.
        shared = workload.producer == workload.consumer
        writer = asyncio.create_task(
            drive(
                workload,
                stack,
                total,
                batch=BATCH,
                concurrency=2,
                pace=WRITE_SECONDS / -(-total // BATCH),
                retry_for=60 if shared else 0,
            )
        )
        kills = 0
        mid_backlog = 0
        last_restart = time.monotonic()
        for fraction in KILLS_AT:

            async def reached(goal: float = fraction * total) -> bool:
                return (await workload.tally(stack)).applied >= goal

            await until(reached, timeout=90, interval=0.1)
            applied_before = (await workload.tally(stack)).applied
            stack.kill(workload.consumer)
            kills += 1
            mid_backlog += applied_before < total
            await asyncio.sleep(1.0)  # dead for a moment while the producer keeps writing
            await stack.restart_service(workload.consumer)
            last_restart = time.monotonic()
            row.notes.append(f"kill {kills} at {applied_before}/{total} effects")
            log(row.notes[-1] + "; restarted")
        sent = await writer
        log(f"writer done: {sent.acknowledged} acknowledged, {sent.failures} failures")
        tally, _ = await converge(workload, stack, total, timeout=120)
        log(f"converged: {tally}")
        row.recovery = time.monotonic() - last_restart
        record_tally(row, tally.sent, tally.distinct, tally.lost, tally.duplicated)
        row.check(
            f"all {total} writes acknowledged over HTTP ({sent.failures} refused)",
            sent.acknowledged == total and (shared or sent.failures == 0),
            sent.first_failure,
        )
        if shared:
            # A request killed after its commit is retried by the client: the probe's /emit is not
            # idempotent, so more events than writes may be committed; each must still apply once.
            row.check(f"at least {total} events committed by {workload.producer}", tally.sent >= total)
        else:
            row.check(f"exactly {total} events committed by {workload.producer}", tally.sent == total)
        row.check(
            f"exactly one effect per committed event ({tally.applied} for {tally.sent})",
            tally.applied == tally.sent == tally.distinct,
        )
        row.check("three kills while the backlog was not yet applied", kills == 3 and mid_backlog == 3)
        await check_stream(row, stack, workload)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)
        async with stack.jetstream() as js:
            counted = await deliveries(js, workload.stream, workload.durable)
        row.notes.append(
            f"{counted.redeliveries} redeliveries after 3 SIGKILLs (deliveries {counted.deliveries}, messages {counted.messages}); "
            "processed_events made every redelivered copy a no-op (no duplicated effect)"
        )
    return row
