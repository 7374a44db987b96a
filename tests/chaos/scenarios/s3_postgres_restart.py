"""3. PostgreSQL stopped and started again in the middle of a stream of writes.

While it is away, writes are refused (503 problem details) and /readyz says not ready;
the client retries them. The services must come back by themselves (pool, outbox relay
and its LISTEN connection, consumers), and no event committed before, during or after
may go missing. Here PostgreSQL runs with fsync on, as in production."""

from __future__ import annotations

import asyncio
import time

from services.kernel.dlq import dead_letter_count
from tests.chaos.common import Context, check_all_consumers, check_stream, log, readiness, record_tally
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.workloads import converge, drive

DOWN = 6.0


async def run(ctx: Context) -> Row:
    workload = ctx.workload(full_stack=True, check_in_out_every=0)
    total = ctx.n(300)
    batch = 5
    row = Row("3", f"PostgreSQL restarted mid-stream ({total} writes)")
    async with ChaosStack.started(
        ctx.dir("3"), services=ctx.services(workload), env=ctx.stack_env(), fast_postgres=False
    ) as stack:
        await workload.prepare(stack, total)
        pace = (DOWN + 12) / (total / batch)
        log(f"prepared; writing {total} items over ~{DOWN + 12:.0f} s")
        writer = asyncio.create_task(drive(workload, stack, total, batch=batch, concurrency=2, pace=pace, retry_for=90))
        await asyncio.sleep(4)
        await asyncio.to_thread(stack.postgres.stop)
        log("PostgreSQL stopped")
        await asyncio.sleep(DOWN / 2)
        down = await readiness(stack, list(stack.service_names))
        await asyncio.sleep(DOWN / 2)
        await asyncio.to_thread(stack.postgres.start, 60)
        back = time.monotonic()
        log("PostgreSQL started again")
        ready_after = await stack.wait_ready(timeout=90)
        log(f"every service ready again after {ready_after:.1f} s")
        sent = await writer
        tally, _ = await converge(workload, stack, total, timeout=120)
        row.recovery = time.monotonic() - back
        log(f"converged: {tally}")
        record_tally(row, tally.sent, tally.distinct, tally.lost, tally.duplicated)
        row.check(
            "services said not ready while PostgreSQL was away (/readyz "
            + ", ".join(f"{k} {v}" for k, v in down.items())
            + ")",
            all(code == 503 for code in down.values()),
        )
        row.check(f"every service ready again by itself ({ready_after:.1f} s after PostgreSQL)", ready_after < 60)
        row.check(
            f"every write acknowledged in the end ({sent.acknowledged}/{total}; {sent.failures} attempts refused "
            "while the database was away, then retried)",
            sent.acknowledged == total,
        )
        committed = await _committed(stack, workload.producer, sent.acknowledged_ids, workload.name)
        row.check(
            f"every acknowledged write is in the database ({committed}/{len(sent.acknowledged_ids)})",
            committed == len(set(sent.acknowledged_ids)),
        )
        row.check(f"every event applied once ({total} expected)", tally.sent == total and tally.complete)
        await check_stream(row, stack, workload)
        async with stack.jetstream() as js:
            dead = await dead_letter_count(js, workload.consumer)
        row.check(f"nothing dead-lettered: a database outage is not the message's fault ({dead})", dead == 0)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)
    return row


async def _committed(stack: ChaosStack, producer: str, ids: list[str], flow: str) -> int:
    """How many of the ids the client was given back exist in the producer's database."""
    if not ids:
        return 0
    if flow == "probe":
        sql = "SELECT count(*) FROM probe.outbox WHERE id = ANY($1::uuid[])"
    else:
        sql = "SELECT count(*) FROM shifts.participations WHERE id = ANY($1::uuid[])"
    count: int = await stack.fetchval(sql, list(set(ids)))
    return count
