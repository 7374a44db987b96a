"""Traffic a scenario sends through the HTTP APIs, and the tally of what came of it.

A workload knows one flow end to end: which request causes which event, which consumer
applies it, and how to count both from the databases (the outbox rows the producer
committed versus the effect rows the consumer committed, joined on the event id). The
tally is computed from what was committed, not from what the client believes it sent, so
a request whose response was lost still counts exactly once.

- `ShiftsToRewards`: the post leader confirms volunteers' participation on the shifts API
  -> participation.completed -> the rewards ledger awards points (the money path).
- `ProbeSelf`: the kernel probe (tests/kernel/probe) emits issue.submitted and consumes
  it itself, so the suite's machinery can be exercised on the kernel alone (`--probe`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from contracts.enums import IssueCategory, IssueChannel, IssueStatus, PostType
from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from contracts.events.shifts import ParticipationCompleted
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.streams import read_stream
from tests.chaos.waiting import until


@dataclass
class Tally:
    sent: int  # events of the flow the producer committed to its outbox
    published: int  # of those, acknowledged by JetStream (marked published by the relay)
    applied: int  # effect rows the consumer committed
    distinct: int  # distinct events among the effect rows
    lost: int  # committed events with no effect

    @property
    def duplicated(self) -> int:
        return self.applied - self.distinct

    @property
    def complete(self) -> bool:
        return self.lost == 0 and self.sent > 0


class Workload(Protocol):
    name: str

    @property
    def services(self) -> tuple[str, ...]: ...

    producer: str
    consumer: str
    stream: str
    subject: str
    durable: str

    async def prepare(self, stack: ChaosStack, total: int) -> None: ...

    async def write(self, stack: ChaosStack, client: httpx.AsyncClient, items: Sequence[int]) -> list[str]: ...

    async def tally(self, stack: ChaosStack) -> Tally: ...

    async def verify(self, stack: ChaosStack, row: Row) -> None:
        """The flow's own invariants beyond the tally (the ledger audit, the consumer's own events)."""

    def event(self, i: int, *, poison: bool = False) -> CloudEvent[Any]:
        """An event for the consumer, published straight to NATS; `poison` ones fail until `fix`."""

    async def break_handler(self, stack: ChaosStack) -> None:
        """Make the consumer's handler fail on the poison events (a bug or missing data)."""

    async def fix(self, stack: ChaosStack) -> None:
        """What an operator does before replaying the dead letters."""

    async def effects_of(self, stack: ChaosStack, event_ids: list[str]) -> Counter[str]:
        """How many effects each of these event ids has."""


async def _ok(response: httpx.Response, *expected: int) -> httpx.Response:
    if response.status_code not in (expected or (200, 201)):
        raise WriteRefused(response.status_code, response.text[:500])
    return response


