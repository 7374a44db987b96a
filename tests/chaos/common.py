"""What every scenario shares: its settings, its directory, and the checks made on the streams."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.kernel.dlq import dead_letter_count
from services.kernel.migrate import SERVICE_NAMES
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.streams import event_ids
from tests.chaos.waiting import until
from tests.chaos.workloads import ProbeSelf, ShiftsToRewards, Workload

__all__ = ["until"]

CHAOS_ENV: dict[str, str] = {
    # A message delivered to a process that then died comes back after ack_wait; production
    # keeps 30 s, the suite 10 s so a scenario's recovery is not mostly waiting.
    "LINLI_CONSUMER_ACK_WAIT": "10",
    "LINLI_OUTBOX_POLL_INTERVAL": "0.5",
    "LINLI_GRACEFUL_TIMEOUT": "10",
    "LINLI_DB_POOL_MAX": "8",
    "LINLI_LOG_LEVEL": "WARNING",
}


@dataclass
class Context:
    """How the runner asks for a scenario: where, at what scale, against which flow."""

    base_dir: Path
    scale: float = 1.0
    probe: bool = False
    env: dict[str, str] = field(default_factory=dict)

    def dir(self, scenario: str) -> Path:
        path = self.base_dir / f"scenario-{scenario}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def n(self, full: int, minimum: int = 20) -> int:
        return max(minimum, int(full * self.scale))

    def workload(self, full_stack: bool = False, **kwargs: object) -> Workload:
        """The flow under test; `full_stack` starts all five services, not only its producer and consumer."""
        if self.probe:
            return ProbeSelf()
        workload = ShiftsToRewards(**kwargs)  # type: ignore[arg-type]  # the few knobs a scenario sets
        workload.full_stack = full_stack
        return workload

    def services(self, workload: Workload) -> tuple[str, ...]:
        if getattr(workload, "full_stack", False):
            return SERVICE_NAMES
        return workload.services

    def stack_env(self, **extra: str) -> dict[str, str]:
        return {**CHAOS_ENV, **self.env, **extra}


_T0 = time.monotonic()


def log(message: str) -> None:
    """Progress on the console, so a long scenario is not silent."""
    print(f"   [{time.monotonic() - _T0:6.1f}s] {message}", flush=True)


async def published_ids(stack: ChaosStack, workload: Workload) -> set[str]:
    """Events of the flow that JetStream acknowledged to the producer's relay."""
    rows = await stack.fetch(
        f"SELECT id::text FROM {workload.producer}.outbox WHERE event_type = $1 AND published_at IS NOT NULL",
        getattr(workload, "event_type", ""),
    )
    return {r[0] for r in rows}


async def check_stream(row: Row, stack: ChaosStack, workload: Workload) -> tuple[int, int]:
    """Every acknowledged event is in the stream, once. Returns (missing, doubled) and records the check."""
    async with stack.jetstream() as js:
        stored = await event_ids(js, workload.stream, workload.subject)
    acked = await published_ids(stack, workload)
    missing = len(acked - set(stored))
    doubled = sum(c - 1 for c in stored.values() if c > 1)
    row.check(
        f"stream {workload.stream} holds every acknowledged event once ({len(acked)} acked, {len(stored)} stored)",
        missing == 0 and doubled == 0,
        None if missing == 0 and doubled == 0 else f"stream: {missing} acknowledged events missing, {doubled} copies",
    )
    return missing, doubled


async def lagging_consumers(stack: ChaosStack) -> dict[str, tuple[int, int]]:
    """Durable consumers of the running services with messages not yet delivered or acknowledged."""
    prefixes = tuple(f"{name}__" for name in stack.service_names)
    lagging: dict[str, tuple[int, int]] = {}
    async with stack.jetstream() as js:
        for stream in await js.streams_info():
            for info in await js.consumers_info(stream.config.name or ""):
                name = info.name or ""
                if name.startswith(prefixes) and (info.num_pending or info.num_ack_pending):
                    lagging[name] = (int(info.num_pending or 0), int(info.num_ack_pending or 0))
    return lagging


async def check_all_consumers(row: Row, stack: ChaosStack, timeout: float = 60) -> None:
    """Every consumer of every running service caught up, and nothing went to the dead-letter stream:
    not only the flow under test but everything downstream of it (notifications of the awards...)."""
    last: dict[str, tuple[int, int]] = {}

    async def caught_up() -> bool:
        nonlocal last
        last = await lagging_consumers(stack)
        return not last

    took = await until(caught_up, timeout=timeout, interval=0.5)
    row.check(
        f"every consumer of {', '.join(stack.service_names)} caught up"
        + ("" if took is not None else f" (still behind: {last})"),
        took is not None,
    )
    async with stack.jetstream() as js:
        dead = {name: await dead_letter_count(js, name) for name in stack.service_names}
    row.check(
        f"nothing dead-lettered by any service ({sum(dead.values())})",
        not any(dead.values()),
        None if not any(dead.values()) else f"dead letters: {dead}",
    )


async def readiness(stack: ChaosStack, names: list[str]) -> dict[str, int]:
    """The /readyz status code of each service now (0 when it does not answer)."""
    out: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=3) as client:
        for name in names:
            try:
                out[name] = (await client.get(f"{stack.url(name)}/readyz")).status_code
            except httpx.HTTPError:
                out[name] = 0
    return out


_METRIC = re.compile(r"^(?P<name>[a-z_]+)\{(?P<labels>[^}]*)\} (?P<value>[0-9.eE+-]+)$")


async def metric(stack: ChaosStack, service: str, name: str, **labels: str) -> float:
    """The sum of a Prometheus sample of `service` whose labels include `labels`."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(f"{stack.url(service)}/metrics")).text
    total = 0.0
    for line in text.splitlines():
        match = _METRIC.match(line)
        if not match or match["name"] != name:
            continue
        have = dict(part.split("=", 1) for part in match["labels"].split(",") if "=" in part)
        if all(have.get(k, "").strip('"') == v for k, v in labels.items()):
            total += float(match["value"])
    return total


def record_tally(row: Row, sent: int, applied: int, lost: int, duplicated: int) -> None:
    row.sent, row.applied, row.lost, row.duplicated = sent, applied, lost, duplicated
