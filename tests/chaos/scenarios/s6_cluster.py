"""6. A 3-node NATS JetStream cluster on loopback, streams replicated three times (R3);
the node leading the producer's stream is SIGKILLed in the middle of the flow.

The services get all three URLs in NATS_URL (comma-separated, as production lists them);
those connected to the killed node reconnect to another. Every event JetStream acknowledged (the relay marked it
published) must still be in the stream, once, and the consumers must carry on."""

from __future__ import annotations

import asyncio

from tests.chaos.common import Context, check_all_consumers, check_stream, log, record_tally, until
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.workloads import converge, drive


async def run(ctx: Context) -> Row:
    workload = ctx.workload(check_in_out_every=0)
    total = ctx.n(400)
    batch = 5
    row = Row("6", f"3-node cluster, R3, stream leader SIGKILLed ({total} writes)")
    env = ctx.stack_env(LINLI_STREAM_REPLICAS="3")
    async with ChaosStack.started(ctx.dir("6"), services=workload.services, env=env, nats_nodes=3) as stack:
        await workload.prepare(stack, total)
        async with stack.jetstream() as js:
            info = await js.stream_info(workload.stream)
        replicas = info.config.num_replicas
        leader = info.cluster.leader if info.cluster else None
        row.check(f"{workload.stream} is replicated on 3 nodes (R{replicas})", replicas == 3)
        victim = next((n for n in stack.cluster if n.server_name == leader), stack.cluster[0])
        pace = 20 / (total / batch)
        log(f"prepared; writing {total} items over ~20 s; will kill {victim.server_name} (stream leader)")
        writer = asyncio.create_task(drive(workload, stack, total, batch=batch, concurrency=2, pace=pace, retry_for=60))
        await asyncio.sleep(6)
        at_kill = await workload.tally(stack)
        victim.kill()
        log(f"killed {victim.server_name} at {at_kill.sent} committed / {at_kill.applied} applied")

        async def carried_on() -> bool:
            return (await workload.tally(stack)).applied > at_kill.applied + 10

        carry = await until(carried_on, timeout=60)
        sent = await writer
        tally, _ = await converge(workload, stack, total, timeout=120)
        row.recovery = carry  # from the kill until the consumer was applying new events again
        log(f"converged: {tally}")
        async with stack.jetstream() as js:
            after = await js.stream_info(workload.stream)
        record_tally(row, tally.sent, tally.distinct, tally.lost, tally.duplicated)
        row.notes.append(
            f"killed {victim.server_name}, the leader of {workload.stream}; new leader "
            f"{after.cluster.leader if after.cluster else '?'}; the services had all three URLs in NATS_URL"
        )
        row.check(f"consumers carried on after the kill ({carry or 0:.1f} s to the next 10 effects)", carry is not None)
        row.check(
            f"every write acknowledged ({sent.acknowledged}/{total}, {sent.failures} refused)",
            sent.acknowledged == total,
            sent.first_failure,
        )
        row.check(f"every event applied once ({total} expected)", tally.sent == total and tally.complete)
        await check_stream(row, stack, workload)
        await workload.verify(stack, row)
        await check_all_consumers(row, stack)

        # The killed node comes back on its own store and catches up from the other two.
        await asyncio.to_thread(victim.start)
        messages = after.state.messages

        async def caught_up() -> bool:
            async with stack.jetstream(victim.url) as js:
                info = await js.stream_info(workload.stream)
            replicas = (info.cluster.replicas if info.cluster else None) or []
            return bool(info.state.messages == messages and len(replicas) == 2 and all(r.current for r in replicas))

        rejoined = await until(caught_up, timeout=60, interval=0.5)
        row.check(
            f"{victim.server_name} restarted and caught up: every replica current with {messages} messages "
            f"({rejoined or 0:.1f} s)",
            rejoined is not None,
        )
    return row
