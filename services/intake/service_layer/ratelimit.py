"""Submission rate limits per person and per client address, with the `limits` library.

Counters live in process memory (moving window): each instance limits on its own, so
with N instances behind a balancer the effective ceiling is up to N times the setting.
A shared store (Redis) would make it exact; Linli ships none, so this is the trade-off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from services.kernel.errors import LimitReached


class RateLimited(LimitReached):
    """Too many submissions: answered 429 with the seconds until the window frees a slot (Retry-After)."""


@dataclass
class SubmissionLimits:
    person_rate: str
    address_rate: str
    _storage: MemoryStorage = field(default_factory=MemoryStorage)

    def __post_init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._person: RateLimitItem = parse(self.person_rate)
        self._address: RateLimitItem = parse(self.address_rate)

    async def hit(self, community: str, person: str, address: str | None) -> None:
        """Count one submission; RateLimited if the person or the address is over its limit."""
        if not await self._limiter.hit(self._person, "person", community, person):
            raise RateLimited(
                f"Too many submissions from you ({self.person_rate}); please wait / 提交过于频繁，请稍后再试.",
                retry_after=await self._retry_after(self._person, "person", community, person),
                limit=self.person_rate,
                scope="person",
            )
        if address and not await self._limiter.hit(self._address, "address", address):
            raise RateLimited(
                f"Too many submissions from this address ({self.address_rate}) / 该地址提交过于频繁.",
                retry_after=await self._retry_after(self._address, "address", address),
                limit=self.address_rate,
                scope="address",
            )

    async def _retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))
