"""The award rules as pure functions: hours, night hours, rounding, caps, star levels, balanced transfers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts.enums import IssueCategory, PostType
from services.rewards.domain import rules as r
from services.rewards.domain.errors import InvalidValues, UnbalancedTransaction
from services.rewards.domain.honours import current_star_hours, levels_crossed, next_star_hours, star_level
from services.rewards.domain.ledger import Posting, TransactionKind, Transfer

ZONE = ZoneInfo("Asia/Shanghai")  # the community zone these examples live in
PARAMS = r.ParticipationParams.model_validate(r.DEFAULT_RULES[r.PARTICIPATION][0])


def shanghai(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def test_two_daytime_patrol_hours_earn_24_points_with_an_explanation() -> None:
    start = shanghai(14)
    result = r.participation_points(PARAMS, PostType.PATROL, 2.0, start, start + timedelta(hours=2), ZONE)
    assert result.points == 24
    assert result.explanation["en"] == "2.0 h patrol x 12 points/h = 24"
    assert "治安巡逻岗 2.0 小时 × 12 分/小时" in result.explanation["zh-CN"]


def test_other_posts_earn_10_points_an_hour() -> None:
    start = shanghai(9)
    result = r.participation_points(PARAMS, PostType.CULTURE, 3.0, start, start + timedelta(hours=3), ZONE)
    assert result.points == 30


def test_hours_between_22_and_06_shanghai_count_one_and_a_half() -> None:
    start = shanghai(22)
    result = r.participation_points(PARAMS, PostType.PATROL, 2.0, start, start + timedelta(hours=2), ZONE)
    assert result.night_hours == Decimal("2.00")
    assert result.points == 36


def test_a_shift_across_06_counts_only_its_night_part_extra() -> None:
    start = shanghai(5, day=2)
    result = r.participation_points(PARAMS, PostType.PATROL, 2.0, start, start + timedelta(hours=2), ZONE)
    assert result.night_hours == Decimal("1.00")
    assert result.points == 12 + 18


def test_a_shift_from_21_to_23_has_one_night_hour() -> None:
    start = shanghai(21)
    assert r.night_overlap(start, start + timedelta(hours=2), PARAMS, ZONE) == Decimal(1)


def test_night_is_judged_in_shanghai_time_not_utc() -> None:
    utc_night = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)  # 07:00 in Shanghai: daytime
    assert r.night_overlap(utc_night, utc_night + timedelta(hours=2), PARAMS, ZONE) == 0


def test_fractional_points_round_half_up_once() -> None:
    start = shanghai(10)
    result = r.participation_points(PARAMS, PostType.CULTURE, 0.25, start, start + timedelta(minutes=15), ZONE)
    assert result.points == 3  # 2.5 -> 3
    assert r.round_points(Decimal("2.49")) == 2


def test_micro_wishes_earn_30_other_issues_20() -> None:
    params = r.IssueResolvedParams.model_validate(r.DEFAULT_RULES[r.ISSUE_RESOLVED][0])
    assert r.issue_resolved_points(params, IssueCategory.MICRO_WISH, "x").points == 30
    assert r.issue_resolved_points(params, IssueCategory.REPAIRS, "x").points == 20


def test_satisfaction_below_four_earns_no_bonus() -> None:
    params = r.IssueClosedParams.model_validate(r.DEFAULT_RULES[r.ISSUE_CLOSED][0])
    assert r.issue_closed_points(params, 3, "x") is None
    assert r.issue_closed_points(params, None, "x") is None
    bonus = r.issue_closed_points(params, 4, "x")
    assert bonus is not None
    assert bonus.points == 5


def test_cap_awards_up_to_the_cap_and_records_the_rest_as_capped() -> None:
    computation = r.Computation(24, {"zh-CN": "巡逻", "en": "patrol"})
    capped = r.apply_daily_cap(computation, earned_today=190, cap=200)
    assert (capped.points, capped.capped) == (10, 14)
    assert "10 awarded, 14 capped" in capped.explanation["en"]
    assert r.apply_daily_cap(computation, earned_today=200, cap=200).points == 0
    assert r.apply_daily_cap(computation, earned_today=0, cap=200).capped == 0


def test_rule_parameters_are_validated() -> None:
    with pytest.raises(InvalidValues):
        r.validate_params(r.SESSION_ATTENDED, {"points": -1})
    with pytest.raises(InvalidValues):
        r.validate_params("no.such.rule", {})


@pytest.mark.parametrize(
    ("hours", "level"), [(Decimal(99), 0), (Decimal(100), 1), (Decimal(599), 2), (Decimal(1000), 4), (Decimal(2000), 5)]
)
def test_star_levels_follow_the_hour_thresholds(hours: Decimal, level: int) -> None:
    assert star_level(hours) == level


@pytest.mark.parametrize(
    ("hours", "target"), [(Decimal(0), 100), (Decimal(100), 300), (Decimal("599.5"), 600), (Decimal(1500), None)]
)
def test_the_next_star_is_the_first_threshold_not_yet_reached(hours: Decimal, target: int | None) -> None:
    assert next_star_hours(hours) == target


@pytest.mark.parametrize(
    ("hours", "start"),
    [(Decimal(0), 0), (Decimal(99), 0), (Decimal(100), 100), (Decimal("599.5"), 300), (Decimal(2000), 1500)],
)
def test_the_star_level_held_began_at_its_threshold(hours: Decimal, start: int) -> None:
    assert current_star_hours(hours) == start


def test_levels_crossed_lists_every_threshold_passed_at_once() -> None:
    assert levels_crossed(Decimal(90), Decimal(310)) == [1, 2]
    assert levels_crossed(Decimal(100), Decimal(110)) == []


def test_a_transfer_must_balance() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(UnbalancedTransaction):
        Transfer(TransactionKind.AWARD, "meihu", (Posting(a, 5), Posting(b, -4)))
    with pytest.raises(UnbalancedTransaction):
        Transfer(TransactionKind.AWARD, "meihu", (Posting(a, 0), Posting(b, 0)))
    transfer = Transfer.move(TransactionKind.AWARD, "meihu", a, b, 5)
    assert sum(p.amount for p in transfer.reversal(reason="x", actor_id="admin").postings) == 0
