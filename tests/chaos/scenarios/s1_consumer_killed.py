"""1. Participations confirmed through the shifts API while the rewards service is SIGKILLed
and restarted three times: exactly one award per participation, the ledger audit clean.

The kills are timed by the consumer's progress (at about 20 %, 45 % and 70 % of the
effects) and each waits for the moment JetStream counts messages delivered to the consumer and
not yet acknowledged, so it lands in the middle of a batch, with confirmations still arriving.
Those messages come back after ack_wait (3 s here, so that each kill finds the previous one's
redelivered and acknowledged) and must apply as no-ops where the batch had committed."""

from __future__ import annotations

import asyncio
import time

from nats.js import JetStreamContext

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
ACK_WAIT = 3


async def run(ctx: Context) -> Row:
    workload = ctx.workload(full_stack=True)
    total = ctx.n(1000)
    row = Row("1", f"{total} {'writes' if ctx.probe else 'participations'}, {workload.consumer} SIGKILLed x3")
    env = ctx.stack_env(LINLI_CONSUMER_ACK_WAIT=str(ACK_WAIT))
    started = ChaosStack.started(ctx.dir("1"), services=ctx.services(workload), env=env)
    async with started as stack, stack.jetstream() as js:
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
        in_flight: list[int] = []
        last_restart = time.monotonic()
        for fraction in KILLS_AT:

            async def reached(goal: float = fraction * total) -> bool:
                return (await workload.tally(stack)).applied >= goal

            await until(reached, timeout=90, interval=0.1)
            unacked = await _when_unacknowledged(js, workload.stream, workload.durable)
            stack.kill(workload.consumer)
            applied_before = (await workload.tally(stack)).applied
            kills += 1
            mid_backlog += applied_before < total
            in_flight.append(unacked)
            await asyncio.sleep(1.0)  # dead for a moment while the producer keeps writing
            await stack.restart_service(workload.consumer)
            last_restart = time.monotonic()
            row.notes.append(
                f"kill {kills} at {applied_before}/{total} effects, {unacked} delivered and unacknowledged"
            )
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
        row.check(
            "each kill landed with messages delivered and unacknowledged ("
            + ", ".join(str(n) for n in in_flight)
            + ")",
            len(in_flight) == 3 and all(in_flight),
        )
        await check_stream(row, stack, workload)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)
        counted = await deliveries(js, workload.stream, workload.durable)
        row.check(
            f"the unacknowledged messages were delivered again ({counted.redeliveries} redeliveries, "
            f"{counted.deliveries} deliveries of {counted.messages} messages), each once in effect",
            counted.redeliveries > 0,
        )
    return row


async def _when_unacknowledged(js: JetStreamContext, stream: str, durable: str, timeout: float = 20.0) -> int:
    """Waits for a fresh batch in flight: first until every earlier delivery is acknowledged (the
    copies a previous kill left are redelivered after ack_wait), then until the consumer holds
    delivered, unacknowledged messages again. Returns how many it held (0: it never did)."""
    held = 0

    async def ack_pending() -> int:
        return int((await js.consumer_info(stream, durable)).num_ack_pending or 0)

    async def settled() -> bool:
        return await ack_pending() == 0

    async def holding() -> bool:
        nonlocal held
        held = await ack_pending()
        return held > 0

    await until(settled, timeout=timeout, interval=0.02)
    # The consumer handles a batch in milliseconds, so JetStream is asked as often as it answers.
    await until(holding, timeout=timeout, interval=0)
    return held
