"""5. Poison messages among good traffic: dead-lettered after the configured tries, replayed after a fix.

Three kinds of poison reach the consumer together with a stream of good events:
- malformed bytes (not JSON) and a schema-violating event (negative hours): nothing can
  make these apply, so they must end in the dead-letter stream and stay there; replaying
  one unchanged sends it back to the dead-letter stream and changes nothing;
- events whose handler fails: the consumer's database refuses their effect (a trigger
  the scenario installs stands for a bug or missing data). The "fix" is removing that
  refusal, as an operator would deploy a fix or correct the data; then `linli dlq
  replay` (the operator's CLI, run as a process) applies each exactly once, and replaying
  a copy again changes nothing, because the consumer recognises the event id.
The consumer runs with LINLI_CONSUMER_MAX_TRIES=3 and a 2 s back-off base (tries at about
0, 2 and 6 s), so the good traffic visibly passes the poison while it is being retried.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import orjson

from services.kernel.dlq import DeadLetter, list_dead_letters
from tests.chaos.common import Context, log, metric, record_tally, until
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack

MAX_TRIES = 3
BACKOFF = 2.0  # tries at about 0, 2 and 6 s: long enough to see good traffic pass the poison
GOOD = 200
HANDLER_POISON = 3


def linli(stack: ChaosStack, *args: str) -> str:
    """The operator's command line, as an operator runs it (NATS_URL in the environment)."""
    cli = Path(sys.executable).parent / "linli"
    command = [str(cli)] if cli.exists() else [sys.executable, "-m", "services.cli"]
    result = subprocess.run(
        [*command, *args],
        env={"PATH": "/usr/bin:/bin", "NATS_URL": stack.nats.url, "HOME": "/tmp"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


async def run(ctx: Context) -> Row:
    workload = ctx.workload()
    consumer = workload.consumer
    row = Row("5", f"poison: {HANDLER_POISON} failing + 2 invalid among {GOOD} good events, replay after fix")
    env = ctx.stack_env(LINLI_CONSUMER_MAX_TRIES=str(MAX_TRIES), LINLI_CONSUMER_BACKOFF_BASE=str(BACKOFF))
    async with ChaosStack.started(ctx.dir("5"), services=(consumer,), env=env) as stack:
        await workload.break_handler(stack)
        good = [workload.event(i) for i in range(GOOD)]
        bad = [workload.event(i, poison=True) for i in range(HANDLER_POISON)]
        template = orjson.loads(good[0].model_dump_json())
        invalid = dict(template, id="00000000-0000-4000-8000-00000000c4a0")
        invalid["data"] = {k: v for k, v in template["data"].items() if k not in ("hours", "title")}
        invalid["data"]["hours" if "hours" in template["data"] else "title"] = -3  # violates the schema
        subject = good[0].nats_subject
        async with stack.jetstream() as js:

            async def publish_good() -> None:
                for i, event in enumerate(good):
                    await js.publish(subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)})
                    if i % 20 == 0:
                        await asyncio.sleep(0.05)

            good_task = asyncio.create_task(publish_good())
            await js.publish(subject, b"{this is not json", headers={"Nats-Msg-Id": "chaos-malformed"})
            await js.publish(subject, orjson.dumps(invalid), headers={"Nats-Msg-Id": "chaos-invalid"})
            for event in bad:
                await js.publish(subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)})
            await good_task
        log(f"published {GOOD} good, {HANDLER_POISON} failing, 1 malformed, 1 schema-violating")
        good_ids = [str(e.id) for e in good]
        bad_ids = [str(e.id) for e in bad]

        async def good_applied() -> bool:
            return len(await workload.effects_of(stack, good_ids)) == GOOD

        async with stack.jetstream() as js:

            async def dead() -> list[DeadLetter]:
                return await list_dead_letters(js, consumer)

            async def all_dead() -> bool:
                return len(await dead()) >= HANDLER_POISON + 2

            # Both watched at once: when did the good traffic finish, when was the poison given up?
            good_done, dead_done = await asyncio.gather(until(good_applied, 60), until(all_dead, 60))
            letters = await dead()
        good_took, dead_took = good_done, dead_done  # seconds since both watches began, after publishing
        log(
            f"good traffic applied after {good_took or 0:.1f}s; {len(letters)} dead letters after {dead_took or 0:.1f}s"
        )
        row.check(
            f"good traffic kept flowing: all {GOOD} applied ({good_took or 0:.1f} s) while the poison was still "
            f"being retried (dead-lettered after {dead_took or 0:.1f} s)",
            good_took is not None and dead_took is not None and good_took < dead_took,
        )
        row.check(
            f"all 5 poison messages in the dead-letter stream after {MAX_TRIES} tries ({len(letters)} there)",
            len(letters) == HANDLER_POISON + 2 and all(letter.tries == MAX_TRIES for letter in letters),
        )
        row.check("no effect from a poison message before the fix", not await workload.effects_of(stack, bad_ids))
        gauge = await metric(stack, consumer, "linli_dead_letters_total")
        row.check(f"dead letters counted in /metrics (linli_dead_letters_total {gauge:.0f})", gauge >= 5)

        # The fix, then the operator replays the handler failures with the CLI.
        fixed_at = time.monotonic()
        await workload.fix(stack)
        listing = await asyncio.to_thread(linli, stack, "dlq", "list", "--service", consumer)
        replayable = [letter for letter in letters if letter.event_id in bad_ids]
        for letter in replayable:
            await asyncio.to_thread(linli, stack, "dlq", "replay", str(letter.seq))
        log(f"fixed; replayed {len(replayable)} dead letters with `linli dlq replay`")
        # A second copy of one replayed event (an operator replaying twice) must change nothing.
        async with stack.jetstream() as js:
            again = bad[0]
            await js.publish(subject, again.model_dump_json().encode(), headers={"Nats-Msg-Id": f"{again.id}:again"})
            # The schema-violating event, replayed unchanged, can only go back to the dead-letter stream.
            invalid_letter = next(
                (x for x in letters if x.headers.get("Linli-Original-Nats-Msg-Id") == "chaos-invalid"), None
            )
            if invalid_letter is not None:
                await asyncio.to_thread(linli, stack, "dlq", "replay", str(invalid_letter.seq))

        async def replay_applied() -> bool:
            return len(await workload.effects_of(stack, bad_ids)) == HANDLER_POISON

        done = await until(replay_applied, timeout=60)
        replay_took = None if done is None else time.monotonic() - fixed_at
        row.recovery = replay_took
        async with stack.jetstream() as js:

            async def invalid_back() -> bool:
                remaining = await list_dead_letters(js, consumer)
                return len(remaining) == 2

            await until(invalid_back, timeout=30)
            remaining = await list_dead_letters(js, consumer)
        await asyncio.sleep(1.0)  # let the extra copy be handled before counting
        effects = await workload.effects_of(stack, good_ids + bad_ids)
        applied = len(effects)
        doubled = sum(c - 1 for c in effects.values() if c > 1)
        record_tally(row, GOOD + HANDLER_POISON, applied, GOOD + HANDLER_POISON - applied, doubled)
        row.check(
            f"`linli dlq list` shows the dead letters ({listing.count(chr(10))} lines)",
            all(str(x.seq) in listing for x in letters),
        )
        row.check(
            f"after the fix each replayed event applied exactly once ({replay_took or 0:.1f} s after the fix)",
            replay_took is not None,
        )
        row.check(
            f"the malformed and the schema-violating event are still dead-lettered, unapplied ({len(remaining)} left)",
            len(remaining) == 2 and all(x.event_id not in bad_ids for x in remaining),
        )
        check_ledger = getattr(workload, "check_ledger", None)
        if check_ledger is not None:
            await check_ledger(stack, row)
    return row
