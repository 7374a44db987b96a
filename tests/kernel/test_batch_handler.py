"""A subscription's batch handler sees each fresh event of a pulled batch once, in one call;
when the batch fails, the kernel falls back to the per-event handler, and poison still dead-letters.

The consumer is driven by hand here (the test pulls the messages and hands them to
`process_batch`), so what makes up a batch is decided by the test, not by fetch timing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.envelope import CloudEvent
from contracts.events.issue import IssueSubmitted
from services.kernel import db, dlq
from services.kernel.clock import SystemClock
from services.kernel.consumer import EventConsumers, Subscription
from services.kernel.outbox import Outbox
from services.kernel.settings import ServiceSettings
from services.kernel.topology import ConsumerSpec, ensure_streams
from services.kernel.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.kernel.helpers import effect_titles, probe_rows, submitted
from tests.support.infra import eventually, settings_for

SPEC = ConsumerSpec("probe", "issue.submitted")
Uow = UnitOfWork[ServiceSettings]


@dataclass
class Recorder:
    """The probe's effect, applied per event or per batch; poison fails both ways."""

    batches: list[list[str]] = field(default_factory=list)
    singles: list[str] = field(default_factory=list)

    async def handle(self, uow: Uow, event: CloudEvent[Any]) -> None:
        self.singles.append(event.data.title)
        if event.data.title.startswith("poison"):
            raise ValueError("the handler cannot cope with poison")
        await uow.conn.execute("INSERT INTO effects (event_id, title) VALUES ($1, $2)", event.id, event.data.title)

    async def handle_batch(self, uow: Uow, events: Sequence[CloudEvent[Any]]) -> None:
        self.batches.append([e.data.title for e in events])
        await uow.conn.execute(
            "INSERT INTO effects (event_id, title) SELECT * FROM unnest($1::uuid[], $2::text[])",
            [e.id for e in events],
            [e.data.title for e in events],
        )
        if any(e.data.title.startswith("poison") for e in events):
            raise ValueError("the handler cannot cope with poison")


@dataclass
class Harness:
    js: JetStreamContext
    consumers: EventConsumers
    subscription: Subscription
    recorder: Recorder

    async def publish(self, event: CloudEvent[Any], msg_id: str | None = None) -> None:
        await self.js.publish(
            event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id or str(event.id)}
        )

    async def pull(self, count: int) -> list[Msg]:
        """Exactly `count` delivered messages, however many fetches that takes."""
        subscription = await self.js.pull_subscribe_bind(SPEC.durable, SPEC.stream)
        messages: list[Msg] = []
        while len(messages) < count:
            messages += await subscription.fetch(count - len(messages), timeout=5)
        await subscription.unsubscribe()
        return messages

    async def process(self, messages: list[Msg]) -> None:
        await self.consumers.process_batch(SPEC, self.subscription, messages)

    async def settled(self) -> bool:
        info = await self.js.consumer_info(SPEC.stream, SPEC.durable)
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)


@pytest.fixture
async def harness(database_url: str, nats_url: str, run_dir: Path) -> AsyncIterator[Harness]:
    settings = settings_for(database_url, nats_url, run_dir, consumer_max_tries=2, consumer_backoff_base=0.05)
    broker = NatsBroker(nats_url)
    await broker.connect()
    pool: asyncpg.Pool = await db.create_pool(database_url, "probe", min_size=1, max_size=2)
    recorder = Recorder()
    subscription = Subscription(IssueSubmitted, recorder.handle, recorder.handle_batch)
    units = UnitOfWorkFactory(
        UnitOfWork, pool=lambda: pool, outbox=Outbox("probe"), clock=SystemClock(), settings=settings
    )
    consumers = EventConsumers(
        service="probe", broker=broker, settings=settings, subscriptions=[subscription], pool=lambda: pool, units=units
    )
    js: JetStreamContext = broker.config.connection_state.stream
    await ensure_streams(js)
    await consumers.declare(js)
    try:
        yield Harness(js, consumers, subscription, recorder)
    finally:
        await pool.close()
        await broker.stop()


