"""Award rules as data, and what they compute.

A rule is (rule_id, version, trigger, params). The params of each rule are validated by
the pydantic model for its rule_id, so an admin cannot save a rule the engine cannot run.

Rounding: points are integers. A computation in fractions (hours x points/h, night
multiplier) is summed first and rounded once, half up (2.5 -> 3), with Decimal so 0.1 + 0.2
never surprises. Hours are shown rounded to 2 decimals.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from contracts.enums import IssueCategory, PostType
from services.rewards.domain.errors import InvalidValues

PARTICIPATION = "participation.hours"
ISSUE_RESOLVED = "issue.resolved.contributor"
ISSUE_CLOSED = "issue.closed.satisfied"
SESSION_ATTENDED = "session.attended"
WISH_CONFIRMED = "wish.confirmed.claimer"
DAILY_CAP = "daily.cap"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ParticipationParams(_Params):
    points_per_hour: dict[PostType, int] = Field(description="Points per confirmed hour, by red post.")
    default_points_per_hour: int = Field(default=10, ge=0, le=1000)
    night_multiplier: Decimal = Field(default=Decimal("1.5"), ge=1, le=5)
    night_start: time = time(22, 0)
    night_end: time = time(6, 0)
    timezone: str | None = Field(default=None, description="Unset: the community's time zone (LINLI_TIME_ZONE).")


class IssueResolvedParams(_Params):
    points: int = Field(ge=0, le=10_000)
    by_category: dict[IssueCategory, int] = Field(default_factory=dict)


class IssueClosedParams(_Params):
    points: int = Field(ge=0, le=10_000)
    min_satisfaction: int = Field(default=4, ge=1, le=5)


class SessionParams(_Params):
    points: int = Field(ge=0, le=10_000)


class WishConfirmedParams(_Params):
    """The micro-wish award (微心愿): what the claimer earns once the family confirms the wish fulfilled."""

    points: int = Field(ge=0, le=10_000)


class DailyCapParams(_Params):
    """Most points one person can earn from automatic awards in one community day; adjustments are not capped."""

    points: int = Field(ge=0, le=1_000_000)
    timezone: str | None = Field(default=None, description="Unset: the community's time zone (LINLI_TIME_ZONE).")


PARAMS: dict[str, tuple[str, type[_Params]]] = {
    PARTICIPATION: ("participation.completed", ParticipationParams),
    ISSUE_RESOLVED: ("issue.resolved", IssueResolvedParams),
    ISSUE_CLOSED: ("issue.closed", IssueClosedParams),
    SESSION_ATTENDED: ("session.concluded", SessionParams),
    WISH_CONFIRMED: ("wish.confirmed", WishConfirmedParams),
    DAILY_CAP: ("cap", DailyCapParams),
}

DEFAULT_RULES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    PARTICIPATION: (
        {
            "points_per_hour": {"patrol": 12, "publicity": 10, "environment": 10, "culture": 10},
            "default_points_per_hour": 10,
            "night_multiplier": "1.5",
            "night_start": "22:00",
            "night_end": "06:00",
        },
        {"zh-CN": "红色岗位服务按小时积分", "en": "Red-post service, points per hour"},
    ),
    ISSUE_RESOLVED: (
        {"points": 20, "by_category": {"micro_wish": 30}},
        {"zh-CN": "协助办结居民事项", "en": "Helped resolve a resident's issue"},
    ),
    ISSUE_CLOSED: (
        {"points": 5, "min_satisfaction": 4},
        {"zh-CN": "居民满意度奖励", "en": "Bonus for a satisfied resident"},
    ),
    SESSION_ATTENDED: (
        {"points": 5},
        {"zh-CN": "出席议事会会议", "en": "Attended a council session"},
    ),
    WISH_CONFIRMED: (
        {"points": 30},
        {"zh-CN": "认领并完成微心愿", "en": "Fulfilled a micro-wish"},
    ),
    DAILY_CAP: (
        {"points": 200},
        {"zh-CN": "每人每日积分上限", "en": "Daily points cap per person"},
    ),
}


@dataclass(frozen=True)
class Rule:
    rule_id: str
    version: int
    trigger: str
    params: dict[str, Any]
    title: dict[str, str]
    active: bool = True

    def typed(self) -> Any:
        """The parameters as their model; validated once per Rule (a cached rule serves many events)."""
        return self._typed

    @functools.cached_property
    def _typed(self) -> Any:
        return validate_params(self.rule_id, self.params)


def validate_params(rule_id: str, params: dict[str, Any]) -> Any:
    if rule_id not in PARAMS:
        raise InvalidValues(f"There is no rule {rule_id!r}.", known_rules=sorted(PARAMS))
    try:
        return PARAMS[rule_id][1].model_validate(params)
    except ValidationError as exc:
        raise InvalidValues(f"The parameters of {rule_id} are not valid: {exc.errors()[0]['msg']}") from exc


@dataclass(frozen=True)
class Computation:
    """What a rule computed for one person, before the daily cap."""

    points: int
    explanation: dict[str, str]
    hours: Decimal = Decimal(0)
    night_hours: Decimal = Decimal(0)


def round_points(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def zone_of(params: ParticipationParams | DailyCapParams, community_zone: ZoneInfo) -> ZoneInfo:
    """The zone a rule reads local time in: its own if it names one, else the community's."""
    return ZoneInfo(params.timezone) if params.timezone else community_zone


