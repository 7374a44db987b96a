"""A points.awarded event reaches the holder's inbox, their e-mail and a subscriber's signed webhook, once."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from standardwebhooks import Webhook

from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import (
    HttpReceiver,
    SmtpSink,
    consumed,
    points_awarded,
    publish,
    wrap,
)
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

ADMIN = ("admin", "admin", "committee")


async def test_points_awarded_yields_one_inbox_item_one_email_and_one_verified_webhook(
    make_settings: MakeSettings,
    sql: Sql,
    clock: SettableClock,
    smtp: tuple[SmtpSink, int],
    receiver: tuple[HttpReceiver, str],
    tokens: Tokens,
    nats_url: str,
) -> None:
    sink, _ = smtp
    hooks, hooks_url = receiver
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        holder = tokens.headers("zhao-lei", "resident", "volunteer")
        prefs = await client.put(
            "/preferences/me", json={"language": "en", "email": "zhaolei@meihu.example.org"}, headers=holder
        )
        assert prefs.status_code == 200, prefs.text
        created = await client.post(
            "/subscriptions",
            json={"url": f"{hooks_url}/linli", "event_types": ["points.*"]},
            headers=tokens.headers(*ADMIN),
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        event = wrap(points_awarded("zhao-lei", 10), "rewards")

        await publish(nats_url, event)

        async def all_three() -> bool:
            inbox = (await client.get("/inbox", headers=holder)).json()["items"]
            return len(inbox) == 1 and len(sink.messages) == 1 and len(hooks.requests) == 1

        await eventually(all_three, message="inbox, e-mail and webhook")
        inbox = (await client.get("/inbox", headers=holder)).json()["items"]
        assert inbox[0]["subject"] == "Love bank: +10 points"
        assert "2 hours on the red post" in inbox[0]["body"]
        mail = sink.messages[0]
        assert isinstance(mail, EmailMessage)
        assert mail["Subject"] == "Love bank: +10 points"
        assert sink.recipients[0] == ["zhaolei@meihu.example.org"]
        assert mail.get_content_charset() == "utf-8"
        delivery = hooks.requests[0]
        payload = Webhook(secret).verify(delivery.body, delivery.headers)
        assert payload["id"] == str(event.id)
        assert payload["type"] == "linli.points.awarded.v1"
        assert payload["data"]["person_id"] == "zhao-lei"
        await eventually(lambda: _delivered_events(sql, 3), message="notification.delivered for each channel")


async def _delivered_events(sql: Sql, n: int) -> bool:
    return len(await sql.outbox("linli.notification.delivered.v1")) >= n


async def test_the_same_event_arriving_again_sends_nothing_twice(
    make_settings: MakeSettings,
    sql: Sql,
    clock: SettableClock,
    smtp: tuple[SmtpSink, int],
    receiver: tuple[HttpReceiver, str],
    tokens: Tokens,
    nats_url: str,
) -> None:
    sink, _ = smtp
    hooks, hooks_url = receiver
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        holder = tokens.headers("wu-xia", "resident")
        await client.put("/preferences/me", json={"email": "wuxia@meihu.example.org"}, headers=holder)
        await client.post(
            "/subscriptions", json={"url": hooks_url, "event_types": ["*"]}, headers=tokens.headers(*ADMIN)
        )
        event = wrap(points_awarded("wu-xia"), "rewards")
        await publish(nats_url, event)
        await eventually(lambda: _sent(sink, hooks), message="first delivery on every channel")

        # Past JetStream's duplicate window the same event comes back with another message id.
        again = await publish(nats_url, event, msg_id=f"replayed-{event.id}")
        await eventually(lambda: consumed(nats_url, "points.awarded", again.seq), message="replay consumed")

        assert len(sink.messages) == 1
        assert len(hooks.requests) == 1
        stored = await sql.fetch("SELECT channel FROM notifications WHERE event_id = $1 ORDER BY channel", event.id)
        assert [r["channel"] for r in stored] == ["email", "inbox", "webhook"]


async def _sent(sink: SmtpSink, hooks: HttpReceiver) -> bool:
    return len(sink.messages) == 1 and len(hooks.requests) == 1


@pytest.mark.parametrize("failures", [2])
async def test_a_failing_receiver_is_retried_with_backoff_and_then_succeeds(
    make_settings: MakeSettings, clock: SettableClock, tokens: Tokens, nats_url: str, failures: int
) -> None:
    from tests.support.infra import served

    hooks = HttpReceiver(failures=failures)
    async with served(hooks.app()) as hooks_url:
        app = create(make_settings())  # real clock: the back-off must elapse
        async with running(app) as client:
            admin = tokens.headers(*ADMIN)
            created = (
                await client.post(
                    "/subscriptions", json={"url": hooks_url, "event_types": ["points.awarded"]}, headers=admin
                )
            ).json()
            event = wrap(points_awarded("sun-hao"), "rewards")
            await publish(nats_url, event)
            deliveries = f"/subscriptions/{created['id']}/deliveries"

            async def delivered() -> list[dict[str, object]]:
                items: list[dict[str, object]] = (await client.get(deliveries, headers=admin)).json()["items"]
                return [i for i in items if i["status"] == "delivered"]

            log = await eventually(delivered, message="delivered after retries")
            assert len(log) == 1
            detail = (
                await client.get(f"/subscriptions/{created['id']}/deliveries/{log[0]['id']}", headers=admin)
            ).json()
            assert [t["status_code"] for t in detail["tries"]] == [500, 500, 204]
            assert detail["status"] == "delivered"
            assert Webhook(created["secret"]).verify(hooks.requests[0].body, hooks.requests[0].headers)["id"] == str(
                event.id
            )


async def _count(hooks: HttpReceiver, n: int) -> bool:
    return len(hooks.requests) >= n


async def test_a_receiver_that_never_answers_fails_after_the_retry_window_and_can_be_redelivered(
    make_settings: MakeSettings, sql: Sql, tokens: Tokens, nats_url: str
) -> None:
    from tests.support.infra import served

    hooks = HttpReceiver(failures=1000)
    async with served(hooks.app()) as hooks_url:
        app = create(make_settings(notifications_webhook_retry_window=0.3))
        async with running(app) as client:
            admin = tokens.headers(*ADMIN)
            created = (
                await client.post("/subscriptions", json={"url": hooks_url, "event_types": ["*"]}, headers=admin)
            ).json()
            event = wrap(points_awarded("sun-hao"), "rewards")
            await publish(nats_url, event)
            failed = await eventually(lambda: sql.outbox("linli.notification.failed.v1"), message="failed")
            assert failed[0]["data"]["channel"] == "webhook"
            assert failed[0]["data"]["source_event_id"] == str(event.id)
            first_id = hooks.failed

            hooks.failures = 0  # the receiver is back
            log = (await client.get(f"/subscriptions/{created['id']}/deliveries", headers=admin)).json()["items"]
            assert log[0]["status"] == "failed"
            again = await client.post(
                f"/subscriptions/{created['id']}/deliveries/{log[0]['id']}/redeliver", headers=admin
            )
            assert again.status_code == 202, again.text
            await eventually(lambda: _count(hooks, 1), message="manual redelivery")
            assert hooks.requests[0].headers["webhook-id"] == log[0]["id"]
            assert first_id >= 1


async def test_an_email_the_server_never_takes_fails_after_its_tries_and_says_so(
    make_settings: MakeSettings, sql: Sql, clock: SettableClock, tokens: Tokens, nats_url: str
) -> None:
    from services.stack.ports import any_free

    app = create(make_settings(notifications_smtp_port=any_free(), notifications_max_attempts=2))
    async with running(app) as client:
        await client.put(
            "/preferences/me",
            json={"email": "x@meihu.example.org", "quiet_hours": None},
            headers=tokens.headers("liu-yang"),
        )
        event = wrap(points_awarded("liu-yang"), "rewards")
        await publish(nats_url, event)
        failed = await eventually(lambda: sql.outbox("linli.notification.failed.v1"), message="e-mail failed")
        tries = await sql.fetch("SELECT ok FROM delivery_attempts")
    assert failed[0]["data"]["channel"] == "email"
    assert failed[0]["data"]["recipient"] == "liu-yang"
    assert failed[0]["data"]["attempts"] == 2
    assert [t["ok"] for t in tries] == [False, False]
