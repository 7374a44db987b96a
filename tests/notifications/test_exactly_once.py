"""Exactly once below the kernel: the (event, recipient, channel) key, and several workers draining one queue."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from services.notifications.service_layer.delivery import DeliveryWorker
from services.notifications.service_layer.dispatch import dispatch
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import HttpReceiver, points_awarded, wrap
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


async def test_handling_the_same_event_twice_stores_one_notification_per_recipient_and_channel(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, receiver: tuple[HttpReceiver, str], tokens: Tokens
) -> None:
    _, hooks_url = receiver
    settings = make_settings(notifications_worker_interval=3600)  # keep the queue still while we look
    app = create(settings, clock=clock)
    async with running(app) as client:
        await client.put("/preferences/me", json={"email": "x@meihu.example.org"}, headers=tokens.headers("li-na"))
        await client.post(
            "/subscriptions", json={"url": hooks_url, "event_types": ["*"]}, headers=tokens.headers(*ADMIN)
        )
        event = wrap(points_awarded("li-na"), "rewards")
        for _ in range(2):  # as if the kernel's processed-events record had been lost
            await dispatch(app.state.ctx.uow(), event)
        stored = await sql.fetch("SELECT channel FROM notifications WHERE event_id = $1 ORDER BY channel", event.id)
        delivered_events = await sql.fetch("SELECT id FROM outbox WHERE event_type = 'linli.notification.delivered.v1'")
    assert [r["channel"] for r in stored] == ["email", "inbox", "webhook"]
    assert len(delivered_events) == 1  # the inbox item, announced once


async def test_several_workers_deliver_each_queued_webhook_exactly_once(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, receiver: tuple[HttpReceiver, str], tokens: Tokens
) -> None:
    hooks, hooks_url = receiver
    settings = make_settings(notifications_worker_batch=5)
    app = create(settings, clock=clock)
    async with running(app) as client, httpx.AsyncClient() as http:
        await client.post(
            "/subscriptions", json={"url": hooks_url, "event_types": ["*"]}, headers=tokens.headers(*ADMIN)
        )
        units = app.state.ctx.uow
        async with units() as uow:  # thirty events in one transaction, as a consumer's batch would
            for _ in range(30):
                await dispatch(uow, wrap(points_awarded("nobody"), "rewards"))
        workers = [DeliveryWorker(units, http) for _ in range(2)]  # besides the app's own

        async def drained() -> bool:
            await asyncio.gather(*(w.tick() for w in workers))
            left: Any = await sql.fetchval("SELECT count(*) FROM notifications WHERE status = 'pending'")
            return bool(left == 0)

        await eventually(drained, message="queue drained")
    ids = [r.headers["webhook-id"] for r in hooks.requests]
    assert len(ids) == 30
    assert len(set(ids)) == 30
