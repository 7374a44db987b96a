"""The parts a benchmark phase runs on: services/stack/harness.py's Harness (real nats-server,
real PostgreSQL, services as `python -m services.<name>` processes), plus what only the
benchmark starts: the kernel probe service and the baseline HTTP endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import asyncpg
import nats
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo

from services.kernel.migrate import SERVICE_NAMES, migrate
from services.kernel.topology import ConsumerSpec
from services.stack.harness import REPO, Harness, ServiceHandle
from services.stack.ports import any_free

PROBE_MIGRATIONS = REPO / "tests" / "kernel" / "probe" / "migrations"

# Benchmarks measure throughput, so the per-person and per-address submission limits that
# protect a real community from floods are lifted; everything else keeps its defaults.
BENCH_ENV = {
    "LINLI_LOG_LEVEL": "WARNING",
    "LINLI_INTAKE_PERSON_RATE": "1000000/second",
    "LINLI_INTAKE_ADDRESS_RATE": "1000000/second",
}


def present_services() -> tuple[str, ...]:
    """The services of this checkout (before they all land, the benchmark measures what is there)."""
    return tuple(name for name in SERVICE_NAMES if importlib.util.find_spec(f"services.{name}.__main__") is not None)


class BenchStack(Harness):
    """A Harness that can also run modules outside services/ (the probe, the baseline)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modules: dict[str, str] = {}  # what runs under a name outside services/

    def module_of(self, name: str) -> str:
        return self.modules.get(name) or super().module_of(name)

    def start_module(self, name: str, module: str, extra_env: dict[str, str] | None = None) -> ServiceHandle:
        if name not in self.services:
            self.services[name] = ServiceHandle(name, any_free(), self.base_dir / f"{name}.log")
        if self.services[name].running:  # never leave a process behind by starting its replacement
            self.terminate(name)
        self.modules[name] = module
        self.start_service(name, extra_env)
        return self.services[name]

    def start_probe(self, extra_env: dict[str, str] | None = None) -> ServiceHandle:
        migrate(self.database_url, "probe", PROBE_MIGRATIONS)
        return self.start_module("probe", "tests.kernel.probe", extra_env)

    def pid(self, name: str) -> int | None:
        handle = self.services.get(name)
        return handle.process.pid if handle and handle.process and handle.process.poll() is None else None

    def pids(self) -> dict[str, int]:
        return {name: pid for name in self.services if (pid := self.pid(name)) is not None}

    async def consumers_of(self, event_name: str) -> list[str]:
        """The running services with a durable consumer of `event_name` (e.g. issue.submitted), as
        JetStream has them, so a section that must not pay for an event's consumers finds every one
        (community came to count issue.submitted for its yearly report after the section was written)."""
        nc = await nats.connect(self.nats.url)
        try:
            declared = {c.config.durable_name for c in await _durable_consumers(nc.jetstream())}
        finally:
            await nc.close()
        return [
            name for name in self.service_names if self.pid(name) and ConsumerSpec(name, event_name).durable in declared
        ]

    async def settle(self, timeout: float = 300.0) -> float:
        """Wait until every outbox is published and every durable consumer has nothing pending or
        unacknowledged, so a measurement does not pay for the work an earlier one left behind
        (POST /issues leaves thousands of issue.submitted for notifications). Returns seconds waited."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        conn = await asyncpg.connect(self.database_url)
        nc = await nats.connect(self.nats.url)
        try:
            js = nc.jetstream()
            while True:
                backlog = 0
                for name in self.service_names:
                    backlog += await conn.fetchval(f"SELECT count(*) FROM {name}.outbox WHERE published_at IS NULL")
                for consumer in await _durable_consumers(js):
                    backlog += (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
                if backlog == 0:
                    return loop.time() - started
                if loop.time() - started > timeout:
                    raise TimeoutError(f"{backlog} events still in flight after {timeout}s")
                await asyncio.sleep(0.2)
        finally:
            await nc.close()
            await conn.close()


async def _durable_consumers(js: JetStreamContext) -> list[ConsumerInfo]:
    """Every consumer of every stream on the server."""
    return [c for stream in await js.streams_info() for c in await js.consumers_info(stream.config.name or "")]


@contextlib.asynccontextmanager
async def phase(base_dir: Path, services: Iterable[str] = ()) -> AsyncIterator[BenchStack]:
    """Fresh NATS + PostgreSQL (+ services) for one phase; everything stopped afterwards."""
    await asyncio.to_thread(base_dir.mkdir, parents=True, exist_ok=True)
    stack = BenchStack(base_dir, services=tuple(services), env=dict(BENCH_ENV))
    await asyncio.to_thread(stack.start_infrastructure)
    try:
        for name in stack.service_names:
            stack.start_service(name)
        if stack.service_names:
            await stack.wait_ready()
        yield stack
    finally:
        await asyncio.to_thread(stack.stop_all)
