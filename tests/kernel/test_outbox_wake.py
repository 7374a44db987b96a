"""Who wakes the relays: a process that publishes its own commits sends no NOTIFY for them, every other
writer (a process without a relay of its own among them) still does, and what its publisher leaves to
its relay wakes that relay in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from services.kernel import db
from services.kernel.outbox import Outbox, outbox_row
from services.kernel.publisher import OutboxPublisher
from services.kernel.relay import OutboxRelay
from tests.kernel.helpers import submitted
from tests.kernel.probe import create
from tests.support.infra import running, settings_for
from tests.support.notices import listening


async def test_a_commit_of_a_process_publishing_its_own_wakes_no_relay_but_anyone_elses_does(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, outbox_relay_grace=600))
    async with running(app), listening(database_url, "probe", "outbox_probe") as heard:
        async with app.state.ctx.pool.acquire() as conn, conn.transaction():
            event = submitted("the service's own")
            await Outbox("probe").emit(conn, event.data, community="meihu", subject=event.subject)
        other = await db.connect(database_url, "probe")
        try:
            async with other.transaction():
                event = submitted("another writer's")
                await Outbox("probe").emit(other, event.data, community="meihu", subject=event.subject)
        finally:
            await other.close()

        payloads = await heard.so_far()

    assert payloads == [""], "one wake-up: the other writer's commit"


async def test_rows_the_publisher_leaves_to_the_relay_wake_one_of_its_idle_workers() -> None:
    # At start the relay has not caught up yet, so every commit is left to it.
    publisher = OutboxPublisher("probe")
    unused: Any = None
    relay = OutboxRelay(service="probe", pool=unused, js=unused, publisher=publisher)
    idle_worker = asyncio.Event()
    relay._idle.append(idle_worker)
    await publisher.start(unused, unused, relay=True)
    try:
        event = submitted("left to the relay")
        row = outbox_row(Outbox("probe").envelope(event.data, community="meihu", subject=event.subject))

        publisher.committed([row])

        await asyncio.wait_for(idle_worker.wait(), 10)
    finally:
        await publisher.stop()
    assert not publisher.direct


async def test_a_process_running_no_relay_of_its_own_still_wakes_the_others(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    app = create(settings_for(database_url, nats_url, run_dir, outbox_relays=0))
    async with running(app), listening(database_url, "probe", "outbox_probe") as heard:
        async with app.state.ctx.pool.acquire() as conn, conn.transaction():
            event = submitted("no relay here")
            await Outbox("probe").emit(conn, event.data, community="meihu", subject=event.subject)

        woken = await heard.next()
    assert woken == ""
