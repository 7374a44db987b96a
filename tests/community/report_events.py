"""Events of every service as their emitters would publish them, for the yearly report's tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from contracts.catalogue import emitter_of
from contracts.enums import CouncilKind, IssueCategory, IssueChannel, IssueStatus, PostType, SelectionCategory
from contracts.envelope import CloudEvent, EventData
from contracts.events.community import (
    ActivityAdopted,
    AnnouncementPublished,
    InitiativeSigned,
    SelectionConcluded,
    SelectionWinner,
    VentureClosed,
    VisitRecorded,
    WishConfirmed,
)
from contracts.events.deliberation import DecisionAdopted
from contracts.events.issue import IssueResolved, IssueSubmitted
from contracts.events.rewards import HonourGranted, PointsAwarded, PointsRedeemed
from contracts.events.shifts import ParticipationCompleted


def envelope(data: EventData, community: str = "meihu") -> CloudEvent[Any]:
    """The event in its envelope, from the service that emits it."""
    return CloudEvent.wrap(
        data, community=community, service=emitter_of(data.event_name()).service, subject=str(uuid.uuid4())
    )


def submitted(at: datetime, community: str = "meihu") -> CloudEvent[Any]:
    return envelope(
        IssueSubmitted(
            issue_id=uuid.uuid4(),
            category=IssueCategory.CORRIDOR_CLUTTER,
            title="楼道堆物",
            status=IssueStatus.SUBMITTED,
            channel=IssueChannel.APP,
            submitted_at=at,
        ),
        community,
    )


def resolved(issue_id: uuid.UUID, at: datetime) -> CloudEvent[Any]:
    return envelope(
        IssueResolved(
            issue_id=issue_id,
            category=IssueCategory.NOISE,
            title="夜间噪音",
            status=IssueStatus.RESOLVED,
            resolution_summary="已协调",
            contributors=["wang-fang"],
            resolved_at=at,
        )
    )


def adopted(at: datetime) -> CloudEvent[Any]:
    return envelope(
        DecisionAdopted(
            decision_id=uuid.uuid4(),
            council_id=uuid.uuid4(),
            council_kind=CouncilKind.CONSULTATION,
            session_id=uuid.uuid4(),
            motion_id=uuid.uuid4(),
            agenda_item_id=uuid.uuid4(),
            title="楼道堆物整治",
            votes_for=7,
            votes_against=1,
            votes_abstain=0,
            decided_at=at,
            action_plan="物业一周内清理",
        )
    )


def participation(shift_id: uuid.UUID, volunteer: str, hours: float, ended_at: datetime) -> CloudEvent[Any]:
    return envelope(
        ParticipationCompleted(
            participation_id=uuid.uuid4(),
            shift_id=shift_id,
            volunteer_id=volunteer,
            post_type=PostType.PATROL,
            hours=hours,
            started_at=ended_at,
            ended_at=ended_at,
            confirmed_by="liu-yang",
            confirmed_at=ended_at,
        )
    )


def awarded(person: str, points: int, at: datetime) -> CloudEvent[Any]:
    return envelope(
        PointsAwarded(
            transaction_id=uuid.uuid4(),
            person_id=person,
            points=points,
            balance_after=points,
            rule_id="participation.hours",
            rule_version=1,
            explanation={"zh-CN": "服务积分", "en": "Service points"},
            source_event_id=uuid.uuid4(),
            source_event_type="linli.participation.completed.v1",
            awarded_at=at,
        )
    )


def redeemed(person: str, at: datetime) -> CloudEvent[Any]:
    return envelope(
        PointsRedeemed(
            redemption_id=uuid.uuid4(),
            person_id=person,
            prize_id=uuid.uuid4(),
            prize_name={"zh-CN": "洗衣液", "en": "Detergent"},
            points=100,
            redeemed_at=at,
        )
    )


def honour(person: str, at: datetime) -> CloudEvent[Any]:
    return envelope(
        HonourGranted(
            honour_id=uuid.uuid4(),
            person_id=person,
            kind="neighbour_star",
            year=at.year,
            title={"zh-CN": "邻里之星", "en": "Neighbour star"},
            granted_at=at,
        )
    )


def selection(year: int, winners: list[str], at: datetime) -> CloudEvent[Any]:
    return envelope(
        SelectionConcluded(
            selection_id=uuid.uuid4(),
            category=SelectionCategory.NEIGHBOUR_STAR,
            year=year,
            title={"zh-CN": "邻里之星评选", "en": "Neighbour stars"},
            seats=len(winners),
            votes_cast=40,
            winners=[SelectionWinner(person_id=p, name=p, votes=10) for p in winners],
            concluded_by="zhang-wei",
            concluded_at=at,
        )
    )


def festival_activity(year: int, at: datetime) -> CloudEvent[Any]:
    return envelope(
        ActivityAdopted(
            activity_id=uuid.uuid4(),
            festival_id=uuid.uuid4(),
            festival_year=year,
            title="百家宴",
            proposed_by="sun-hao",
            support_count=25,
            adopted_by="zhang-wei",
            adopted_at=at,
        )
    )


def announcement(at: datetime) -> CloudEvent[Any]:
    return envelope(
        AnnouncementPublished(
            announcement_id=uuid.uuid4(),
            title="停水通知",
            body="周六上午停水。",
            audience="community",
            published_by="zhang-wei",
            published_at=at,
        )
    )


def signed(person: str, at: datetime) -> CloudEvent[Any]:
    return envelope(InitiativeSigned(initiative_id=uuid.uuid4(), person_id=person, signed_at=at))


def wish_confirmed(at: datetime) -> CloudEvent[Any]:
    return envelope(
        WishConfirmed(
            wish_id=uuid.uuid4(),
            title="一台助行器",
            claimer_kind="person",
            claimer_id="wang-fang",
            claimer_name="王芳",
            confirmed_at=at,
        )
    )


def venture_closed(at: datetime) -> CloudEvent[Any]:
    return envelope(
        VentureClosed(
            venture_id=uuid.uuid4(),
            title="楼道微花园",
            post_type=PostType.ENVIRONMENT,
            lead_id="liu-yang",
            budget=Decimal("3000.00"),
            spent=Decimal("2750.50"),
            activities_held=4,
            participants=18,
            volunteer_hours=36.0,
            closed_at=at,
        )
    )


def visit_recorded(at: datetime) -> CloudEvent[Any]:
    return envelope(
        VisitRecorded(
            visit_id=uuid.uuid4(),
            year=at.year,
            volunteer_id="wang-fang",
            visited_at=at,
            visitors=["zhang-wei"],
            note="送去慰问品",
        )
    )


def on(day: str, time: str = "10:00") -> datetime:
    """A moment on the community's wall clock (LINLI_TIME_ZONE's default, Asia/Shanghai, UTC+8)."""
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=ZoneInfo("Asia/Shanghai"))
