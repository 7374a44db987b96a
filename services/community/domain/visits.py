"""Care visits (走访慰问): each year the committees visit backbone volunteers at home.

The candidates are ranked by the points and confirmed hours the love bank credited them that
year (community's read copy of rewards' and shifts' events). A visit is planned (the volunteer
is told) and then recorded: who went, when, and a note. One visit a volunteer a year.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from contracts.envelope import EventData
from contracts.events.community import VisitPlanned, VisitRecorded
from services.kernel import errors
from services.kernel.events import PendingEvent

VisitStatus = Literal["planned", "visited"]
MAX_VISITORS = 20


class VisitNotFound(errors.DoesNotExist):
    def __init__(self, visit_id: object) -> None:
        super().__init__(f"There is no care visit {visit_id} / 走访记录不存在.")


class VisitAlreadyRecorded(errors.IllegalTransition):
    def __init__(self) -> None:
        super().__init__("This care visit is already recorded / 该走访已登记.", current="visited", allowed=[])


class AlreadyPlannedThisYear(errors.RuleBroken):
    def __init__(self, volunteer_id: str, year: int) -> None:
        super().__init__(
            f"{volunteer_id} already has a care visit in {year} / 该志愿者本年度已安排走访.",
            reason="already-planned-this-year",
        )


class NotABackbone(errors.RuleBroken):
    def __init__(self, volunteer_id: str, year: int) -> None:
        super().__init__(
            f"{volunteer_id} earned no points and served no hours in {year} / 该志愿者本年度无积分和服务时长.",
            reason="not-a-backbone-volunteer",
        )


class InvalidVisit(errors.InvalidInput):
    """A visit lacks visitors, or is recorded in the future."""


def _visitors(visitors: list[str]) -> list[str]:
    unique = list(dict.fromkeys(v.strip() for v in visitors if v.strip()))
    if not unique or len(unique) > MAX_VISITORS:
        raise InvalidVisit(f"A visit needs 1 to {MAX_VISITORS} visitors / 须填写走访人员.", field="visitors")
    return unique


@dataclass(frozen=True)
class LoveBankYear:
    """A volunteer's points and confirmed hours in one year, as community knows them."""

    person_id: str
    points: int
    hours: float


@dataclass
class CareVisit:
    id: uuid.UUID
    community: str
    year: int
    volunteer_id: str
    planned_for: date
    visitors: list[str]
    points: int
    hours: float
    planned_by: str
    planned_at: datetime
    status: VisitStatus = "planned"
    visited_at: datetime | None = None
    visited_with: list[str] | None = None
    note: str | None = None
    events: list[EventData] = field(default_factory=list)

    @classmethod
    def plan(
        cls,
        *,
        visit_id: uuid.UUID,
        community: str,
        standing: LoveBankYear | None,
        volunteer_id: str,
        planned_for: date,
        visitors: list[str],
        actor: str,
        now: datetime,
    ) -> CareVisit:
        """Plan a visit for the year of `planned_for`, with the volunteer's points and hours when picked."""
        year = planned_for.year
        if standing is None or (standing.points <= 0 and standing.hours <= 0):
            raise NotABackbone(volunteer_id, year)
        visit = cls(
            visit_id,
            community,
            year,
            volunteer_id,
            planned_for,
            _visitors(visitors),
            standing.points,
            standing.hours,
            actor,
            now,
        )
        visit.events.append(
            VisitPlanned(
                visit_id=visit_id,
                year=year,
                volunteer_id=volunteer_id,
                planned_for=planned_for,
                visitors=visit.visitors,
                points=visit.points,
                hours=visit.hours,
                planned_by=actor,
                planned_at=now,
            )
        )
        return visit

    def record(self, *, visited_at: datetime, visitors: list[str], note: str, now: datetime) -> None:
        if self.status == "visited":
            raise VisitAlreadyRecorded()
        if visited_at > now:
            raise InvalidVisit("A visit is recorded once it took place / 不能登记未来的走访.", field="visited_at")
        note = note.strip()
        if not note:
            raise InvalidVisit("A visit record needs a note / 须填写走访情况.", field="note")
        self.status, self.visited_at, self.visited_with, self.note = "visited", visited_at, _visitors(visitors), note
        self.events.append(
            VisitRecorded(
                visit_id=self.id,
                year=self.year,
                volunteer_id=self.volunteer_id,
                visited_at=visited_at,
                visitors=self.visited_with,
                note=note[:2000],
            )
        )

    def pull_events(self) -> list[PendingEvent]:
        pending = [PendingEvent(event, community=self.community, subject=self.id) for event in self.events]
        self.events.clear()
        return pending
