"""The micro public-welfare venture project (微公益创投) a red post's team applies for.

Lifecycle: submitted -> approved | returned; returned -> submitted (the lead revises and
resubmits); approved -> closed (the closing report). Its activities run as shifts of its post,
linked by the lead; the closing report's participation is counted from shifts' confirmed
participations of those shifts, never typed in.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from contracts.enums import PostType
from contracts.events.community import VentureApproved, VentureClosed, VentureEvent, VentureReturned
from services.kernel import errors
from services.kernel.events import PendingEvent

VentureStatus = Literal["submitted", "approved", "returned", "closed"]
TRANSITIONS: dict[VentureStatus, tuple[VentureStatus, ...]] = {
    "submitted": ("approved", "returned"),
    "returned": ("submitted",),
    "approved": ("closed",),
    "closed": (),
}
MAX_ACTIVITIES = 50


class VentureNotFound(errors.DoesNotExist):
    def __init__(self, venture_id: object) -> None:
        super().__init__(f"There is no venture project {venture_id} / 创投项目不存在.")


class VentureTransitionNotAllowed(errors.IllegalTransition):
    def __init__(self, current: VentureStatus, wanted: VentureStatus) -> None:
        super().__init__(
            f"A venture project that is {current} cannot become {wanted} / 项目当前状态不允许此操作.",
            current=current,
            allowed=list(TRANSITIONS[current]),
        )


class NotTheLead(errors.NotPermitted):
    """Only the team lead who applied revises, links shifts to and closes a venture."""


class InvalidVenture(errors.InvalidInput):
    """An application or report lacks what the rule needs."""


class ShiftNotLinkable(errors.RuleBroken):
    """Shifts are linked to an approved venture only."""


@dataclass(frozen=True)
class Plan:
    """What the team applies for (and revises when the committees return it)."""

    title: str
    aim: str
    post_type: PostType
    budget: Decimal
    activities_planned: tuple[str, ...]

    def checked(self) -> Plan:
        title, aim = self.title.strip(), self.aim.strip()
        if not title or not aim:
            raise InvalidVenture(
                "A venture needs a title and an aim / 须填写项目名称和目标.", field="title" if not title else "aim"
            )
        if self.budget < 0 or self.budget != self.budget.quantize(Decimal("0.01")):
            raise InvalidVenture("The budget is yuan with at most 2 decimals, not negative.", field="budget")
        activities = tuple(a.strip() for a in self.activities_planned if a.strip())
        if not activities or len(activities) > MAX_ACTIVITIES:
            raise InvalidVenture(
                f"Plan 1 to {MAX_ACTIVITIES} activities / 须列出计划开展的活动.", field="activities_planned"
            )
        return Plan(title, aim, self.post_type, self.budget, activities)


@dataclass(frozen=True)
class Participation:
    """What the linked shifts' confirmed participations add up to (computed from shifts' events)."""

    activities_held: int
    participants: int
    volunteer_hours: float


@dataclass
class Venture:
    id: uuid.UUID
    community: str
    lead_id: str
    plan: Plan
    status: VentureStatus
    created_at: datetime
    return_reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    spent: Decimal | None = None
    report: str | None = None
    participation: Participation | None = None
    closed_at: datetime | None = None
    events: list[VentureEvent] = field(default_factory=list)

    @classmethod
    def apply(cls, *, venture_id: uuid.UUID, community: str, lead_id: str, plan: Plan, now: datetime) -> Venture:
        return cls(venture_id, community, lead_id, plan.checked(), "submitted", now)

    def _lead_only(self, actor: str) -> None:
        if actor != self.lead_id:
            raise NotTheLead("Only the team lead who applied may do this / 仅申请的团队负责人可以操作.")

    def revise(self, actor: str, plan: Plan) -> None:
        """The lead revises a returned application and resubmits it."""
        self._lead_only(actor)
        self._check("submitted")
        self.plan = plan.checked()
        self.status = "submitted"

    def approve(self, actor: str, now: datetime) -> None:
        self._check("approved")
        self.status, self.decided_by, self.decided_at, self.return_reason = "approved", actor, now, None
        self.events.append(VentureApproved(**self._base(), approved_by=actor, approved_at=now))

    def return_to_team(self, actor: str, reason: str, now: datetime) -> None:
        self._check("returned")
        reason = reason.strip()
        if not reason:
            raise InvalidVenture("Returning needs a reason / 退回须说明理由.", field="reason")
        self.status, self.decided_by, self.decided_at, self.return_reason = "returned", actor, now, reason
        self.events.append(VentureReturned(**self._base(), reason=reason[:2000], returned_by=actor, returned_at=now))

    def may_link_shift(self, actor: str) -> None:
        self._lead_only(actor)
        if self.status != "approved":
            raise ShiftNotLinkable(
                f"Shifts are linked to an approved venture; this one is {self.status} / 项目获批后方可关联班次.",
                reason="venture-not-approved",
            )

    def close(self, actor: str, *, spent: Decimal, report: str, participation: Participation, now: datetime) -> None:
        self._lead_only(actor)
        self._check("closed")
        report = report.strip()
        if not report:
            raise InvalidVenture("The closing report needs its text / 须填写结项报告.", field="report")
        if spent < 0 or spent != spent.quantize(Decimal("0.01")):
            raise InvalidVenture("Spent is yuan with at most 2 decimals, not negative.", field="spent")
        self.status, self.spent, self.report, self.participation, self.closed_at = (
            "closed",
            spent,
            report,
            participation,
            now,
        )
        self.events.append(
            VentureClosed(
                **self._base(),
                spent=spent,
                activities_held=participation.activities_held,
                participants=participation.participants,
                volunteer_hours=participation.volunteer_hours,
                closed_at=now,
            )
        )

    def _check(self, wanted: VentureStatus) -> None:
        if wanted not in TRANSITIONS[self.status]:
            raise VentureTransitionNotAllowed(self.status, wanted)

    def _base(self) -> dict[str, object]:
        return {
            "venture_id": self.id,
            "title": self.plan.title[:200],
            "post_type": self.plan.post_type,
            "lead_id": self.lead_id,
            "budget": self.plan.budget,
        }

    def pull_events(self) -> list[PendingEvent]:
        pending = [PendingEvent(event, community=self.community, subject=self.id) for event in self.events]
        self.events.clear()
        return pending
