"""`make chaos`: run the fault-injection scenarios against the real stack and print the table.

    python -m tests.chaos                 every scenario
    python -m tests.chaos --only 1,4      some of them
    python -m tests.chaos --probe         the kernel alone (tests/kernel/probe) where a scenario allows
    python -m tests.chaos --scale 0.3     less traffic (a quick look, not the proof)
    python -m tests.chaos --keep          keep every scenario's directory (logs, data)

Writes the table to tests/chaos/RESULTS.md; exits 1 when any scenario failed or lost or
doubled anything. A scenario's directory (service logs, NATS and Postgres logs) is kept
when it fails.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.chaos.common import Context
from tests.chaos.results import Row, details, table
from tests.chaos.scenarios import BY_NUMBER, SCENARIOS, Scenario

RESULTS = Path(__file__).parent / "RESULTS.md"
SCENARIO_TIMEOUT = 300.0


async def run_one(scenario: Scenario, ctx: Context) -> Row:
    started = time.monotonic()
    try:
        row = await asyncio.wait_for(scenario.load()(ctx), SCENARIO_TIMEOUT)
    except Exception as exc:
        row = Row(scenario.number, scenario.title, error=f"{type(exc).__name__}: {exc}"[:1000])
        traceback.print_exc()
    row.seconds = time.monotonic() - started
    return row


def write_results(rows: list[Row], ctx: Context, out: Path, total_seconds: float) -> None:
    mode = "kernel probe" if ctx.probe else "the five services"
    text = (
        f"<!-- written by `make chaos` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {mode}, scale {ctx.scale}, "
        f"{total_seconds:.0f} s) -->\n\n{table(rows)}\n\n{details(rows)}"
    )
    out.write_text(text)


async def main_async(args: argparse.Namespace) -> int:
    wanted = [s.strip() for s in args.only.split(",")] if args.only else [s.number for s in SCENARIOS]
    unknown = [n for n in wanted if n not in BY_NUMBER]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; known: {', '.join(BY_NUMBER)}", file=sys.stderr)
        return 2
    base = Path(tempfile.mkdtemp(prefix="linli-chaos-"))
    ctx = Context(base_dir=base, scale=args.scale, probe=args.probe)
    rows: list[Row] = []
    started = time.monotonic()
    for number in wanted:
        scenario = BY_NUMBER[number]
        if ctx.probe and not scenario.probe:
            print(f"-- scenario {number} needs the services; skipped with --probe", flush=True)
            continue
        print(f"-- scenario {number}: {scenario.title}", flush=True)
        row = await run_one(scenario, ctx)
        rows.append(row)
        print(table([row]).splitlines()[-1], flush=True)
        if not row.passed:
            print(details([row]), flush=True)
            print(f"   logs kept in {ctx.dir(number)}", flush=True)
        elif not args.keep:
            shutil.rmtree(ctx.dir(number), ignore_errors=True)
    total = time.monotonic() - started
    print()
    print(table(rows))
    print()
    print(details(rows))
    print(f"{len(rows)} scenario(s) in {total:.0f} s")
    out = args.out if args.out is not None else ("" if ctx.probe else str(RESULTS))
    if out:
        write_results(rows, ctx, Path(out), total)
    if all(r.passed for r in rows) and not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if rows and all(r.passed for r in rows) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.chaos", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", help="comma-separated scenario numbers, e.g. 1,4")
    parser.add_argument("--probe", action="store_true", help="run against the kernel probe instead of the services")
    parser.add_argument("--scale", type=float, default=1.0, help="traffic multiplier (1 = the issue's numbers)")
    parser.add_argument("--keep", action="store_true", help="keep every scenario's directory")
    parser.add_argument(
        "--out", default=None, help=f"markdown results file (default {RESULTS.name}; none with --probe)"
    )
    return asyncio.run(_cancel_on_sigterm(main_async(parser.parse_args(argv))))


async def _cancel_on_sigterm(work: Coroutine[Any, Any, int]) -> int:
    """SIGTERM (a CI timeout, `timeout`) cancels the run so every stack still stops its processes."""
    task = asyncio.ensure_future(work)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        print("cancelled: stacks stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
