"""The scenarios, by number. Each is `async def run(ctx: Context) -> Row` in its own module."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.chaos.common import Context
from tests.chaos.results import Row


@dataclass(frozen=True)
class Scenario:
    number: str
    module: str
    title: str
    fast: bool  # about a minute or less: also run by `make test` (tests/chaos/test_chaos.py)
    probe: bool  # has a kernel-only form (`--probe`) against tests/kernel/probe

    def load(self) -> Callable[[Context], Awaitable[Row]]:
        module = importlib.import_module(f"tests.chaos.scenarios.{self.module}")
        run: Callable[[Context], Awaitable[Row]] = module.run
        return run


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("1", "s1_consumer_killed", "consumer SIGKILLed three times under load", fast=False, probe=True),
    Scenario("2", "s2_nats_outage", "NATS stopped for 20 s mid-stream", fast=False, probe=True),
    Scenario("3", "s3_postgres_restart", "PostgreSQL restarted mid-stream", fast=False, probe=True),
    Scenario("4", "s4_duplicates_disorder", "duplicates and disorder", fast=True, probe=False),
    Scenario("5", "s5_poison", "poison to the dead-letter stream, replay after a fix", fast=True, probe=True),
    Scenario("6", "s6_cluster", "3-node JetStream cluster, one node killed", fast=False, probe=True),
    Scenario("7", "s7_graceful_shutdown", "SIGTERM during load drains in-flight work", fast=False, probe=True),
)

BY_NUMBER = {s.number: s for s in SCENARIOS}
