"""What every event reads of the channels (webhook subscriptions) is kept per instance, and a change made
through one instance is seen by the next event another instance handles: the database tells them all."""

from __future__ import annotations

import uuid
from typing import Any

from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from services.notifications.service_layer.dispatch import dispatch
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import HttpReceiver, points_awarded, wrap
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


async def _webhooks_of(sql: Sql, event_id: uuid.UUID) -> list[str]:
    rows = await sql.fetch("SELECT recipient FROM notifications WHERE event_id = $1 AND channel = 'webhook'", event_id)
    return [r["recipient"] for r in rows]


async def test_a_subscription_added_through_one_instance_is_delivered_to_by_the_other_instances_next_event(
    make_settings: MakeSettings,
    sql: Sql,
    clock: SettableClock,
    receiver: tuple[HttpReceiver, str],
    tokens: Tokens,
) -> None:
    _, hooks_url = receiver
    one, other = create(make_settings(), clock=clock), create(make_settings(), clock=clock)
    async with running(one) as client, running(other):
        units: Any = other.state.ctx.uow
        before = wrap(points_awarded("zhao-lei"), "rewards")
        await dispatch(units(), before)  # the other instance reads meihu's subscriptions (none) and keeps them
        assert await _webhooks_of(sql, before.id) == []

        created = await client.post(
            "/subscriptions", json={"url": hooks_url, "event_types": ["points.*"]}, headers=tokens.headers(*ADMIN)
        )
        assert created.status_code == 201, created.text

        async def next_event_is_delivered() -> list[str]:
            event = wrap(points_awarded("zhao-lei"), "rewards")
            await dispatch(units(), event)
            return await _webhooks_of(sql, event.id)

        # Well within the cache's 30 s: the notification, not the TTL, made the other instance forget.
        assert await eventually(next_event_is_delivered, timeout=10, message="delivered by the other instance") == [
            created.json()["id"]
        ]


async def test_a_subscription_stopped_through_one_instance_is_not_delivered_to_by_the_other(
    make_settings: MakeSettings,
    sql: Sql,
    clock: SettableClock,
    receiver: tuple[HttpReceiver, str],
    tokens: Tokens,
) -> None:
    _, hooks_url = receiver
    one, other = create(make_settings(), clock=clock), create(make_settings(), clock=clock)
    admin = tokens.headers(*ADMIN)
    async with running(one) as client, running(other):
        units: Any = other.state.ctx.uow
        created = await client.post("/subscriptions", json={"url": hooks_url, "event_types": ["*"]}, headers=admin)
        subscription = created.json()["id"]

        async def delivered_by_the_other() -> list[str]:
            event = wrap(points_awarded("wu-xia"), "rewards")
            await dispatch(units(), event)
            return await _webhooks_of(sql, event.id)

        assert await eventually(delivered_by_the_other, timeout=10) == [subscription]

        stopped = await client.delete(f"/subscriptions/{subscription}", headers=admin)
        assert stopped.status_code == 204, stopped.text

        async def no_longer_delivered() -> bool:
            return await delivered_by_the_other() == []

        await eventually(no_longer_delivered, timeout=10, message="the other instance forgot the subscription")