class WriteRefused(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status


async def bounded(concurrency: int, jobs: Sequence[Any]) -> list[Any]:
    """Await coroutines with at most `concurrency` at once (the machine has two cores)."""
    gate = asyncio.Semaphore(concurrency)

    async def run(job: Any) -> Any:
        async with gate:
            return await job

    return await asyncio.gather(*(run(j) for j in jobs))


# -- shifts -> rewards --------------------------------------------------------------------------


@dataclass
class ShiftsToRewards:
    """`total` volunteers, each signed up for one of `total / per_shift` concurrent shifts.

    A volunteer cannot take two overlapping shifts, and confirmation needs a shift that has
    started while sign-up needs one that has not ended, so every shift spans "now" and
    each volunteer serves once: 1,000 participations need 1,000 volunteers."""

    per_shift: int = 100
    check_in_out_every: int = 4  # every n-th volunteer checks in and out from "their phone"; 0: none
    hours: float = 2.0
    concurrency: int = 12
    with_notifications: bool = False
    full_stack: bool = False  # the scenario runs all five services around this flow
    name: str = "shifts->rewards"
    producer: str = "shifts"
    consumer: str = "rewards"
    stream: str = "LINLI_SHIFTS"
    subject: str = "linli.*.participation.completed"
    durable: str = "rewards__participation_completed"
    event_type: str = "linli.participation.completed.v1"
    leader: str = "admin"
    shift_of: dict[int, str] = field(default_factory=dict)

    @property
    def services(self) -> tuple[str, ...]:
        return ("shifts", "rewards", "notifications") if self.with_notifications else ("shifts", "rewards")

    @staticmethod
    def volunteer(i: int) -> str:
        return f"chaos-v{i:05d}"

    async def prepare(self, stack: ChaosStack, total: int) -> None:
        lead = stack.headers(self.leader)
        async with stack.client("shifts") as client:
            await _ok(
                await client.put(
                    "/posts/patrol", json={"description": "chaos patrol", "leader_ids": ["liu-yang"]}, headers=lead
                )
            )

            async def register(i: int) -> None:
                body = {"name": f"志愿者{i}", "kind": "resident", "building_group": i % 6 + 1, "posts": ["patrol"]}
                await _ok(await client.put(f"/volunteers/{self.volunteer(i)}", json=body, headers=lead))

            await bounded(self.concurrency, [register(i) for i in range(total)])
            now = datetime.now(UTC)
            shifts = (total + self.per_shift - 1) // self.per_shift
            for k in range(shifts):
                body = {
                    "post": "patrol",
                    "title": f"chaos patrol {k}",
                    "starts_at": (now - timedelta(minutes=10)).isoformat(),
                    "ends_at": (now + timedelta(hours=3)).isoformat(),
                    "capacity": self.per_shift,
                }
                shift = (await _ok(await client.post("/shifts", json=body, headers=lead), 201)).json()
                for i in range(k * self.per_shift, min((k + 1) * self.per_shift, total)):
                    self.shift_of[i] = shift["id"]

            async def sign_up(i: int) -> None:
                url = f"/shifts/{self.shift_of[i]}/signups"
                await _ok(await client.post(url, json={"volunteer_id": self.volunteer(i)}, headers=lead), 201)
                if self.check_in_out_every and i % self.check_in_out_every == 0:
                    me = stack.headers(self.volunteer(i), ["resident", "volunteer"])
                    base = f"/shifts/{self.shift_of[i]}/signups/{self.volunteer(i)}"
                    await _ok(await client.post(f"{base}/check-in", headers=me))
                    await _ok(await client.post(f"{base}/check-out", headers=me))

            await bounded(self.concurrency, [sign_up(i) for i in range(total)])

    async def write(self, stack: ChaosStack, client: httpx.AsyncClient, items: Sequence[int]) -> list[str]:
        """Confirm the participation of volunteers `items` (one request per shift they are on).
        Confirming again returns the first result and emits nothing, so a retry is safe."""
        by_shift: dict[str, list[int]] = {}
        for i in items:
            by_shift.setdefault(self.shift_of[i], []).append(i)
        done: list[str] = []
        for shift_id, members in by_shift.items():
            body = {
                "participants": [
                    {
                        "volunteer_id": self.volunteer(i),
                        "outcome": "completed",
                        "hours": self.hours,
                        "reason": "chaos: check-in and check-out seconds apart",
                    }
                    for i in members
                ]
            }
            response = await _ok(
                await client.post(f"/shifts/{shift_id}/confirmations", json=body, headers=stack.headers(self.leader))
            )
            done.extend(str(p["id"]) for p in response.json())
        return done

    async def tally(self, stack: ChaosStack) -> Tally:
        row = (
            await stack.fetch(
                """
                WITH sent AS (SELECT id, published_at FROM shifts.outbox WHERE event_type = $1),
                     applied AS (SELECT source_event_id FROM rewards.awards WHERE source_event_type = $1)
                SELECT (SELECT count(*) FROM sent) AS sent,
                       (SELECT count(*) FROM sent WHERE published_at IS NOT NULL) AS published,
                       (SELECT count(*) FROM applied) AS applied,
                       (SELECT count(DISTINCT source_event_id) FROM applied) AS distinct_applied,
                       (SELECT count(*) FROM sent WHERE id NOT IN (SELECT source_event_id FROM applied)) AS lost
                """,
                self.event_type,
            )
        )[0]
        return Tally(row["sent"], row["published"], row["applied"], row["distinct_applied"], row["lost"])

    async def verify(self, stack: ChaosStack, row: Row) -> None:
        """The ledger audit is clean, and rewards published one points.awarded per participation."""
        await self.check_ledger(stack, row)

        async def relayed() -> bool:
            backlog = await stack.fetchval("SELECT count(*) FROM rewards.outbox WHERE published_at IS NULL")
            return bool(backlog == 0)

        await until(relayed, timeout=60, interval=0.25)
        paid = await stack.fetchval(
            "SELECT count(*) FROM rewards.awards WHERE source_event_type = $1 AND transaction_id IS NOT NULL",
            self.event_type,
        )
        async with stack.jetstream() as js:
            awarded = await read_stream(js, "LINLI_REWARDS", "linli.*.points.awarded")
        per_source = Counter(
            str(m.json().get("data", {}).get("source_event_id"))
            for m in awarded
            if m.json().get("data", {}).get("source_event_type") == self.event_type
        )
        doubled = sum(c - 1 for c in per_source.values() if c > 1)
        row.check(
            f"one points.awarded per paid award in LINLI_REWARDS ({len(per_source)} for {paid} awards, {doubled} copies)",
            len(per_source) == paid and doubled == 0,
        )
        row.duplicated += doubled

    async def check_ledger(self, stack: ChaosStack, row: Row) -> None:
        async with stack.client("rewards") as client:
            response = await client.get("/ledger/verify", headers=stack.headers("admin"))
        report = response.json()
        row.check(
            "GET /ledger/verify is clean",
            response.status_code == 200 and bool(report.get("clean")),
            None if response.status_code == 200 else f"ledger: {response.text[:300]}",
        )

    def event(self, i: int, *, poison: bool = False) -> CloudEvent[Any]:
        now = datetime.now(UTC)
        person = f"chaos-poison-{i}" if poison else f"chaos-direct-{i}"
        data = ParticipationCompleted(
            participation_id=uuid.uuid4(),
            shift_id=uuid.uuid4(),
            volunteer_id=person,
            post_type=PostType.PATROL,
            building_group=i % 6 + 1,
            hours=2.0,
            started_at=now - timedelta(hours=2),
            ended_at=now,
            confirmed_by="liu-yang",
            confirmed_at=now,
        )
        return CloudEvent.wrap(data, community="meihu", service="shifts", subject=person)

    async def break_handler(self, stack: ChaosStack) -> None:
        """A trigger refuses awards to the poison volunteers: the handler raises, a poison try."""
        await stack.fetch(
            """CREATE OR REPLACE FUNCTION rewards.chaos_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN
                   IF NEW.person_id LIKE 'chaos-poison-%' THEN
                       RAISE EXCEPTION 'chaos: awards to % are refused until the fix', NEW.person_id;
                   END IF;
                   RETURN NEW;
               END $$"""
        )
        await stack.fetch(
            "CREATE TRIGGER chaos_refuse BEFORE INSERT ON rewards.awards FOR EACH ROW EXECUTE FUNCTION rewards.chaos_refuse()"
        )

    async def fix(self, stack: ChaosStack) -> None:
        await stack.fetch("DROP TRIGGER chaos_refuse ON rewards.awards")

    async def effects_of(self, stack: ChaosStack, event_ids: list[str]) -> Counter[str]:
        rows = await stack.fetch(
            "SELECT source_event_id::text FROM rewards.awards WHERE source_event_id = ANY($1::uuid[])", event_ids
        )
        return Counter(r[0] for r in rows)

    async def confirmed_ids(self, stack: ChaosStack) -> set[str]:
        rows = await stack.fetch("SELECT id::text FROM shifts.participations WHERE outcome = 'completed'")
        return {r[0] for r in rows}


# -- the kernel probe ----------------------------------------------------------------------------


@dataclass
class ProbeSelf:
    """POST /emit on the probe writes issue.submitted to its outbox; its consumer records effects."""

    name: str = "probe"
    services: tuple[str, ...] = ("probe",)
    producer: str = "probe"
    consumer: str = "probe"
    stream: str = "LINLI_INTAKE"
    subject: str = "linli.*.issue.submitted"
    durable: str = "probe__issue_submitted"
    event_type: str = "linli.issue.submitted.v1"

    async def prepare(self, stack: ChaosStack, total: int) -> None:
        return None

    async def write(self, stack: ChaosStack, client: httpx.AsyncClient, items: Sequence[int]) -> list[str]:
        body = {"titles": [f"chaos {i}" for i in items]}
        response = await _ok(await client.post("/emit", json=body, headers=stack.headers("admin")), 202)
        return [str(x) for x in response.json()["event_ids"]]

    async def tally(self, stack: ChaosStack) -> Tally:
        row = (
            await stack.fetch(
                """
                WITH sent AS (SELECT id, published_at FROM probe.outbox WHERE event_type = $1)
                SELECT (SELECT count(*) FROM sent) AS sent,
                       (SELECT count(*) FROM sent WHERE published_at IS NOT NULL) AS published,
                       (SELECT count(*) FROM probe.effects) AS applied,
                       (SELECT count(DISTINCT event_id) FROM probe.effects) AS distinct_applied,
                       (SELECT count(*) FROM sent WHERE id NOT IN (SELECT event_id FROM probe.effects)) AS lost
                """,
                self.event_type,
            )
        )[0]
        return Tally(row["sent"], row["published"], row["applied"], row["distinct_applied"], row["lost"])

    async def verify(self, stack: ChaosStack, row: Row) -> None:
        return None

    def event(self, i: int, *, poison: bool = False) -> CloudEvent[Any]:
        data = IssueSubmitted(
            issue_id=uuid.uuid4(),
            category=IssueCategory.OTHER,
            title=f"poison {i}" if poison else f"direct {i}",
            status=IssueStatus.SUBMITTED,
            channel=IssueChannel.APP,
            submitted_at=datetime.now(UTC),
        )
        return CloudEvent.wrap(data, community="meihu", service="intake", subject=str(data.issue_id))

    async def break_handler(self, stack: ChaosStack) -> None:
        await stack.fetch("UPDATE probe.switches SET fixed = false WHERE name = 'poison'")

    async def fix(self, stack: ChaosStack) -> None:
        await stack.fetch("UPDATE probe.switches SET fixed = true WHERE name = 'poison'")

    async def effects_of(self, stack: ChaosStack, event_ids: list[str]) -> Counter[str]:
        rows = await stack.fetch("SELECT event_id::text FROM probe.effects WHERE event_id = ANY($1::uuid[])", event_ids)
        return Counter(r[0] for r in rows)


# -- driving and waiting ---------------------------------------------------------------------------


@dataclass
class Drive:
    """What the client saw: items acknowledged (2xx), attempts refused or failed, and retries."""

    acknowledged: int = 0
    acknowledged_ids: list[str] = field(default_factory=list)
    failures: int = 0
    retried_items: int = 0
    first_failure: str | None = None
    seconds: float = 0.0


async def drive(
    workload: Workload,
    stack: ChaosStack,
    total: int,
    *,
    start: int = 0,
    batch: int = 10,
    concurrency: int = 4,
    pace: float = 0.0,
    retry_for: float = 0.0,
) -> Drive:
    """Write items start..total-1 in batches; `pace` seconds between batch starts (0: as fast as
    possible); a failed batch is retried for up to `retry_for` seconds (0: counted, not retried)."""
    result = Drive()
    started = time.monotonic()
    gate = asyncio.Semaphore(concurrency)
    async with stack.client(workload.producer) as client:

        async def one(items: list[int]) -> None:
            deadline = time.monotonic() + retry_for
            attempt = 0
            async with gate:
                while True:
                    try:
                        ids = await workload.write(stack, client, items)
                        result.acknowledged += len(items)
                        result.acknowledged_ids.extend(ids)
                        return
                    except (httpx.HTTPError, WriteRefused) as exc:
                        result.failures += 1
                        result.first_failure = result.first_failure or f"{type(exc).__name__}: {exc}"[:300]
                        if time.monotonic() >= deadline:
                            return
                        if attempt == 0:
                            result.retried_items += len(items)
                        attempt += 1
                        await asyncio.sleep(min(0.2 * attempt, 2.0))

        tasks = []
        for first in range(start, total, batch):
            tasks.append(asyncio.create_task(one(list(range(first, min(first + batch, total))))))
            if pace:
                await asyncio.sleep(pace)
        await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - started
    return result


async def converge(workload: Workload, stack: ChaosStack, expected: int, timeout: float = 120) -> tuple[Tally, float]:
    """Wait until every committed event of the flow has its effect; returns the tally and the wait."""
    started = time.monotonic()
    while True:
        try:
            tally = await workload.tally(stack)
        except (OSError, Exception) as exc:  # the database may be restarting
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"cannot read the tally: {exc}") from exc
            await asyncio.sleep(0.5)
            continue
        if (tally.sent >= expected and tally.lost == 0) or time.monotonic() - started > timeout:
            return tally, time.monotonic() - started
        await asyncio.sleep(0.25)
