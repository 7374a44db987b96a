"""The publisher marks what JetStream acknowledged together: events that come one at a time cost one UPDATE,
not one each, and a stop writes the marks that were still waiting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg

from services.kernel.outbox import Outbox
from services.kernel.publisher import OutboxPublisher, capturing
from tests.kernel.helpers import probe_rows, submitted
from tests.kernel.probe import create
from tests.support.infra import eventually, jetstream, running, settings_for


class CountingPool:
    """The service's pool, counting the statements the publisher sends through it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.statements: list[str] = []

    async def execute(self, sql: str, *args: Any) -> str:
        self.statements.append(sql)
        return str(await self.pool.execute(sql, *args))


async def test_rows_published_one_at_a_time_are_marked_in_one_update_when_the_publisher_stops(
    database_url: str, nats_url: str, run_dir: Path
) -> None:
    # The probe's own publisher and relay stay out of it: only the publisher under test sees these rows.
    app = create(settings_for(database_url, nats_url, run_dir, outbox_relay_grace=600, outbox_relays=0))
    async with running(app), jetstream(nats_url) as js:
        ctx = app.state.ctx
        pool = CountingPool(ctx.pool)
        publisher = OutboxPublisher("probe", mark_delay=600)  # no timer fires during the test
        await publisher.start(pool, ctx.js, relay=False)  # type: ignore[arg-type]
        before = (await js.stream_info("LINLI_INTAKE")).state.messages
        for i in range(5):
            with capturing() as rows:
                async with ctx.pool.acquire() as conn, conn.transaction():
                    event = submitted(f"one-at-a-time-{i}")
                    await Outbox("probe").emit(conn, event.data, community="meihu", subject=event.subject)
            publisher.committed(rows)

            async def stored(count: int = before + i + 1) -> bool:
                return (await js.stream_info("LINLI_INTAKE")).state.messages >= count

            await eventually(stored, message=f"event {i} published")
        waiting = await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")

        await publisher.stop()

        left = await probe_rows(database_url, "SELECT id FROM outbox WHERE published_at IS NULL")
    assert len(waiting) == 5, "published, their marks waiting"
    assert left == []
    assert len(pool.statements) == 1
