"""An in-memory deliberation repository and unit of work, for fast service-layer tests.

Rows are dicts with the columns the Postgres tables have; a rolled-back unit of work puts
the rows back as they were when it began, as a transaction would."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from services.deliberation.adapters.repository import DeliberationRepository
from services.deliberation.domain.sessions import Membership
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork
from services.deliberation.settings import DeliberationSettings
from services.kernel.db import Connection
from tests.support.fake_uow import FakeUnitOfWork

Row = dict[str, Any]
POSITIONS = ["chair", "vice_chair", "secretary", "member", "observer"]


@dataclass
class Tables:
    councils: dict[uuid.UUID, Row] = field(default_factory=dict)
    members: dict[tuple[uuid.UUID, str], Row] = field(default_factory=dict)
    sessions: dict[uuid.UUID, Row] = field(default_factory=dict)
    attendance: dict[tuple[uuid.UUID, str], str] = field(default_factory=dict)
    items: dict[uuid.UUID, Row] = field(default_factory=dict)
    motions: dict[uuid.UUID, Row] = field(default_factory=dict)
    votes: dict[tuple[uuid.UUID, str], str] = field(default_factory=dict)
    decisions: dict[uuid.UUID, Row] = field(default_factory=dict)


def _on(member: Row, day: date) -> bool:
    return bool(member["term_from"] <= day and (member["term_until"] is None or member["term_until"] >= day))


class FakeRepository(DeliberationRepository):
    def __init__(self, tables: Tables) -> None:
        super().__init__(cast(Connection, None))
        self.t = tables

    # councils and members
    async def insert_council(self, values: dict[str, Any]) -> Any:
        if any((c["community"], c["kind"]) == (values["community"], values["kind"]) for c in self.t.councils.values()):
            return None
        row = {"created_at": datetime.now(), **values}
        self.t.councils[values["id"]] = row
        return dict(row)

    async def council(self, council_id: uuid.UUID) -> Any:
        row = self.t.councils.get(council_id)
        return dict(row) if row else None

    async def council_of_kind(self, community: str, kind: str) -> Any:
        found = [c for c in self.t.councils.values() if (c["community"], c["kind"]) == (community, kind)]
        return dict(found[0]) if found else None

    async def council_ids(self) -> list[uuid.UUID]:
        return list(self.t.councils)

    async def update_council(self, council_id: uuid.UUID, values: dict[str, Any]) -> Any:
        self.t.councils[council_id].update(values)
        return dict(self.t.councils[council_id])

    async def upsert_member(self, values: dict[str, Any]) -> Any:
        key = (values["council_id"], values["person_id"])
        row = {**values, "id": self.t.members[key]["id"]} if key in self.t.members else dict(values)
        self.t.members[key] = row
        return dict(row)

    async def has_attended(self, council_id: uuid.UUID, person_id: str) -> bool:
        return any(p == person_id and self.t.sessions[s]["council_id"] == council_id for s, p in self.t.attendance)

    async def end_term(self, council_id: uuid.UUID, person_id: str, last_day: date) -> None:
        member = self.t.members[(council_id, person_id)]
        member["term_until"] = max(member["term_from"], last_day)

    async def delete_member(self, council_id: uuid.UUID, person_id: str) -> bool:
        return self.t.members.pop((council_id, person_id), None) is not None

    async def membership(self, council_id: uuid.UUID, person_id: str) -> Membership | None:
        m = self.t.members.get((council_id, person_id))
        return Membership(m["person_id"], m["voting"], m["term_from"], m["term_until"]) if m else None

    async def position(self, council_id: uuid.UUID, person_id: str) -> str | None:
        m = self.t.members.get((council_id, person_id))
        return m["position"] if m else None

    async def member_ids(self, council_id: uuid.UUID, on: date) -> list[str]:
        return sorted(p for (c, p), m in self.t.members.items() if c == council_id and _on(m, on))

    async def voting_member_ids(self, council_id: uuid.UUID, on: date) -> list[str]:
        return sorted(p for (c, p), m in self.t.members.items() if c == council_id and m["voting"] and _on(m, on))

    # sessions and attendance
    async def insert_session(self, values: dict[str, Any], *, regular: bool) -> Any:
        if regular and any(
            (s["council_id"], s.get("regular_date")) == (values["council_id"], values["regular_date"])
            for s in self.t.sessions.values()
        ):
            return None
        row: Row = {"status": "scheduled", "regular_date": None, "opened_at": None, "concluded_at": None}
        row.update({"cancelled_at": None, "cancel_reason": None, "minutes": None, "report": None, **values})
        self.t.sessions[values["id"]] = row
        return await self.session(values["id"])

    async def session(self, session_id: uuid.UUID, *, lock: bool = False) -> Any:
        row = self.t.sessions.get(session_id)
        if row is None:
            return None
        council = self.t.councils[row["council_id"]]
        return {
            **row,
            "council_kind": council["kind"],
            "timezone": council["timezone"],
            "majority_rule": council["majority_rule"],
            "quorum_fraction": council["quorum_fraction"],
            "council_name": council["name"],
        }

    async def next_scheduled_session(
        self, council_id: uuid.UUID, after: datetime, exclude: uuid.UUID | None = None
    ) -> uuid.UUID | None:
        found = sorted(
            (s["starts_at"], s["id"])
            for s in self.t.sessions.values()
            if s["council_id"] == council_id
            and s["status"] == "scheduled"
            and s["starts_at"] > after
            and s["id"] != exclude
        )
        return found[0][1] if found else None

    async def set_status(self, session_id: uuid.UUID, status: str, **columns: Any) -> None:
        self.t.sessions[session_id].update(status=status, **columns)

    async def record_attendance(self, session_id: uuid.UUID, person_id: str, recorded_by: str) -> bool:
        if (session_id, person_id) in self.t.attendance:
            return False
        self.t.attendance[(session_id, person_id)] = recorded_by
        return True

    async def remove_attendance(self, session_id: uuid.UUID, person_id: str) -> None:
        self.t.attendance.pop((session_id, person_id), None)

    async def attendee_ids(self, session_id: uuid.UUID) -> list[str]:
        return [p for s, p in self.t.attendance if s == session_id]

    async def is_present(self, session_id: uuid.UUID, person_id: str) -> bool:
        return (session_id, person_id) in self.t.attendance

    async def present_count(self, session_id: uuid.UUID, person_ids: list[str]) -> int:
        return sum((session_id, p) in self.t.attendance for p in person_ids)

    async def session_decisions(self, session_id: uuid.UUID) -> list[Any]:
        return [dict(d) for d in self.t.decisions.values() if d["session_id"] == session_id]

    # agenda items
    async def insert_item(self, values: dict[str, Any]) -> Any:
        if values["issue_id"] is not None and any(i["issue_id"] == values["issue_id"] for i in self.t.items.values()):
            return None
        row = {"status": "open", "times_deferred": 0, "created_at": datetime.now(), **values}
        self.t.items[values["id"]] = row
        return dict(row)

    async def item(self, item_id: uuid.UUID, *, lock: bool = False) -> Any:
        row = self.t.items.get(item_id)
        return dict(row) if row else None

    async def move_item(self, item_id: uuid.UUID, session_id: uuid.UUID | None) -> None:
        item = self.t.items[item_id]
        item.update(session_id=session_id, times_deferred=item["times_deferred"] + 1)

    async def place_waiting_items(self, council: Any, session_id: uuid.UUID) -> int:
        placed = 0
        for item in self.t.items.values():
            mine = item["council_id"] == council["id"] or (
                item["council_id"] is None and council["kind"] == "consultation"
            )
            if (
                item["session_id"] is None
                and item["status"] == "open"
                and item["community"] == council["community"]
                and mine
            ):
                item.update(session_id=session_id, council_id=council["id"])
                placed += 1
        return placed

    async def move_open_items(self, from_session: uuid.UUID, to_session: uuid.UUID | None) -> int:
        moved = [i for i in self.t.items.values() if i["session_id"] == from_session and i["status"] == "open"]
        for item in moved:
            item.update(session_id=to_session, times_deferred=item["times_deferred"] + 1)
        return len(moved)

    async def mark_item_decided(self, item_id: uuid.UUID) -> None:
        self.t.items[item_id]["status"] = "decided"

    # motions, votes and decisions
    async def motion(self, motion_id: uuid.UUID, *, lock: str = "") -> Any:
        row = self.t.motions.get(motion_id)
        return dict(row) if row else None

    async def open_motions_of_session(self, session_id: uuid.UUID) -> int:
        return sum(m["session_id"] == session_id and m["status"] == "open" for m in self.t.motions.values())

    async def item_has_open_motion(self, item_id: uuid.UUID) -> bool:
        return any(m["agenda_item_id"] == item_id and m["status"] == "open" for m in self.t.motions.values())

    async def insert_motion(self, values: dict[str, Any]) -> Any:
        row = {"status": "open", "created_at": datetime.now(), "closed_at": None, **values}
        self.t.motions[values["id"]] = row
        return dict(row)

    async def withdraw_open_motions(self, session_id: uuid.UUID, at: datetime) -> None:
        for motion in self.t.motions.values():
            if motion["session_id"] == session_id and motion["status"] == "open":
                motion.update(status="withdrawn", closed_at=at)

    async def close_motion(self, motion_id: uuid.UUID, status: str, at: datetime) -> None:
        self.t.motions[motion_id].update(status=status, closed_at=at)

    async def put_vote(self, motion_id: uuid.UUID, person_id: str, choice: str) -> None:
        self.t.votes[(motion_id, person_id)] = choice

    async def choices(self, motion_id: uuid.UUID) -> list[str]:
        return [c for (m, _), c in self.t.votes.items() if m == motion_id]

    async def insert_decision(self, values: dict[str, Any]) -> Any:
        self.t.decisions[values["id"]] = dict(values)
        return dict(values)


class FakeDeliberationUnitOfWork(FakeUnitOfWork[DeliberationSettings], DeliberationUnitOfWork):
    def __init__(self, settings: DeliberationSettings, *, at: datetime, tables: Tables | None = None) -> None:
        super().__init__("deliberation", settings, at=at)
        self.tables = tables or Tables()
        self._before = self.tables

    @property
    def repo(self) -> DeliberationRepository:
        return FakeRepository(self.tables)

    async def _begin(self) -> None:
        await super()._begin()
        self._before = copy.deepcopy(self.tables)

    async def _rollback(self) -> None:
        await super()._rollback()
        self.tables.__dict__.update(self._before.__dict__)


def council_row(community: str = "meihu", kind: str = "consultation", **overrides: Any) -> Row:
    """A stored council as create_council would write it."""
    row: Row = {
        "id": uuid.uuid4(),
        "community": community,
        "kind": kind,
        "name": "美湖社区协商议事会",
        "majority_rule": "simple",
        "quorum_fraction": Decimal("0.5"),
        "meeting_time": time(19, 0),
        "timezone": "Asia/Shanghai",
        "duration_minutes": 120,
        "default_mode": "in_person",
        "location": "议事厅",
        "feed_token": "t" * 43,
    }
    row.update(overrides)
    return row
