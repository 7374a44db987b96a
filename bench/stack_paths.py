"""Phase 2: the whole stack (real NATS, real PostgreSQL, the five services as processes):
memory idle, the HTTP write path, end to end, growth, and last the rewards backlog (it leaves
downstream work behind, so nothing is measured after it)."""

from __future__ import annotations

import argparse
import asyncio
import traceback
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from bench import http_write
from bench.memory import RssSampler
from bench.stack import BenchStack, phase, present_services
from bench.stats import figure

IDLE_TARGET_MB = 120.0


async def _section(out: dict[str, Any], name: str, log: Any, work: Awaitable[dict[str, Any]]) -> dict[str, Any] | None:
    """Run one section; a failure is recorded under errors and the next section still runs."""
    try:
        result = await work
    except Exception as exc:
        out.setdefault("errors", {})[name] = "".join(traceback.format_exception(exc))
        log(f"{name} failed: {exc!r}")
        return None
    out[name] = result
    return result


async def _settle(stack: BenchStack, log: Any) -> None:
    """Let the work an earlier section left behind finish (e.g. notifications of every POST /issues)."""
    try:
        log(f"settled in {await stack.settle():.1f}s (earlier sections' events consumed)")
    except TimeoutError as exc:
        log(f"not settled, measuring anyway: {exc}")


async def run(base_dir: Path, *, args: argparse.Namespace, sections: list[str], log: Any) -> dict[str, Any]:
    present = present_services()
    out: dict[str, Any] = {}
    if not present:
        out["skipped"] = {"stack": "no service of services/ is in this checkout"}
        return out
    log(f"stack phase: starting {', '.join(present)}")
    async with phase(base_dir, services=present) as stack:
        stack.start_module("baseline", "bench.baseline_http")
        await stack.wait_ready(["baseline"])
        await asyncio.sleep(3)  # let start-up allocations settle
        sampler = RssSampler(stack)
        idle = sampler.snapshot()
        sampler.start()
        try:
            if "http" in sections and "intake" in present:
                log(f"HTTP write path: POST /issues vs baseline, concurrency {args.concurrency}")
                await _section(
                    out,
                    "http",
                    log,
                    http_write.run(stack, concurrency=args.concurrency, seconds=args.duration, rounds=2, log=log),
                )
            if "e2e" in sections and {"shifts", "rewards", "notifications"} <= set(present):
                from bench import e2e

                await _settle(stack, log)
                measured = await _section(out, "e2e", log, e2e.run(stack, args=args, log=log))
                if measured is not None:
                    kernel = getattr(args, "kernel_results", None) or {}
                    baselines = {
                        "http_write_baseline_p99_ms": (out.get("http") or {}).get("baseline_p99_ms", float("nan")),
                        "raw_publish_p99_ms": (kernel.get("publish") or {})
                        .get("publish_ping", {})
                        .get("p99_ms", float("nan")),
                        "raw_consume_p99_ms": (kernel.get("consume_ping") or {}).get("p99_ms", float("nan")),
                    }
                    out["e2e"] = {
                        **measured,
                        "figure": e2e.e2e_figure(measured, baselines),
                        "cost_figure": e2e.per_event_cost_figure(measured),
                    }
            if "growth" in sections:
                from bench import growth

                await _settle(stack, log)
                await _section(out, "growth", log, growth.run(stack, args=args, present=present, log=log))
            if "city" in sections and {"intake", "shifts", "deliberation", "rewards", "notifications"} <= set(present):
                from bench import city

                await _settle(stack, log)
                await _section(out, "city", log, city.run(stack, args=args, log=log))
            if "start" in sections:
                from bench import cold_start

                await _settle(stack, log)
                await _section(out, "start", log, cold_start.run(stack, services=list(present), log=log))
            if "consume" in sections and "rewards" in present:
                from bench import rewards_consume

                await _settle(stack, log)
                await _section(out, "consume", log, rewards_consume.run(stack, args=args, log=log))
        finally:
            sampler.stop()
        peak = sampler.summary()
        base_idle = idle.get("baseline", float("nan"))
        out["memory"] = {
            name: figure(
                name=f"Memory: {name}",
                metric=f"idle RSS (peak under load {peak.get(name, float('nan')):.0f} MB; baseline process peak {peak.get('baseline', float('nan')):.0f} MB)",
                unit="MB",
                value=idle[name],
                baseline=base_idle,
                target=f"<= {IDLE_TARGET_MB:.0f} MB idle",
                met=idle[name] <= IDLE_TARGET_MB,
                higher_is_better=False,
                idle_mb=idle[name],
                peak_under_load_mb=peak.get(name),
            )
            for name in present
            if name in idle
        }
    return out
