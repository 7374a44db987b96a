"""Waiting for a state instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def until(probe: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.2) -> float | None:
    """Seconds until `probe()` is true, or None after `timeout` (a failing probe counts as false)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if await probe():
                return time.monotonic() - started
        except Exception:
            pass
        await asyncio.sleep(interval)
    return None
