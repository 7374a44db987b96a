"""The community's year in figures (年度工作报告): what each figure counts, and the facts one event adds.

The report is a read model built only from the events the services publish, never from their
tables: each consumed event becomes zero or more facts (figure, year, what it counts, how much),
stored once per (event id, figure), so a redelivered or duplicated event adds nothing. A figure
is then a count of facts, a count of the distinct things they name, or a sum of their amounts.

The year of a fact is the community's calendar year (LINLI_TIME_ZONE) of the moment the event
says the thing happened (its own timestamp: submitted_at, confirmed_at...), or the year the
event itself names (a festival's, a selection's, a visit plan's): a matter raised at 23:30 on
31 December in Hefei belongs to that year, though it is already 1 January somewhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from contracts.envelope import CloudEvent


class Measure(StrEnum):
    COUNT = "count"
    """How many events."""
    DISTINCT = "distinct"
    """How many different things (issues, shifts, people) the events name."""
    SUM = "sum"
    """The sum of an amount the events carry (hours, points)."""


@dataclass(frozen=True)
class Figure:
    key: str
    measure: Measure
    label: dict[str, str]
    definition: dict[str, str]
    source: tuple[str, ...]
    """The event types it is built from, for the reader."""


def _figure(key: str, measure: Measure, zh: str, en: str, zh_def: str, en_def: str, *source: str) -> Figure:
    return Figure(key, measure, {"zh-CN": zh, "en": en}, {"zh-CN": zh_def, "en": en_def}, source)


FIGURES: tuple[Figure, ...] = (
    _figure(
        "matters_raised",
        Measure.COUNT,
        "居民提出事项",
        "Matters raised",
        "当年居民通过各渠道（手机、电话、走访、12345）提出的事项数。",
        "Matters residents raised in the year, by any channel (app, phone, visit, the 12345 hotline).",
        "issue.submitted",
    ),
    _figure(
        "matters_resolved",
        Measure.DISTINCT,
        "办结事项",
        "Matters resolved",
        "当年办结的不同事项数；重新打开后再次办结的只计一次。",
        "Different matters resolved in the year; one reopened and resolved again counts once.",
        "issue.resolved",
    ),
    _figure(
        "council_cases_settled",
        Measure.COUNT,
        "议事会协商议决事项",
        "Cases settled by the councils",
        "当年协商议事会、妇女议事会表决通过的决定数（社区年度报告中的“协商解决纠纷”）。",
        "Decisions the deliberation and women's councils adopted in the year (the report's disputes settled).",
        "decision.adopted",
    ),
    _figure(
        "red_post_activities",
        Measure.DISTINCT,
        "红色岗位活动",
        "Red-post activities held",
        "当年至少有一名志愿者经岗长确认参加的不同班次数。",
        "Different shifts in the year with at least one volunteer's participation confirmed by the post leader.",
        "participation.completed",
    ),
    _figure(
        "volunteer_hours",
        Measure.SUM,
        "志愿服务时长（小时）",
        "Volunteer hours",
        "当年岗长确认的志愿服务小时数之和。",
        "Hours of service the post leaders confirmed in the year, summed.",
        "participation.completed",
    ),
    _figure(
        "volunteers_serving",
        Measure.DISTINCT,
        "参与服务的志愿者",
        "Volunteers who served",
        "当年至少一次参与服务经确认的不同志愿者人数。",
        "Different volunteers with at least one confirmed participation in the year.",
        "participation.completed",
    ),
    _figure(
        "points_awarded",
        Measure.SUM,
        "爱心银行发放积分",
        "Love-bank points awarded",
        "当年爱心银行按积分规则发放的积分之和（不含人工调整）。",
        "Points the love bank credited by its award rules in the year (hand adjustments not included).",
        "points.awarded",
    ),
    _figure(
        "prize_redeemers",
        Measure.DISTINCT,
        "兑换奖品的骨干志愿者",
        "Backbones who redeemed prizes",
        "当年在爱心银行柜台领取过至少一件奖品的不同人数。",
        "Different people who collected at least one prize at the love-bank counter in the year.",
        "points.redeemed",
    ),
    _figure(
        "honours_granted",
        Measure.COUNT,
        "授予荣誉",
        "Honours granted",
        "当年授予的荣誉数：星级志愿者、邻里之星、优秀楼栋党小组长、孝老爱亲模范。",
        "Honours granted in the year: volunteer star levels, neighbour stars, excellent group leaders, "
        "filial piety models.",
        "honour.granted",
    ),
    _figure(
        "selections_held",
        Measure.COUNT,
        "公开评选",
        "Public selections held",
        "当年结束投票并公布结果的评选数。",
        "Public selections whose vote closed and results were published in the year.",
        "selection.concluded",
    ),
    _figure(
        "people_selected",
        Measure.SUM,
        "评选产生的先进人物",
        "People chosen in selections",
        "当年各项评选产生的当选人数之和。",
        "People chosen, summed over the year's selections.",
        "selection.concluded",
    ),
    _figure(
        "festival_activities",
        Measure.COUNT,
        "邻里节活动",
        "Neighbourhood festival activities",
        "当年邻里节中由居民提议、两委采纳的活动数。",
        "Activities of the year's neighbourhood festival that residents proposed and the committees adopted.",
        "activity.adopted",
    ),
    _figure(
        "announcements_published",
        Measure.COUNT,
        "发布公告",
        "Announcements published",
        "当年两委和楼栋宣传员发布的公告数。",
        "Announcements the committees and the building groups' publicity agents published in the year.",
        "announcement.published",
    ),
    _figure(
        "initiative_signatures",
        Measure.COUNT,
        "倡议书签名",
        "Initiative sign-ons",
        "当年居民对倡议书的签名数（每份倡议每人一次）。",
        "Residents' sign-ons to initiatives in the year (once per person and initiative).",
        "initiative.signed",
    ),
    _figure(
        "wishes_fulfilled",
        Measure.COUNT,
        "微心愿实现",
        "Micro-wishes fulfilled",
        "当年经家庭确认已实现的微心愿数。",
        "Micro-wishes whose families confirmed them fulfilled in the year.",
        "wish.confirmed",
    ),
    _figure(
        "ventures_completed",
        Measure.COUNT,
        "微公益创投项目结项",
        "Venture projects completed",
        "当年提交结项报告的微公益创投项目数。",
        "Micro public-welfare venture projects that filed their closing report in the year.",
        "venture.closed",
    ),
    _figure(
        "care_visits",
        Measure.COUNT,
        "走访慰问骨干志愿者",
        "Care visits to backbone volunteers",
        "当年已完成并记录的走访慰问次数。",
        "Care visits to backbone volunteers' homes made and recorded in the year.",
        "visit.recorded",
    ),
)

BY_KEY: dict[str, Figure] = {figure.key: figure for figure in FIGURES}
CONSUMED: tuple[str, ...] = tuple(dict.fromkeys(source for figure in FIGURES for source in figure.source))


@dataclass(frozen=True)
class Fact:
    """One event's contribution to one figure of one year."""

    figure: str
    year: int
    counts: str = ""
    """What a distinct figure counts (an issue, a shift, a person); empty for the others."""
    amount: Decimal = Decimal(1)


