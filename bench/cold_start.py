"""Cold start: each service stopped, then started as `python -m services.<name>` is in production;
the figure is the time from the process being spawned to its first /readyz 200 (database and NATS
reached, consumers declared, the relay caught up), polled every 20 ms. Its idle RSS is read 3 s
later. The baseline is the same for the bare Starlette endpoint of the HTTP figures (bench/baseline_http.py):
what an interpreter with uvicorn and asyncpg costs before any of Linli is imported.

Run after the other stack sections, with the stack settled, so a start does not catch up on work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.memory import rss_mb
from bench.stack import BenchStack
from bench.stats import figure

READY_TARGET_S = 3.0
IDLE_TARGET_MB = 120.0


async def _ready_after_spawn(stack: BenchStack, name: str, timeout: float = 60.0) -> float:
    if stack.pid(name):
        stack.terminate(name)
    started = time.monotonic()
    # start_service waits for the port to listen (polling every 50 ms); /readyz is polled from then on.
    await asyncio.to_thread(stack.start_service, name)
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            try:
                response = await client.get(f"{stack.url(name)}/readyz")
                if response.status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{name} not ready {timeout}s after its start")
            await asyncio.sleep(0.02)


async def run(stack: BenchStack, *, services: list[str], log: Any) -> dict[str, Any]:
    baseline = await _ready_after_spawn(stack, "baseline")
    await asyncio.sleep(3)
    baseline_rss = rss_mb(stack.pid("baseline") or 0)
    out: dict[str, Any] = {"baseline_ready_s": round(baseline, 3), "baseline_idle_mb": round(baseline_rss, 1)}
    for name in services:
        seconds = await _ready_after_spawn(stack, name)
        await asyncio.sleep(3)
        idle = rss_mb(stack.pid(name) or 0)
        log(f"cold start {name}: ready {seconds:.2f}s after spawn, idle RSS {idle:.0f} MB")
        out[name] = figure(
            name=f"Cold start: {name}",
            metric="seconds from the process spawned to /readyz 200 (baseline: the bare Starlette endpoint)",
            unit="s",
            value=seconds,
            baseline=baseline,
            target=f"<= {READY_TARGET_S:.0f} s",
            met=seconds <= READY_TARGET_S,
            higher_is_better=False,
            idle_rss_after_start_mb=round(idle, 1),
        )
    return out
