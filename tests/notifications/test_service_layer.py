"""The service layer on a fake unit of work (no database, no broker): who gets what, when, and what is refused."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import cast

import pytest

from contracts.events.deliberation import SessionCancelled, SessionScheduled
from contracts.events.notification import NotificationDelivered
from services.kernel.clock import SettableClock
from services.kernel.identity import Principal
from services.notifications.domain.errors import (
    CommunityOutOfReach,
    InboxItemNotFound,
    StillBeingTried,
    SubscriptionNotFound,
    TemplateNotFound,
)
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.templates import InvalidTemplate
from services.notifications.service_layer import commands, reminders
from services.notifications.service_layer.dispatch import dispatch
from services.notifications.settings import NotificationSettings
from tests.notifications.fakes import FakeNotificationsUnitOfWork
from tests.notifications.support import points_awarded, wrap
from tests.notifications.test_timing import SESSION_STARTS, _session, _shift_cancelled

MORNING = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Meihu
LATE_EVENING = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 23:00 in Meihu
SEVEN_NEXT_MORNING = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
ADMIN = Principal("admin", "管理员", "meihu", frozenset({"admin"}))


def fake_uow(at: datetime = MORNING, **settings: object) -> FakeNotificationsUnitOfWork:
    values: dict[str, object] = {"notifications_smtp_host": "smtp.meihu.example.org", **settings}
    return FakeNotificationsUnitOfWork(NotificationSettings(**values), at=at)  # type: ignore[arg-type]


def with_email(person_id: str, *, quiet: bool = True) -> Preferences:
    prefs = Preferences.defaults(person_id, "Asia/Shanghai")
    return replace(prefs, email=f"{person_id}@meihu.example.org", quiet=prefs.quiet if quiet else None)


async def test_an_award_reaches_the_inbox_at_once_queues_an_email_and_announces_the_inbox_delivery() -> None:
    uow = fake_uow()
    uow.prefer(with_email("li-na"))

    await dispatch(uow, wrap(points_awarded("li-na", 10), "rewards"))

    (inbox,) = uow.fake_notifications.of("inbox")
    (email,) = uow.fake_notifications.of("email")
    assert (inbox["status"], inbox["subject"]) == ("delivered", "爱心银行积分 +10")
    assert (email["status"], email["address"], email["next_attempt_at"]) == (
        "pending",
        "li-na@meihu.example.org",
        MORNING,
    )
    assert [type(e) for e in uow.events] == [NotificationDelivered]
    assert uow.events[0].notification_id == inbox["id"]
    assert uow.committed == 1


async def test_the_same_event_dispatched_twice_queues_nothing_twice_and_announces_once() -> None:
    uow = fake_uow()
    uow.prefer(with_email("li-na"))
    event = wrap(points_awarded("li-na"), "rewards")

    await dispatch(uow, event)
    await dispatch(uow, event)

    assert sorted(r["channel"] for r in uow.fake_notifications.rows.values()) == ["email", "inbox"]
    assert len(uow.events) == 1


async def test_at_night_an_email_waits_until_seven_but_an_urgent_cancellation_goes_at_once() -> None:
    uow = fake_uow(LATE_EVENING)
    uow.prefer(with_email("wang-fang"))

    await dispatch(uow, wrap(points_awarded("wang-fang"), "rewards"))
    await dispatch(uow, wrap(_shift_cancelled(["wang-fang"]), "shifts"))

    release = {r["event_type"]: r["next_attempt_at"] for r in uow.fake_notifications.of("email")}
    assert release == {
        "linli.points.awarded.v1": SEVEN_NEXT_MORNING,
        "linli.shift.cancelled.v1": LATE_EVENING,
    }


async def test_quiet_hours_saved_without_a_zone_are_read_in_the_community_zone_of_the_settings() -> None:
    half_past_eleven_in_berlin = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    uow = fake_uow(half_past_eleven_in_berlin, time_zone="Europe/Berlin")
    wanted = commands.WantedPreferences(
        language="en", email="z@example.org", inbox_enabled=True, email_enabled=True, quiet=(time(22), time(7))
    )

    saved = await commands.save_preferences(uow, "zhao-lei", "meihu", wanted)
    await dispatch(uow, wrap(points_awarded("zhao-lei"), "rewards"))

    assert saved.quiet is not None
    assert saved.quiet.timezone == "Europe/Berlin"
    (email,) = uow.fake_notifications.of("email")
    assert email["next_attempt_at"] == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert email["subject"] == "Love bank: +10 points"


async def test_a_webhook_is_queued_only_for_the_subscriptions_whose_patterns_match() -> None:
    uow = fake_uow()
    await commands.subscribe(
        uow, ADMIN, url="https://a.example/h", event_types=["issue.*"], community=None, description=None
    )
    wanted, _ = await commands.subscribe(
        uow, ADMIN, url="https://b.example/h", event_types=["points.*"], community=None, description=None
    )

    await dispatch(uow, wrap(points_awarded("nobody"), "rewards"))

    assert [r["recipient"] for r in uow.fake_notifications.of("webhook")] == [str(wanted["id"])]


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ("{nonsense}", "{nonsense} is not offered"),
        ("{points.__class__}", "only plain names"),
        ("{points", "unbalanced"),
    ],
)
async def test_a_template_with_a_bad_placeholder_is_refused_with_the_allowed_ones_and_nothing_is_saved(
    body: str, complaint: str
) -> None:
    uow = fake_uow()

    with pytest.raises(InvalidTemplate) as refused:
        await commands.save_template(uow, "points.awarded", "en", "Points", body, ADMIN)

    assert complaint in refused.value.detail
    assert "points" in refused.value.extensions["allowed_placeholders"]
    assert uow.fake_channels.templates == {}


async def test_a_template_key_that_no_event_has_does_not_exist() -> None:
    with pytest.raises(TemplateNotFound) as refused:
        await commands.save_template(fake_uow(), "parcel.arrived", "en", "s", "b", ADMIN)

    assert "points.awarded" in refused.value.extensions["known_keys"]


async def test_an_edited_template_is_used_for_the_next_message() -> None:
    uow = fake_uow()

    await commands.save_template(uow, "points.awarded", "zh-CN", "积分到账 {points}", "余额 {balance_after}", ADMIN)
    await dispatch(uow, wrap(points_awarded("chen-jing", 8), "rewards"))

    (inbox,) = uow.fake_notifications.of("inbox")
    assert (inbox["subject"], inbox["body"]) == ("积分到账 8", "余额 120")


async def test_nobody_can_mark_someone_elses_inbox_item_read() -> None:
    uow = fake_uow()
    await dispatch(uow, wrap(points_awarded("li-na"), "rewards"))
    (item,) = uow.fake_notifications.of("inbox")
    neighbour = Principal("sun-hao", "孙浩", "meihu", frozenset({"resident"}))

    with pytest.raises(InboxItemNotFound):
        await commands.mark_read(uow, neighbour, item["id"])

    assert item["read_at"] is None


async def test_another_communitys_subscription_cannot_be_made_and_does_not_exist_for_rotation() -> None:
    uow = fake_uow()
    theirs, _ = await commands.subscribe(
        uow,
        Principal("binhu-admin", "滨湖", "binhu", frozenset({"admin"})),
        url="https://b.example/h",
        event_types=["*"],
        community=None,
        description=None,
    )

    with pytest.raises(CommunityOutOfReach):
        await commands.subscribe(
            uow, ADMIN, url="https://x.example/h", event_types=["*"], community="binhu", description=None
        )
    with pytest.raises(SubscriptionNotFound):
        await commands.rotate_secret(uow, ADMIN, theirs["id"], None)


async def test_a_delivery_still_being_tried_cannot_be_redelivered_but_a_failed_one_is_queued_again() -> None:
    uow = fake_uow()
    sub, _ = await commands.subscribe(
        uow, ADMIN, url="https://x.example/h", event_types=["*"], community=None, description=None
    )
    await dispatch(uow, wrap(points_awarded("nobody"), "rewards"))
    (delivery,) = uow.fake_notifications.of("webhook")

    with pytest.raises(StillBeingTried):
        await commands.redeliver(uow, ADMIN, sub["id"], delivery["id"])
    delivery.update(status="failed", next_attempt_at=None)
    await commands.redeliver(uow, ADMIN, sub["id"], delivery["id"])

    assert (delivery["status"], delivery["next_attempt_at"], delivery["retry_from"]) == ("pending", MORNING, MORNING)


async def test_session_reminders_fire_once_when_due_and_a_cancellation_stops_the_rest() -> None:
    uow = fake_uow()
    clock = cast(SettableClock, uow.clock)
    session_id = uuid.uuid4()
    await dispatch(uow, wrap(_session(SessionScheduled, session_id), "deliberation"))
    assert set(uow.fake_reminders.status(session_id).values()) == {"pending"}

    clock.set(SESSION_STARTS - timedelta(hours=24))
    fired = [await reminders.fire_due(uow), await reminders.fire_due(uow)]
    await dispatch(uow, wrap(_session(SessionCancelled, session_id), "deliberation"))

    assert fired == [2, 0]
    assert uow.fake_reminders.status(session_id) == {
        ("chen-jing", "24h"): "fired",
        ("huang-li", "24h"): "fired",
        ("chen-jing", "2h"): "cancelled",
        ("huang-li", "2h"): "cancelled",
    }
    subjects = [r["subject"] for r in uow.fake_notifications.of("inbox") if "reminder" in r["event_type"]]
    assert subjects == ["会议提醒：明天 十二月议事会"] * 2