async def test_the_batch_handler_is_called_once_with_only_the_fresh_events_of_a_batch(
    harness: Harness, database_url: str
) -> None:
    seen_before, a, b, c = (submitted(t) for t in ("seen before", "a", "b", "c"))
    await probe_rows(
        database_url,
        "INSERT INTO processed_events (consumer, event_id, event_type) VALUES ($1, $2, $3)",
        SPEC.durable,
        seen_before.id,
        seen_before.type,
    )
    for event in (a, seen_before, b, c):
        await harness.publish(event)
    await harness.publish(b, msg_id="b, published again")

    await harness.process(await harness.pull(5))

    assert harness.recorder.batches == [["a", "b", "c"]]
    assert harness.recorder.singles == []
    assert await effect_titles(database_url) == ["a", "b", "c"]
    assert await harness.settled()


async def test_an_event_applied_in_an_earlier_batch_is_not_applied_again(harness: Harness, database_url: str) -> None:
    a, b, c = (submitted(t) for t in ("a", "b", "c"))
    for event in (a, b):
        await harness.publish(event)
    await harness.process(await harness.pull(2))
    await harness.publish(b, msg_id="b, replayed")
    await harness.publish(c)
    await harness.publish(a, msg_id="a, replayed")

    await harness.process(await harness.pull(3))

    assert harness.recorder.batches == [["a", "b"], ["c"]]
    assert await effect_titles(database_url) == ["a", "b", "c"]
    assert await harness.settled()


async def test_a_failing_batch_is_retried_one_by_one_and_its_poison_is_dead_lettered(
    harness: Harness, database_url: str
) -> None:
    good_1, poison, good_2 = (submitted(t) for t in ("good 1", "poison", "good 2"))
    for event in (good_1, poison, good_2):
        await harness.publish(event)

    await harness.process(await harness.pull(3))  # the batch fails; one by one, the poison's first try fails
    await harness.process(await harness.pull(1))  # redelivered after its back-off: its last try

    assert harness.recorder.batches == [["good 1", "poison", "good 2"]]
    assert harness.recorder.singles == ["good 1", "poison", "good 2", "poison"]
    assert await effect_titles(database_url) == ["good 1", "good 2"], "the failed batch left nothing behind"
    letters = await dlq.list_dead_letters(harness.js, "probe")
    assert [(letter.event_id, letter.tries) for letter in letters] == [(str(poison.id), 2)]
    assert await harness.settled()


async def test_a_subscription_with_concurrency_handles_the_next_batch_while_one_is_in_its_transaction(
    harness: Harness, database_url: str
) -> None:
    overlapped = asyncio.Event()
    active = 0

    async def rendezvous() -> None:
        """The first batch keeps its transaction open until a second batch is being handled beside it."""
        nonlocal active
        active += 1
        if active == 2:
            overlapped.set()
        try:
            await asyncio.wait_for(overlapped.wait(), timeout=10)
        finally:
            active -= 1

    async def handle(uow: Uow, event: CloudEvent[Any]) -> None:
        await rendezvous()
        await harness.recorder.handle(uow, event)

    async def handle_batch(uow: Uow, events: Sequence[CloudEvent[Any]]) -> None:
        await rendezvous()
        await harness.recorder.handle_batch(uow, events)

    subscription = Subscription(IssueSubmitted, handle, handle_batch, concurrency=2)
    consumers = EventConsumers(
        service="probe",
        broker=harness.consumers.broker,
        settings=harness.consumers.settings.model_copy(update={"consumer_batch_size": 4}),
        subscriptions=[subscription],
        pool=harness.consumers._pool,
        units=harness.consumers._units,
    )
    titles = [f"event {i}" for i in range(12)]
    for title in titles:
        await harness.publish(submitted(title))

    await consumers.start(harness.js)
    try:
        await asyncio.wait_for(overlapped.wait(), timeout=10)

        async def all_applied() -> bool:
            return sorted(await effect_titles(database_url)) == sorted(titles)

        await eventually(all_applied, message="every event applied once")
    finally:
        await consumers.stop()
    assert await harness.settled()
