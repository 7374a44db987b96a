"""Submission rate limits per person and per client address.

Counters live in process memory (moving window): each instance limits on its own, so
with N instances behind a balancer the effective ceiling is up to N times the setting.
A shared store (Redis) would make it exact; Linli ships none, so this is the trade-off.

The rates are written as the `limits` library writes them ("10/minute") and parsed by it, but the
window is kept here, as a deque of hit times per key. Both of the library's memory storages cost
POST /issues more than the rest of its Python work together (profiled for issue 19): the asyncio
one sweeps expired hits from a task started on every check that hands each key to a worker
thread (`asyncio.to_thread` per key, per request), and the synchronous one starts a new timer
thread every 10 ms while checks come in, each start blocking the event loop until the thread runs.
Here a check prunes its own key, and keys left idle are dropped by a sweep at most once a window.
"""

from __future__ import annotations

import collections
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from limits import RateLimitItem, parse

from services.kernel.errors import LimitReached


class RateLimited(LimitReached):
    """Too many submissions: answered 429 with the seconds until the window frees a slot (Retry-After)."""


class MovingWindow:
    """At most `item.amount` hits in any `item.get_expiry()` seconds, per key."""

    def __init__(self, item: RateLimitItem, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = item.amount
        self.window = float(item.get_expiry())
        self._clock = clock
        self._hits: dict[tuple[str, ...], collections.deque[float]] = {}
        self._swept = clock()

    def hit(self, *key: str) -> float | None:
        """Count a hit for `key`; None if it is within the limit, else the seconds until a slot frees
        (the hit is then not counted)."""
        now = self._clock()
        if now - self._swept >= self.window:
            self._sweep(now)
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = collections.deque()
        horizon = now - self.window
        while hits and hits[0] <= horizon:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] - horizon
        hits.append(now)
        return None

    def _sweep(self, now: float) -> None:
        horizon = now - self.window
        for key in [key for key, hits in self._hits.items() if not hits or hits[-1] <= horizon]:
            del self._hits[key]
        self._swept = now


@dataclass
class SubmissionLimits:
    person_rate: str
    address_rate: str
    clock: Callable[[], float] = field(default=time.monotonic)

    def __post_init__(self) -> None:
        self._person = MovingWindow(parse(self.person_rate), self.clock)
        self._address = MovingWindow(parse(self.address_rate), self.clock)

    def hit(self, community: str, person: str, address: str | None) -> None:
        """Count one submission; RateLimited if the person or the address is over its limit."""
        wait = self._person.hit(community, person)
        if wait is not None:
            raise RateLimited(
                f"Too many submissions from you ({self.person_rate}); please wait / 提交过于频繁，请稍后再试.",
                retry_after=max(1, math.ceil(wait)),
                limit=self.person_rate,
                scope="person",
            )
        if address and (wait := self._address.hit(address)) is not None:
            raise RateLimited(
                f"Too many submissions from this address ({self.address_rate}) / 该地址提交过于频繁.",
                retry_after=max(1, math.ceil(wait)),
                limit=self.address_rate,
                scope="address",
            )
