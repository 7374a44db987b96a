"""How a relay's workers are woken: one per commit, a partner when a batch is full."""

from __future__ import annotations

import asyncio
from typing import Any

from services.kernel.relay import OutboxRelay


def _relay(workers: int) -> OutboxRelay:
    no_database: Any = None
    return OutboxRelay(service="probe", pool=no_database, js=no_database, workers=workers)


def test_a_commit_wakes_one_idle_worker_not_all_of_them() -> None:
    relay = _relay(workers=3)
    idle = [asyncio.Event() for _ in range(3)]
    relay._idle.extend(idle)

    relay.wake()

    assert [event.is_set() for event in idle] == [True, False, False]


def test_the_next_wake_up_goes_to_another_idle_worker() -> None:
    relay = _relay(workers=3)
    idle = [asyncio.Event() for _ in range(3)]
    relay._idle.extend(idle)

    relay.wake()
    relay.wake()

    assert [event.is_set() for event in idle] == [True, True, False]


def test_a_wake_up_while_every_worker_is_busy_is_kept_for_the_first_to_finish() -> None:
    relay = _relay(workers=2)

    relay.wake()

    assert relay._missed
