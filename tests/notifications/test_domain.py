"""The rules without a database: quiet hours, who hears what, templates, signatures, patterns, back-off."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks import Webhook

from contracts.events.deliberation import DecisionRejected, SessionScheduled
from contracts.events.issue import IssueResolved
from contracts.events.shifts import SignupCreated
from services.notifications.domain import patterns, routing, signing, wecom
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.quiet_hours import QuietHours
from services.notifications.domain.retry import RetryPolicy
from services.notifications.domain.templates import InvalidTemplate, event_context, render, validate
from tests.notifications.support import points_awarded

HEFEI_2300 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
HEFEI = ZoneInfo("Asia/Shanghai")
DEFAULT = QuietHours.default("Asia/Shanghai")  # what someone who never chose has in Meihu


def test_a_message_at_eleven_at_night_waits_until_seven_in_hefei() -> None:
    assert DEFAULT.release_at(HEFEI_2300) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_a_message_after_midnight_waits_until_seven_the_same_morning() -> None:
    at = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)  # 02:30 on 2 December in Hefei
    assert DEFAULT.release_at(at) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_urgent_messages_and_daytime_messages_go_at_once() -> None:
    noon = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert DEFAULT.release_at(HEFEI_2300, urgent=True) == HEFEI_2300
    assert DEFAULT.release_at(noon) == noon


def test_quiet_hours_within_one_day_defer_to_their_end() -> None:
    siesta = QuietHours(time(12, 0), time(14, 0), "Asia/Shanghai")
    assert siesta.release_at(datetime(2026, 12, 1, 5, 0, tzinfo=UTC)) == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)))
def test_a_released_message_is_never_inside_quiet_hours_and_never_early(now: datetime) -> None:
    release = DEFAULT.release_at(now)
    assert release >= now
    assert release - now <= timedelta(hours=9)
    assert not DEFAULT.contains(release.astimezone(HEFEI).time())


def _session() -> SessionScheduled:
    start = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    return SessionScheduled(
        session_id=uuid.uuid4(), council_id=uuid.uuid4(), council_kind="consultation", title="议事会",
        starts_at=start, ends_at=start + timedelta(hours=2), mode="online", member_ids=["a", "b", "a"],
    )  # fmt: skip


def test_council_members_hear_a_session_once_each_and_get_two_reminders() -> None:
    plan = routing.plan("session.scheduled", _session())
    assert [m.person_id for m in plan.people] == ["a", "b"]
    (schedule,) = plan.reminders
    assert isinstance(schedule, routing.ScheduleReminders)
    assert [label for label, _ in schedule.offsets] == ["24h", "2h"]


def test_the_reporter_hears_the_decision_on_their_issue_besides_the_members() -> None:
    now = datetime.now(UTC)
    decision = DecisionRejected(
        decision_id=uuid.uuid4(), council_id=uuid.uuid4(), council_kind="women", session_id=uuid.uuid4(),
        motion_id=uuid.uuid4(), agenda_item_id=uuid.uuid4(), issue_id=uuid.uuid4(), title="t", votes_for=1,
        votes_against=5, votes_abstain=0, decided_at=now, member_ids=["m1"],
    )  # fmt: skip
    plan = routing.plan("decision.rejected", decision, issue_reporter="reporter")
    assert [m.person_id for m in plan.people] == ["m1", "reporter"]


def test_an_issue_change_goes_to_its_reporter_and_is_remembered() -> None:
    issue = IssueResolved(
        issue_id=uuid.uuid4(), category="repairs", title="路灯", reporter_id="r", status="resolved",
        resolution_summary="修好了", contributors=["c"], resolved_at=datetime.now(UTC),
    )  # fmt: skip
    plan = routing.plan("issue.resolved", issue)
    assert [(m.person_id, m.template) for m in plan.people] == [("r", "issue.resolved")]
    assert plan.reporter == (issue.issue_id, "r")


def test_a_waitlisted_signup_gets_no_reminder_and_a_confirmed_one_does() -> None:
    start = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    base = {"signup_id": uuid.uuid4(), "shift_id": uuid.uuid4(), "volunteer_id": "v", "post_type": "culture",
            "title": "t", "starts_at": start, "ends_at": start + timedelta(hours=1)}  # fmt: skip
    assert routing.plan("signup.created", SignupCreated(status="waitlisted", **base)).reminders == []
    assert len(routing.plan("signup.created", SignupCreated(status="confirmed", **base)).reminders) == 1


def test_honours_are_announced_in_the_building_group() -> None:
    from tests.notifications.test_live import _honour

    plan = routing.plan("honour.granted", _honour(4))
    assert [(g.building_group, g.template) for g in plan.groups] == [(4, "honour.announced")]


def test_every_default_template_validates_in_both_languages() -> None:
    for key, texts in DEFAULTS.items():
        assert set(texts) == {"zh-CN", "en"}
        for subject, body in texts.values():
            validate(key, subject, body)


@pytest.mark.parametrize("text", ["{points.__class__}", "{points[0]}", "{missing}", "{points", "{points:d}"])
def test_unsafe_or_unknown_placeholders_are_refused(text: str) -> None:
    with pytest.raises(InvalidTemplate):
        validate("points.awarded", "s", text)


def test_context_picks_the_readers_language_and_local_time() -> None:
    context = event_context(points_awarded(), "en", HEFEI)
    assert context["explanation"] == "2 hours on the red post"
    session = event_context(_session(), "zh-CN", HEFEI)
    assert session["starts_at"] == "2026-12-04 19:00"
    assert session["council_kind_label"] == "协商议事会"
    assert render("{title} {unknown_is_empty}", session) == "议事会 "


def test_signatures_verify_with_the_standard_webhooks_library_for_every_secret() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    body = b'{"id":"x"}'
    now = int(datetime.now(UTC).timestamp())
    headers = signing.headers([first, second], "msg_1", now, body)
    assert Webhook(first).verify(body, headers) == {"id": "x"}
    assert Webhook(second).verify(body, headers) == {"id": "x"}


def test_event_type_patterns() -> None:
    assert patterns.matches(["issue.*"], "issue.resolved")
    assert patterns.matches(["*"], "points.awarded")
    assert not patterns.matches(["issue.resolved"], "issue.closed")
    for bad in ("issue.nope", "notification.*", "issue", ""):
        with pytest.raises(patterns.InvalidPattern):
            patterns.validate(bad)


def test_backoff_grows_with_jitter_and_stops_after_the_window() -> None:
    policy = RetryPolicy(base=1, cap=100, window=60, max_attempts=None)
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in (1, 2, 3, 4)]
    assert all(0.5 * 2 ** (n - 1) <= d <= 1.5 * 2 ** (n - 1) for n, d in zip((1, 2, 3, 4), delays, strict=True))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert policy.next_try(attempts=1, retry_from=start, now=start) is not None
    assert policy.next_try(attempts=3, retry_from=start, now=start + timedelta(seconds=59)) is None
    assert RetryPolicy(1, 10, None, 3).next_try(attempts=3, retry_from=start, now=start) is None


def test_wecom_messages_have_the_robots_json_shape_and_fit_its_byte_limits() -> None:
    assert wecom.text("开会", ["@all"]) == {"msgtype": "text", "text": {"content": "开会", "mentioned_list": ["@all"]}}
    assert wecom.markdown("## 荣誉榜") == {"msgtype": "markdown", "markdown": {"content": "## 荣誉榜"}}
    long = wecom.markdown("邻" * 3000)["markdown"]["content"]
    assert len(long.encode()) <= wecom.MARKDOWN_LIMIT
    assert long.endswith("…")
    assert len(wecom.text("a" * 5000)["text"]["content"].encode()) <= wecom.TEXT_LIMIT