def _year(moment: datetime, zone: ZoneInfo) -> int:
    return moment.astimezone(zone).year


def facts_of(event: CloudEvent[Any], zone: ZoneInfo) -> list[Fact]:
    """What one event adds to the report: pure, so the definitions above are tested without a database."""
    d: Any = event.data
    name = event.event_name
    match name:
        case "issue.submitted":
            return [Fact("matters_raised", _year(d.submitted_at, zone))]
        case "issue.resolved":
            return [Fact("matters_resolved", _year(d.resolved_at, zone), str(d.issue_id))]
        case "decision.adopted":
            return [Fact("council_cases_settled", _year(d.decided_at, zone))]
        case "participation.completed":
            year = _year(d.ended_at, zone)
            return [
                Fact("red_post_activities", year, str(d.shift_id)),
                Fact("volunteer_hours", year, amount=Decimal(str(d.hours))),
                Fact("volunteers_serving", year, d.volunteer_id),
            ]
        case "points.awarded":
            return [Fact("points_awarded", _year(d.awarded_at, zone), amount=Decimal(d.points))]
        case "points.redeemed":
            return [Fact("prize_redeemers", _year(d.redeemed_at, zone), d.person_id)]
        case "honour.granted":
            return [Fact("honours_granted", d.year or _year(d.granted_at, zone))]
        case "selection.concluded":
            return [
                Fact("selections_held", d.year),
                Fact("people_selected", d.year, amount=Decimal(len(d.winners))),
            ]
        case "activity.adopted":
            return [Fact("festival_activities", d.festival_year)]
        case "announcement.published":
            return [Fact("announcements_published", _year(d.published_at, zone))]
        case "initiative.signed":
            return [Fact("initiative_signatures", _year(d.signed_at, zone))]
        case "wish.confirmed":
            return [Fact("wishes_fulfilled", _year(d.confirmed_at, zone))]
        case "venture.closed":
            return [Fact("ventures_completed", _year(d.closed_at, zone))]
        case "visit.recorded":
            return [Fact("care_visits", _year(d.visited_at, zone))]
    return []


@dataclass(frozen=True)
class FigureValue:
    figure: Figure
    value: Decimal


def assemble(values: dict[str, Decimal]) -> list[FigureValue]:
    """Every figure in report order, zero where no event counted towards it."""
    return [FigureValue(figure, values.get(figure.key, Decimal(0))) for figure in FIGURES]
