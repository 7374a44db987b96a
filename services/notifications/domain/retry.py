"""When a failed delivery is tried again, and when it is given up."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base: float
    cap: float
    window: float | None  # seconds from the first try; None: bounded by max_attempts only
    max_attempts: int | None

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Exponential back-off with full jitter around the step: base * 2^(n-1), capped, times 0.5-1.5."""
        step = min(self.base * 2 ** max(attempts - 1, 0), self.cap)
        jitter: float = (rng or random).uniform(0.5, 1.5)
        return float(step * jitter)

    def next_try(self, *, attempts: int, retry_from: datetime, now: datetime) -> datetime | None:
        """The time of the next try, or None when the delivery has failed for good."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return None
        at = now + timedelta(seconds=self.delay(attempts))
        if self.window is not None and at > retry_from + timedelta(seconds=self.window):
            return None
        return at
