"""Events of the rewards service: the love bank (爱心银行)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from contracts.envelope import EventData

PersonId = str


class PointsAwarded(EventData):
    entity = "points"
    verb = "awarded"
    summary = "Points were credited to a person for service or a resolved issue; explanation says why."

    transaction_id: uuid.UUID
    person_id: PersonId
    points: int = Field(gt=0)
    balance_after: int = Field(ge=0)
    rule_id: str
    rule_version: int = Field(ge=1)
    explanation: dict[str, str] = Field(description="The human explanation keyed by language (zh-CN, en).")
    source_event_id: uuid.UUID
    source_event_type: str
    building_group: int | None = Field(default=None, ge=1, le=6)
    awarded_at: datetime


class PointsAdjusted(EventData):
    entity = "points"
    verb = "adjusted"
    summary = "An admin adjusted a balance by hand, with a reason."

    transaction_id: uuid.UUID
    person_id: PersonId
    points: int
    balance_after: int = Field(ge=0)
    reason: str = Field(max_length=2000)
    adjusted_by: PersonId
    adjusted_at: datetime


class RedemptionReserved(EventData):
    entity = "redemption"
    verb = "reserved"
    summary = "Points and stock were reserved for a prize; the pickup code is ready at the counter."

    redemption_id: uuid.UUID
    person_id: PersonId
    prize_id: uuid.UUID
    prize_name: dict[str, str]
    points: int = Field(gt=0)
    pickup_code: str
    reserved_at: datetime


class PointsRedeemed(EventData):
    entity = "points"
    verb = "redeemed"
    summary = "A reserved redemption was fulfilled at the counter; the points are spent."

    redemption_id: uuid.UUID
    person_id: PersonId
    prize_id: uuid.UUID
    prize_name: dict[str, str]
    points: int = Field(gt=0)
    redeemed_at: datetime


class PointsRefunded(EventData):
    entity = "points"
    verb = "refunded"
    summary = "A reserved redemption was cancelled; its points went back to the person."

    redemption_id: uuid.UUID
    person_id: PersonId
    prize_id: uuid.UUID
    points: int = Field(gt=0)
    balance_after: int = Field(ge=0)
    refunded_at: datetime


class HonourGranted(EventData):
    entity = "honour"
    verb = "granted"
    summary = "An honour was granted: a volunteer star level, neighbour star (邻里之星), excellent group leader or filial piety model (孝老爱亲)."

    honour_id: uuid.UUID
    person_id: PersonId
    kind: Literal["star_level", "neighbour_star", "excellent_group_leader", "filial_piety"]
    level: int | None = Field(default=None, ge=1, le=5)
    year: int | None = None
    title: dict[str, str] = Field(description="Keyed by language (zh-CN, en).")
    building_group: int | None = Field(default=None, ge=1, le=6)
    granted_by: PersonId | None = None
    granted_at: datetime


REWARDS_EVENTS: tuple[type[EventData], ...] = (
    PointsAwarded,
    PointsAdjusted,
    RedemptionReserved,
    PointsRedeemed,
    PointsRefunded,
    HonourGranted,
)
