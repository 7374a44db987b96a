"""Soak: the whole stack at moderate load for a long time, watching each process's memory.

    python -m tests.chaos.soak                       30 minutes, 5 of them warm-up
    python -m tests.chaos.soak --minutes 3 --warmup 1 --interval 10

Load, all through the HTTP APIs, about `--rate` operations a second: residents raise
issues (intake -> notifications), the post leader registers a volunteer, signs them up and
confirms their participation (shifts -> rewards -> notifications), and people read their
accounts, inboxes and the shift list. Every `--interval` seconds the resident set size
(RSS, /proc/<pid>/status VmRSS) of each service and of nats-server is sampled. After
the warm-up, growth is the median of the last three samples over the median of the
first three after warm-up; the verdict is growth under 10 % for every service. The
samples and the verdict go to stdout and to tests/chaos/SOAK.md (--out).

Not part of `make chaos` or CI: it takes half an hour by design.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from services.kernel.migrate import SERVICE_NAMES
from tests.chaos.common import CHAOS_ENV
from tests.chaos.stack import ChaosStack

OUT = Path(__file__).parent / "SOAK.md"
GROWTH_LIMIT = 0.10


def rss_kib(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class Load:
    """Counts of what the load generator did."""

    operations: int = 0
    errors: int = 0
    participations: int = 0
    issues: int = 0
    last_error: str = ""
    by_kind: dict[str, int] = field(default_factory=dict)


class Generator:
    def __init__(self, stack: ChaosStack, rate: float) -> None:
        self.stack = stack
        self.rate = rate
        self.load = Load()
        self.volunteer = 0
        self.shift: str | None = None
        self.in_shift = 0
        self.services = set(stack.service_names)

    async def run(self, until: float) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            if "shifts" in self.services:
                response = await client.put(
                    f"{self.stack.url('shifts')}/posts/patrol",
                    json={"description": "soak", "leader_ids": ["liu-yang"]},
                    headers=self.stack.headers("admin"),
                )
                response.raise_for_status()
            kinds = [k for k in ("issue", "participation", "read") if self._possible(k)]
            while time.monotonic() < until:
                started = time.monotonic()
                kind = random.choice(kinds)
                try:
                    await getattr(self, kind)(client)
                    self.load.by_kind[kind] = self.load.by_kind.get(kind, 0) + 1
                except (httpx.HTTPError, AssertionError) as exc:
                    self.load.errors += 1
                    self.load.last_error = f"{kind}: {type(exc).__name__}: {exc}"[:300]
                self.load.operations += 1
                await asyncio.sleep(max(0.0, 1 / self.rate - (time.monotonic() - started)))

    def _possible(self, kind: str) -> bool:
        needs = {"issue": {"intake"}, "participation": {"shifts"}, "read": {"rewards"}}
        return needs[kind] <= self.services

    async def issue(self, client: httpx.AsyncClient) -> None:
        # Intake limits each resident to a few submissions an hour: spread them over many residents.
        n = self.load.operations % 5000
        person = f"soak-r{n:04d}"
        body = {
            "category": "repairs",
            "title": f"soak {self.load.operations}",
            "description": "楼道灯不亮",
            "building_group": n % 6 + 1,
        }
        response = await client.post(
            f"{self.stack.url('intake')}/issues", json=body, headers=self.stack.headers(person, ["resident"])
        )
        assert response.status_code == 201, response.text[:200]
        self.load.issues += 1

    async def participation(self, client: httpx.AsyncClient) -> None:
        base, lead = self.stack.url("shifts"), self.stack.headers("admin")
        if self.shift is None or self.in_shift >= 200:
            now = datetime.now(UTC)
            body = {
                "post": "patrol",
                "title": f"soak patrol {self.volunteer}",
                "starts_at": (now - timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(hours=3)).isoformat(),
                "capacity": 200,
            }
            response = await client.post(f"{base}/shifts", json=body, headers=lead)
            assert response.status_code == 201, response.text[:200]
            self.shift, self.in_shift = response.json()["id"], 0
        self.volunteer += 1
        self.in_shift += 1
        person = f"soak-v{self.volunteer:06d}"
        body = {"name": person, "kind": "resident", "building_group": self.volunteer % 6 + 1, "posts": ["patrol"]}
        assert (await client.put(f"{base}/volunteers/{person}", json=body, headers=lead)).status_code == 200
        response = await client.post(f"{base}/shifts/{self.shift}/signups", json={"volunteer_id": person}, headers=lead)
        assert response.status_code == 201, response.text[:200]
        confirmation = {
            "participants": [{"volunteer_id": person, "outcome": "completed", "hours": 2, "reason": "soak"}]
        }
        response = await client.post(f"{base}/shifts/{self.shift}/confirmations", json=confirmation, headers=lead)
        assert response.status_code == 200, response.text[:200]
        self.load.participations += 1

    async def read(self, client: httpx.AsyncClient) -> None:
        person = f"soak-v{max(self.volunteer, 1):06d}" if self.volunteer else "wang-fang"
        urls = [f"{self.stack.url('rewards')}/accounts/{person}"]
        if "notifications" in self.services:
            urls.append(f"{self.stack.url('notifications')}/inbox")
        if "shifts" in self.services:
            urls.append(f"{self.stack.url('shifts')}/shifts?limit=20")
        for url in urls:
            response = await client.get(url, headers=self.stack.headers("admin"))
            assert response.status_code in (200, 404), f"{url}: {response.status_code}"


async def sample(
    stack: ChaosStack, samples: list[tuple[float, dict[str, int | None]]], started: float, every: float, until: float
) -> None:
    while time.monotonic() < until:
        row: dict[str, int | None] = {name: rss_kib(stack.pid(name)) for name in stack.service_names}
        row["nats-server"] = rss_kib(stack.nats.process.pid if stack.nats.process else None)
        samples.append((time.monotonic() - started, row))
        print(
            f"  {samples[-1][0]:7.0f}s  " + "  ".join(f"{k} {(v or 0) / 1024:6.1f}MiB" for k, v in row.items()),
            flush=True,
        )
        await asyncio.sleep(every)


SERVICES_ONLY = frozenset(SERVICE_NAMES)
"""The verdict is about the services; nats-server's RSS is reported too, but JetStream's
caches grow with the messages it stores (streams keep a year), which is not a leak."""


def verdict(samples: list[tuple[float, dict[str, int | None]]], warmup: float) -> dict[str, tuple[float, float, float]]:
    """Per process: (MiB at the end of warm-up, MiB at the end, growth)."""
    after = [row for t, row in samples if t >= warmup]
    out: dict[str, tuple[float, float, float]] = {}
    if len(after) < 2:
        return out
    for name in after[0]:
        values = [v for row in after if (v := row.get(name))]
        if len(values) < 2:
            continue
        first = statistics.median(values[:3]) / 1024
        last = statistics.median(values[-3:]) / 1024
        out[name] = (first, last, (last - first) / first)
    return out


def report(
    samples: list[tuple[float, dict[str, int | None]]], load: Load, args: argparse.Namespace, seconds: float
) -> str:
    results = verdict(samples, args.warmup * 60)
    passed = bool(results) and all(g < GROWTH_LIMIT for name, (_, _, g) in results.items() if name in SERVICES_ONLY)
    lines = [
        f"<!-- written by `python -m tests.chaos.soak` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC) -->",
        "",
        f"Soak: {seconds / 60:.1f} min at ~{args.rate} operations/s ({load.operations} operations: "
        f"{load.participations} participations confirmed, {load.issues} issues raised, "
        f"{load.by_kind.get('read', 0)} read rounds; {load.errors} errors), warm-up {args.warmup} min, "
        f"RSS sampled every {args.interval:.0f} s. Verdict: **{'pass' if passed else 'FAIL'}** "
        f"(growth after warm-up under {GROWTH_LIMIT:.0%} for every service; nats-server shown for information).",
        "",
        "| process | RSS after warm-up | RSS at the end | growth |",
        "|---|---:|---:|---:|",
    ]
    for name, (first, last, growth) in results.items():
        lines.append(f"| {name} | {first:.1f} MiB | {last:.1f} MiB | {growth:+.1%} |")
    lines += [
        "",
        "Samples (seconds since start, MiB):",
        "",
        "| t | " + " | ".join(samples[0][1]) + " |",
        "|---:|" + "---:|" * len(samples[0][1]),
    ]
    for t, row in samples:
        lines.append(f"| {t:.0f} | " + " | ".join(f"{(v or 0) / 1024:.1f}" for v in row.values()) + " |")
    if load.last_error:
        lines += ["", f"Last error: `{load.last_error}`"]
    return "\n".join(lines) + "\n"


async def main_async(args: argparse.Namespace) -> int:
    base = Path(tempfile.mkdtemp(prefix="linli-soak-"))
    services = [s for s in SERVICE_NAMES if s in args.services.split(",")]
    started = time.monotonic()
    samples: list[tuple[float, dict[str, int | None]]] = []
    # Every request comes from 127.0.0.1: lift intake's per-address anti-abuse limit for the load generator.
    env = {**CHAOS_ENV, "LINLI_INTAKE_ADDRESS_RATE": "1000000/hour"}
    async with ChaosStack.started(base, services=services, env=env) as stack:
        print(f"stack up in {time.monotonic() - started:.0f} s; soaking {args.minutes} min", flush=True)
        started = time.monotonic()
        until = started + args.minutes * 60
        generator = Generator(stack, args.rate)
        await asyncio.gather(generator.run(until), sample(stack, samples, started, args.interval, until))
        seconds = time.monotonic() - started
    text = report(samples, generator.load, args, seconds)
    print(text)
    if args.out:
        await asyncio.to_thread(Path(args.out).write_text, text)
    with contextlib.suppress(OSError):
        await asyncio.to_thread(shutil.rmtree, base)
    results = verdict(samples, args.warmup * 60)
    return 0 if results and all(g < GROWTH_LIMIT for n, (_, _, g) in results.items() if n in SERVICES_ONLY) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.chaos.soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5, help="minutes before the baseline")
    parser.add_argument("--interval", type=float, default=30, help="seconds between RSS samples")
    parser.add_argument("--rate", type=float, default=5, help="operations per second")
    parser.add_argument("--services", default=",".join(SERVICE_NAMES))
    parser.add_argument("--out", default=str(OUT), help="markdown report ('' for none)")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