def night_overlap(started_at: datetime, ended_at: datetime, params: ParticipationParams, zone: ZoneInfo) -> Decimal:
    """Hours of [started_at, ended_at] that fall in the night window (local time of `zone`)."""
    if ended_at <= started_at:
        return Decimal(0)
    start_local, end_local = started_at.astimezone(zone), ended_at.astimezone(zone)
    seconds = 0.0
    day = start_local.date() - timedelta(days=1)
    while day <= end_local.date():
        night_from = datetime.combine(day, params.night_start, zone)
        night_to = datetime.combine(day, params.night_end, zone)
        if night_to <= night_from:  # the window crosses midnight
            night_to += timedelta(days=1)
        overlap = (min(end_local, night_to) - max(start_local, night_from)).total_seconds()
        seconds += max(overlap, 0.0)
        day += timedelta(days=1)
    return Decimal(str(seconds)) / Decimal(3600)


def participation_points(
    params: ParticipationParams,
    post_type: PostType,
    hours: float,
    started_at: datetime,
    ended_at: datetime,
    zone: ZoneInfo,
) -> Computation:
    """Confirmed hours x points per hour of the post; night hours count x multiplier.

    The event's `hours` are what the post leader confirmed; the night share of them is the
    night share of [started_at, ended_at], so a confirmed 2 h of a 3 h span keeps its proportion."""
    confirmed = Decimal(str(hours))
    span = Decimal(str((ended_at - started_at).total_seconds())) / Decimal(3600)
    night = night_overlap(started_at, ended_at, params, zone_of(params, zone))
    night_hours = confirmed * night / span if span > 0 else Decimal(0)
    night_hours = min(_hours(night_hours), _hours(confirmed))
    day_hours = _hours(confirmed) - night_hours
    rate = params.points_per_hour.get(post_type, params.default_points_per_hour)
    raw = day_hours * rate + night_hours * rate * params.night_multiplier
    points = round_points(raw)
    label = post_type.labels()
    if night_hours > 0:
        en = (
            f"{day_hours:.1f} h {post_type.value} x {rate} points/h + {night_hours:.1f} night h x {rate}"
            f" x {params.night_multiplier} = {points}"
        )
        zh = (
            f"{label['zh-CN']} {day_hours:.1f} 小时 × {rate} 分/小时 + 夜间 {night_hours:.1f} 小时 × {rate}"
            f" × {params.night_multiplier} = {points} 分"
        )
    else:
        en = f"{day_hours:.1f} h {post_type.value} x {rate} points/h = {points}"
        zh = f"{label['zh-CN']} {day_hours:.1f} 小时 × {rate} 分/小时 = {points} 分"
    return Computation(points, {"zh-CN": zh, "en": en}, _hours(confirmed), night_hours)


def issue_resolved_points(params: IssueResolvedParams, category: IssueCategory, title: str) -> Computation:
    points = params.by_category.get(category, params.points)
    label = category.labels()
    return Computation(
        points,
        {
            "zh-CN": f"协助办结{label['zh-CN']}事项「{title[:60]}」 = {points} 分",
            "en": f"Resolved {label['en'].lower()} issue “{title[:60]}” = {points}",
        },
    )


def issue_closed_points(params: IssueClosedParams, satisfaction: int | None, title: str) -> Computation | None:
    if satisfaction is None or satisfaction < params.min_satisfaction:
        return None
    return Computation(
        params.points,
        {
            "zh-CN": f"事项「{title[:60]}」居民满意度 {satisfaction}/5 奖励 = {params.points} 分",
            "en": f"Resident satisfaction {satisfaction}/5 on “{title[:60]}” = {params.points}",
        },
    )


def session_points(params: SessionParams, title: str) -> Computation:
    return Computation(
        params.points,
        {
            "zh-CN": f"出席议事会会议「{title[:60]}」 = {params.points} 分",
            "en": f"Attended council session “{title[:60]}” = {params.points}",
        },
    )


def wish_points(params: WishConfirmedParams, title: str) -> Computation:
    return Computation(
        params.points,
        {
            "zh-CN": f"认领并完成微心愿「{title[:60]}」，家庭已确认 = {params.points} 分",
            "en": f"Fulfilled the micro-wish “{title[:60]}”, confirmed by the family = {params.points}",
        },
    )


def micro_wish_key(issue_id: uuid.UUID | None, wish_id: uuid.UUID) -> uuid.UUID:
    """What a micro-wish is paid once per person under: the matter it was raised as in intake, if any.

    A wish raised in intake may be paid by two paths: intake's issue.resolved (category micro_wish,
    to its contributors) and community's wish.confirmed (to its claimer). Both name the same key
    (the issue id), so whichever arrives first pays the person and the other pays them nothing."""
    return issue_id if issue_id is not None else wish_id


@dataclass(frozen=True)
class Capped:
    points: int
    capped: int
    explanation: dict[str, str]


def apply_daily_cap(computation: Computation, earned_today: int, cap: int) -> Capped:
    """Award up to what is left under the cap that day; the rest is recorded as capped, never credited later."""
    room = max(cap - earned_today, 0)
    points = min(computation.points, room)
    capped = computation.points - points
    explanation = dict(computation.explanation)
    if capped:
        explanation["zh-CN"] += f"（已达每日上限 {cap} 分：实得 {points} 分，{capped} 分未计入）"
        explanation["en"] += f" (daily cap {cap} reached: {points} awarded, {capped} capped)"
    return Capped(points, capped, explanation)


def service_day(moment: datetime, cap: DailyCapParams, zone: ZoneInfo) -> date:
    """The local calendar day an award counts against for the daily cap (the community's, unless the cap names one)."""
    return moment.astimezone(zone_of(cap, zone)).date()
