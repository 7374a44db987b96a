"""Quiet hours defer non-urgent messages; reminders are stored, survive a restart, fire on time and are cancelled."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from contracts.events.deliberation import SessionCancelled, SessionScheduled
from contracts.events.shifts import ShiftCancelled, SignupCancelled, SignupCreated, SignupPromoted
from services.kernel.clock import SettableClock
from services.notifications.bootstrap import create
from services.notifications.service_layer.reminders import fire_due
from tests.notifications.conftest import MakeSettings
from tests.notifications.support import SmtpSink, points_awarded, publish, wrap
from tests.support.infra import Tokens, eventually, running
from tests.support.sql import Sql

LATE_EVENING = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 in Hefei
NEXT_MORNING = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 07:00 in Hefei
SESSION_STARTS = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # Friday 19:00 in Hefei


async def test_quiet_hours_defer_an_email_to_seven_but_not_an_urgent_one(
    make_settings: MakeSettings, sql: Sql, smtp: tuple[SmtpSink, int], tokens: Tokens, nats_url: str
) -> None:
    sink, _ = smtp
    clock = SettableClock(LATE_EVENING)
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        person = tokens.headers("wang-fang", "volunteer")
        await client.put("/preferences/me", json={"email": "wangfang@meihu.example.org"}, headers=person)
        award = wrap(points_awarded("wang-fang"), "rewards")
        await publish(nats_url, award)
        await eventually(lambda: _email_row(sql, award.id), message="e-mail queued")

        cancelled = wrap(_shift_cancelled(["wang-fang"]), "shifts")
        await publish(nats_url, cancelled)
        await eventually(lambda: _mails(sink, 1), message="urgent e-mail sent at night")

        assert sink.messages[0]["Subject"] == "班次取消：晚间巡逻"
        assert b"Subject: =?utf-8?" in sink.raw[0]  # RFC 2047: the Chinese subject travels encoded
        deferred = await _email_row(sql, award.id)
        assert deferred is not None
        assert deferred["status"] == "pending"
        assert deferred["next_attempt_at"] == NEXT_MORNING
        inbox = (await client.get("/inbox", headers=person)).json()["items"]
        assert len(inbox) == 2  # the inbox is silent: it is not deferred

        clock.set(NEXT_MORNING)
        await eventually(lambda: _mails(sink, 2), message="deferred e-mail sent at seven")
        assert sink.messages[1]["Subject"] == "爱心银行积分 +10"


async def _email_row(sql: Sql, event_id: uuid.UUID) -> asyncpg.Record | None:
    found = await sql.fetch("SELECT * FROM notifications WHERE event_id = $1 AND channel = 'email'", event_id)
    return found[0] if found else None


async def _mails(sink: SmtpSink, n: int) -> bool:
    return len(sink.messages) >= n


def _shift_cancelled(signed_up: list[str], shift_id: uuid.UUID | None = None) -> ShiftCancelled:
    return ShiftCancelled(
        shift_id=shift_id or uuid.uuid4(),
        post_id=uuid.uuid4(),
        post_type="patrol",
        title="晚间巡逻",
        starts_at=datetime(2026, 12, 2, 11, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
        reason="大风",
        signed_up_ids=signed_up,
    )


def _session(model: type[SessionScheduled] | type[SessionCancelled], session_id: uuid.UUID) -> SessionScheduled:
    return model(  # type: ignore[return-value]
        session_id=session_id,
        council_id=uuid.uuid4(),
        council_kind="consultation",
        title="十二月议事会",
        starts_at=SESSION_STARTS,
        ends_at=SESSION_STARTS + timedelta(hours=2),
        mode="in_person",
        location="美湖社区议事厅",
        member_ids=["chen-jing", "huang-li"],
    )


async def test_session_reminders_survive_a_restart_fire_24h_before_and_a_cancellation_stops_the_rest(
    make_settings: MakeSettings, sql: Sql, tokens: Tokens, nats_url: str
) -> None:
    clock = SettableClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    session_id = uuid.uuid4()
    settings = make_settings()
    first = create(settings, clock=clock)
    async with running(first):
        await publish(nats_url, wrap(_session(SessionScheduled, session_id), "deliberation"))
        await eventually(lambda: _reminders(sql, session_id, 4), message="four reminders stored")

    clock.set(SESSION_STARTS - timedelta(hours=24))
    second = create(settings, clock=clock)  # a new process: the reminders come from the database
    async with running(second) as client:
        member = tokens.headers("chen-jing", "council_member")

        async def reminded() -> list[dict[str, object]]:
            items = (await client.get("/inbox", headers=member)).json()["items"]
            return [i for i in items if i["event_type"] == "linli.reminder.session.24h"]

        found = await eventually(reminded, message="24 h reminder in the inbox")
        assert found[0]["subject"] == "会议提醒：明天 十二月议事会"

        await publish(nats_url, wrap(_session(SessionCancelled, session_id), "deliberation"))

        async def two_hour_cancelled() -> bool:
            states = await sql.fetch(
                "SELECT status FROM reminders WHERE ref_id = $1 AND offset_label = '2h'", session_id
            )
            return all(s["status"] == "cancelled" for s in states)

        await eventually(two_hour_cancelled, message="2 h reminders cancelled")
        clock.set(SESSION_STARTS - timedelta(hours=1))
        assert await fire_due(second.state.ctx.uow()) == 0


async def _reminders(sql: Sql, ref_id: uuid.UUID, n: int) -> bool:
    found = await sql.fetch("SELECT id FROM reminders WHERE ref_id = $1 AND status = 'pending'", ref_id)
    return len(found) == n


async def test_shift_reminders_follow_signups_promotions_and_cancellation(
    make_settings: MakeSettings, sql: Sql, tokens: Tokens, nats_url: str
) -> None:
    clock = SettableClock(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    shift_id = uuid.uuid4()
    starts = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    common = {
        "shift_id": shift_id,
        "post_type": "patrol",
        "title": "早间巡逻",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
    }
    app = create(make_settings(), clock=clock)
    async with running(app) as client:
        liu, wu = uuid.uuid4(), uuid.uuid4()
        # Events of different types are not ordered between them: the outcome must not depend on it.
        await publish(nats_url, wrap(SignupCancelled(signup_id=liu, volunteer_id="liu-yang", **common), "shifts"))
        await publish(
            nats_url,
            wrap(SignupCreated(signup_id=liu, volunteer_id="liu-yang", status="confirmed", **common), "shifts"),
        )
        await publish(
            nats_url, wrap(SignupCreated(signup_id=wu, volunteer_id="wu-xia", status="waitlisted", **common), "shifts")
        )
        await publish(nats_url, wrap(SignupPromoted(signup_id=wu, volunteer_id="wu-xia", **common), "shifts"))

        async def states() -> dict[str, str]:
            found = await sql.fetch("SELECT recipient, status FROM reminders WHERE ref_id = $1", shift_id)
            return {str(r["recipient"]): str(r["status"]) for r in found}

        await eventually(
            lambda: _equals(states, {"liu-yang": "cancelled", "wu-xia": "pending"}), message="sign-ups applied"
        )
        promoted = (await client.get("/inbox", headers=tokens.headers("wu-xia", "volunteer"))).json()["items"]
        assert [i["subject"] for i in promoted] == ["候补转正：早间巡逻"]

        await publish(nats_url, wrap(_shift_cancelled(["wu-xia"], shift_id), "shifts"))
        await eventually(
            lambda: _equals(states, {"liu-yang": "cancelled", "wu-xia": "cancelled"}), message="shift cancelled"
        )


async def _equals(probe: object, expected: dict[str, str]) -> bool:
    return await probe() == expected  # type: ignore[operator,no-any-return]
