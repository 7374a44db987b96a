"""Live and group channels: the SSE stream, the WeCom robot and its rate limit, secret rotation."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import ANY

import httpx
import orjson
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from contracts.events.rewards import HonourGranted
from services.kernel import db
from services.kernel.clock import SettableClock
from services.notifications.adapters.repository import INBOX_CHANNEL
from services.notifications.bootstrap import create
from tests.notifications.conftest import MORNING, MakeSettings
from tests.notifications.support import HttpReceiver, points_awarded, publish, wrap
from tests.support.infra import Tokens, eventually, running, served
from tests.support.notices import listening
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


async def _sse_events(response: httpx.Response) -> Any:
    """Parse a text/event-stream into (event, data) pairs."""
    event, data = "message", ""
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data += line.partition(":")[2].strip()
        elif line == "" and data:
            yield event, data
            event, data = "message", ""


async def test_open_sse_streams_receive_a_new_inbox_item_live(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    app = create(make_settings(), clock=clock)
    async with served(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        token = tokens("li-na", "council_member")
        async with (
            asyncio.timeout(60),
            # EventSource cannot set headers: the token rides in the URL; other clients use the header.
            client.stream("GET", "/inbox/stream", params={"access_token": token}) as browser,
            client.stream("GET", "/inbox/stream", headers={"Authorization": f"Bearer {token}"}) as app_client,
        ):
            assert browser.status_code == app_client.status_code == 200
            assert browser.headers["content-type"].startswith("text/event-stream")
            streams = [_sse_events(browser), _sse_events(app_client)]
            for events in streams:
                assert await anext(events) == ("ready", '{"unread":0}')

            award = wrap(points_awarded("li-na", 5), "rewards")
            await publish(nats_url, award)

            received = [await anext(events) for events in streams]
        for kind, data in received:
            assert kind == "notification"
            item = orjson.loads(data)
            assert item["event_id"] == str(award.id)
            assert item["subject"] == "爱心银行积分 +5"
            assert item["unread"] is True


async def test_the_stream_refuses_a_caller_without_a_token(make_settings: MakeSettings, clock: SettableClock) -> None:
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        response = await client.get("/inbox/stream")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def _honour(group: int) -> HonourGranted:
    return HonourGranted(
        honour_id=uuid.uuid4(),
        person_id="huang-li",
        kind="neighbour_star",
        year=2026,
        title={"zh-CN": "邻里之星", "en": "Neighbour star"},
        building_group=group,
        granted_at=datetime.now(UTC),
    )


async def test_the_wecom_robot_gets_its_markdown_json_and_never_more_than_its_rate(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    robot = HttpReceiver(wecom=True)
    async with served(robot.app()) as robot_url:
        app = create(make_settings(notifications_wecom_limit=2, notifications_wecom_window=3600), clock=clock)
        async with running(app) as client:
            put = await client.put(
                "/channels/wecom/3",
                json={"url": f"{robot_url}/cgi-bin/webhook/send?key=robot-3"},
                headers=tokens.headers(*ADMIN),
            )
            assert put.status_code == 200, put.text
            await client.put("/preferences/me", json={}, headers=tokens.headers("huang-li", name="黄丽"))
            for _ in range(3):
                await publish(nats_url, wrap(_honour(3), "rewards"))

            async def two_sent_one_held() -> bool:
                queued = await sql.fetch(
                    "SELECT status, attempts, next_attempt_at FROM notifications WHERE channel = 'wecom'"
                )
                held = [q for q in queued if q["status"] == "pending" and q["attempts"] == 0]
                # The held row passes through a claim lease before the limiter moves it to the
                # next window: wait for that settled state rather than catch it in between.
                return (
                    len(robot.requests) == 2
                    and len(queued) == 3
                    and len(held) == 1
                    and held[0]["next_attempt_at"] == MORNING + timedelta(hours=1)
                )

            await eventually(two_sent_one_held, message="the robot's rate holds the third message back")
            held = await sql.fetch(
                "SELECT next_attempt_at FROM notifications WHERE channel = 'wecom' AND status = 'pending'"
            )
            assert held[0]["next_attempt_at"] == MORNING + timedelta(hours=1)
            first = robot.requests[0]
            assert first.query == {"key": "robot-3"}
            body = first.json()
            assert body["msgtype"] == "markdown"
            assert "恭喜 **黄丽** 获得「邻里之星」" in body["markdown"]["content"]
            assert set(body) == {"msgtype", "markdown"}

            clock.advance(timedelta(hours=1))
            await eventually(lambda: _count(robot, 3), message="the held message goes out in the next window")


async def test_a_robot_error_code_is_retried(
    make_settings: MakeSettings, sql: Sql, tokens: Tokens, nats_url: str
) -> None:
    robot = HttpReceiver(wecom=True, failures=1)
    async with served(robot.app()) as robot_url:
        app = create(make_settings(notifications_group_quiet_hours=""))
        async with running(app) as client:
            await client.put(
                "/channels/wecom/5",
                json={"url": f"{robot_url}/cgi-bin/webhook/send?key=k5"},
                headers=tokens.headers(*ADMIN),
            )
            await publish(nats_url, wrap(_honour(5), "rewards"))
            await eventually(lambda: _status(sql, "wecom", "delivered"), message="sent after the robot's error")
            tries = await sql.fetch("SELECT ok, error FROM delivery_attempts ORDER BY id")
            assert [t["ok"] for t in tries] == [False, True]
            assert tries[0]["error"] == "errcode -1: system busy"


async def _status(sql: Sql, channel: str, status: str) -> bool:
    found = await sql.fetch("SELECT status FROM notifications WHERE channel = $1", channel)
    return bool(found) and all(r["status"] == status for r in found)


async def _count(receiver: HttpReceiver, n: int) -> bool:
    return len(receiver.requests) >= n


async def test_after_a_rotation_deliveries_verify_with_either_secret_until_the_grace_ends(
    make_settings: MakeSettings, clock: SettableClock, receiver: tuple[HttpReceiver, str], tokens: Tokens, nats_url: str
) -> None:
    hooks, hooks_url = receiver
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        admin = tokens.headers(*ADMIN)
        created = (
            await client.post(
                "/subscriptions", json={"url": hooks_url, "event_types": ["points.awarded"]}, headers=admin
            )
        ).json()
        old = created["secret"]
        rotated = await client.post(f"/subscriptions/{created['id']}/rotate-secret", json={}, headers=admin)
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["secret"]
        assert new != old

        await publish(nats_url, wrap(points_awarded("zhou-qiang"), "rewards"))
        await eventually(lambda: _count(hooks, 1), message="first delivery")
        delivery = hooks.requests[0]
        assert len(delivery.headers["webhook-signature"].split(" ")) == 2
        Webhook(old).verify(delivery.body, delivery.headers)
        Webhook(new).verify(delivery.body, delivery.headers)

        final = (
            await client.post(f"/subscriptions/{created['id']}/rotate-secret", json={"grace_seconds": 0}, headers=admin)
        ).json()
        clock.advance(timedelta(seconds=1))
        await publish(nats_url, wrap(points_awarded("zhou-qiang"), "rewards"))
        await eventually(lambda: _count(hooks, 2), message="second delivery")
        after = hooks.requests[1]
        Webhook(final["secret"]).verify(after.body, after.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(new).verify(after.body, after.headers)


async def test_an_inbox_item_is_announced_only_while_some_instance_has_a_live_stream_open(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str, database_url: str, sql: Sql
) -> None:
    app = create(make_settings(), clock=clock)

    async def award_reaches_the_inbox(person: str) -> None:
        await publish(nats_url, wrap(points_awarded(person, 5), "rewards"))
        query = "SELECT 1 FROM notifications WHERE channel = 'inbox' AND recipient = $1"
        await eventually(lambda: sql.fetchval(query, person), message=f"{person}'s inbox item")

    async def recipients_so_far() -> list[str]:
        return [orjson.loads(payload)["recipient"] for payload in await heard.so_far()]

    async with (
        listening(database_url, "notifications", INBOX_CHANNEL) as heard,
        served(app) as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=30) as client,
    ):
        await award_reaches_the_inbox("before-any-stream")
        before = await recipients_so_far()

        async with (
            asyncio.timeout(60),
            client.stream(
                "GET", "/inbox/stream", headers={"Authorization": f"Bearer {tokens('li-na', 'council_member')}"}
            ) as response,
        ):
            events = _sse_events(response)
            assert await anext(events) == ("ready", '{"unread":0}')
            await award_reaches_the_inbox("li-na")
            assert await anext(events) == ("notification", ANY)
            during = await recipients_so_far()

        hub = app.state.ctx.components.hub
        await eventually(lambda: not hub.streaming, message="the stream closed")
        await hub.keep(app.state.ctx.pool)  # the beat after the last stream closed
        await award_reaches_the_inbox("after-the-last-stream")
        after = await recipients_so_far()

    assert before == []
    assert during == ["li-na"]
    assert after == []


async def test_an_item_still_being_written_when_a_stream_opens_is_in_the_streams_ready_count(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, database_url: str
) -> None:
    app = create(make_settings(), clock=clock)
    writer = await db.connect(database_url, "notifications")
    waiting_for_writers = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
    try:
        async with served(app) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            transaction = writer.transaction()
            await transaction.start()
            # Nobody streams yet: the row's trigger finds no listener and announces nothing.
            await writer.execute(
                """INSERT INTO notifications (id, event_id, event_type, community, recipient, channel, body, status,
                                              retry_from, created_at)
                   VALUES ($1, $2, 'linli.rewards.points.awarded', 'meihu', 'li-na', 'inbox', '+5', 'delivered',
                           now(), now())""",
                uuid.uuid4(),
                uuid.uuid4(),
            )

            async def ready() -> tuple[str, str]:
                headers = {"Authorization": f"Bearer {tokens('li-na', 'council_member')}"}
                async with client.stream("GET", "/inbox/stream", headers=headers) as response:
                    first: tuple[str, str] = await anext(_sse_events(response))
                    return first

            opening = asyncio.create_task(ready())
            await eventually(lambda: writer.fetchval(waiting_for_writers), message="the stream waits for the writer")
            await transaction.commit()

            assert await asyncio.wait_for(opening, 30) == ("ready", '{"unread":1}')
    finally:
        await writer.close()
