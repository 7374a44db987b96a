"""The proposer of a festival activity hears when it is adopted and when it is scheduled, in their language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from contracts.events.community import ActivityScheduled
from services.notifications.domain import routing
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.templates import event_context, render

HEFEI = ZoneInfo("Asia/Shanghai")


def _scheduled(proposed_by: str | None) -> ActivityScheduled:
    return ActivityScheduled(
        activity_id=uuid.uuid4(),
        festival_id=uuid.uuid4(),
        festival_year=2020,
        festival_edition=13,
        title="百家宴",
        starts_at=datetime(2020, 9, 12, 1, 0, tzinfo=UTC),
        ends_at=datetime(2020, 9, 12, 4, 0, tzinfo=UTC),
        location="美湖社区广场",
        capacity=80,
        proposed_by=proposed_by,
    )


def test_the_proposer_hears_that_their_activity_is_scheduled_at_local_time() -> None:
    event = _scheduled("sun-hao")

    plan = routing.plan("activity.scheduled", event)
    _, body = DEFAULTS["activity.scheduled"]["zh-CN"]
    subject_en, _ = DEFAULTS["activity.scheduled"]["en"]

    assert [(m.person_id, m.template) for m in plan.people] == [("sun-hao", "activity.scheduled")]
    assert render(body, event_context(event, "zh-CN", HEFEI)).startswith("「百家宴」定于 2020-09-12 09:00")
    assert render(subject_en, event_context(event, "en", HEFEI)) == "Festival activity scheduled: 百家宴"


def test_a_scheduled_activity_without_a_known_proposer_tells_nobody() -> None:
    assert routing.plan("activity.scheduled", _scheduled(None)).people == []
