"""An in-memory shifts repository and unit of work, for service-layer tests without a database.

The fake keeps the tables as dictionaries, takes "locks" by noting them in `locks` (so a test
can check the order a command takes them in), and restores its tables when the unit of work
rolls back, as a transaction would."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from contracts.enums import VolunteerKind
from services.shifts.adapters.queries import Row
from services.shifts.adapters.repository import ShiftDetails, TemplateDetails
from services.shifts.domain.rules import CountedService, Overlap, ShiftView, Waiting
from services.shifts.service_layer.unit_of_work import ShiftsComponents, ShiftsUnitOfWork, policy_of
from services.shifts.settings import ShiftsSettings
from tests.support.fake_uow import FakeUnitOfWork


class FakeShiftsRepository:
    def __init__(self) -> None:
        self.posts: dict[uuid.UUID, Row] = {}
        self.leaders: dict[uuid.UUID, set[str]] = {}
        self.volunteers: dict[tuple[str, str], Row] = {}
        self.volunteer_posts: dict[tuple[str, str], list[uuid.UUID]] = {}
        self.shifts: dict[uuid.UUID, Row] = {}
        self.signups: dict[uuid.UUID, Row] = {}
        self.participations: dict[tuple[uuid.UUID, str], Row] = {}
        self.templates: dict[uuid.UUID, Row] = {}
        self.locks: list[tuple[str, object]] = []
        self._seq = itertools.count(1)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in ("locks", "_seq")})

    def restore(self, state: dict[str, Any]) -> None:
        vars(self).update(state)

    # ---- arranging -------------------------------------------------------------------------------

    def add_post(self, community: str, post_type: str, leaders: Sequence[str] = ()) -> Row:
        post_id = uuid.uuid4()
        post = {"id": post_id, "community": community, "post_type": post_type, "description": None}
        self.posts[post_id] = post
        self.leaders[post_id] = set(leaders)
        return post

    def add_volunteer(self, community: str, person: str, kind: str = "resident", **columns: Any) -> Row:
        row = {
            "community": community,
            "id": person,
            "name": person,
            "kind": kind,
            "building_group": 1,
            "skills": [],
            "suspended_at": None,
            "suspended_reason": None,
            "approved_at": None,
            "approved_by": None,
            **columns,
        }
        self.volunteers[(community, person)] = row
        return row

    # ---- posts -----------------------------------------------------------------------------------

    async def post_by_type(self, community: str, post_type: str) -> Row | None:
        return next(
            (p for p in self.posts.values() if p["community"] == community and p["post_type"] == post_type), None
        )

    async def leader_ids(self, post_id: uuid.UUID) -> list[str]:
        return sorted(self.leaders.get(post_id, ()))

    async def is_post_leader(self, post_id: uuid.UUID, person_id: str) -> bool:
        return person_id in self.leaders.get(post_id, ())

    async def leads_a_post(self, community: str, person_id: str) -> bool:
        return any(person_id in self.leaders[p] for p, post in self.posts.items() if post["community"] == community)

    async def save_post(self, community: str, post_type: str, description: str | None, leaders: list[str]) -> Row:
        post = await self.post_by_type(community, post_type) or self.add_post(community, post_type)
        post["description"] = description
        self.leaders[post["id"]] = set(leaders)
        return post

    async def post_volunteer_ids(self, community: str, post_id: uuid.UUID) -> list[str]:
        return sorted(v for (c, v), posts in self.volunteer_posts.items() if c == community and post_id in posts)

    # ---- volunteers ------------------------------------------------------------------------------

    async def volunteer(self, community: str, person_id: str, *, lock: bool = False) -> Row | None:
        if lock:
            self.locks.append(("volunteer", person_id))
        return self.volunteers.get((community, person_id))

    async def lock_volunteers(self, community: str, ids: Sequence[str]) -> dict[str, Row]:
        found = {}
        for person in sorted(set(ids)):
            if (row := await self.volunteer(community, person, lock=True)) is not None:
                found[person] = row
        return found

    async def posts_of(self, community: str, volunteer_id: str) -> list[str]:
        return sorted(self.posts[p]["post_type"] for p in self.volunteer_posts.get((community, volunteer_id), []))

    async def save_volunteer(
        self,
        community: str,
        volunteer_id: str,
        *,
        name: str,
        kind: str,
        building_group: int | None,
        skills: list[str],
        post_ids: list[uuid.UUID],
    ) -> None:
        row = self.volunteers.get((community, volunteer_id)) or self.add_volunteer(community, volunteer_id)
        row.update(name=name, kind=kind, building_group=building_group, skills=skills)
        self.volunteer_posts[(community, volunteer_id)] = list(post_ids)

    async def reapprove(self, community: str, volunteer_id: str, *, at: datetime, by: str) -> None:
        self.volunteers[(community, volunteer_id)].update(
            suspended_at=None, suspended_reason=None, approved_at=at, approved_by=by
        )

    async def suspend(self, community: str, volunteer_id: str, *, at: datetime, reason: str) -> None:
        self.volunteers[(community, volunteer_id)].update(suspended_at=at, suspended_reason=reason)

    async def set_feed_token(self, community: str, volunteer_id: str, digest: bytes) -> bool:
        row = self.volunteers.get((community, volunteer_id))
        if row is not None:
            row["feed_token_hash"] = digest
        return row is not None

    async def recent_no_shows(self, community: str, volunteer_id: str, since: datetime) -> int:
        return sum(
            1
            for p in self.participations.values()
            if p["community"] == community
            and p["volunteer_id"] == volunteer_id
            and p["outcome"] == "no_show"
            and p["confirmed_at"] > since
        )

    # ---- shifts ----------------------------------------------------------------------------------

    async def shift(self, community: str, shift_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        row = self.shifts.get(shift_id)
        if row is None or row["community"] != community:
            return None
        if lock:
            self.locks.append(("shift", shift_id))
        return dict(row)

    async def shift_view(self, row: Row) -> ShiftView:
        party = sum(
            1
            for s in self.signups.values()
            if s["shift_id"] == row["id"]
            and s["status"] == "confirmed"
            and self.volunteers[(s["community"], s["volunteer_id"])]["kind"] == VolunteerKind.PARTY_MEMBER
        )
        return ShiftView(
            id=str(row["id"]),
            title=row["title"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            capacity=row["capacity"],
            min_party_members=row["min_party_members"],
            status=row["status"],
            confirmed_count=row["confirmed_count"],
            confirmed_party_members=party,
        )

    async def insert_shift(self, new: ShiftDetails, by: str) -> Row | None:
        if new.template_id is not None and any(
            s["template_id"] == new.template_id and s["starts_at"] == new.starts_at for s in self.shifts.values()
        ):
            return None
        shift_id = uuid.uuid4()
        row = {
            "id": shift_id,
            "community": new.community,
            "post_id": new.post_id,
            "post_type": self.posts[new.post_id]["post_type"],
            "template_id": new.template_id,
            "title": new.title,
            "starts_at": new.starts_at,
            "ends_at": new.ends_at,
            "location": new.location,
            "capacity": new.capacity,
            "min_party_members": new.min_party_members,
            "notes": new.notes,
            "status": "scheduled",
            "cancel_reason": None,
            "confirmed_count": 0,
            "waitlist_count": 0,
            "created_by": by,
        }
        self.shifts[shift_id] = row
        return dict(row)

    async def cancel_shift(self, shift_id: uuid.UUID, reason: str | None) -> None:
        self.shifts[shift_id].update(status="cancelled", cancel_reason=reason)

    async def amend_shift(self, shift_id: uuid.UUID, **columns: Any) -> None:
        self.shifts[shift_id].update(columns)

    async def overlapping(
        self, community: str, volunteer_id: str, shift_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> Overlap | None:
        for s in self._live():
            shift = self.shifts[s["shift_id"]]
            if (
                s["volunteer_id"] == volunteer_id
                and shift["id"] != shift_id
                and shift["status"] == "scheduled"
                and shift["starts_at"] < ends_at
                and shift["ends_at"] > starts_at
            ):
                return Overlap(str(shift["id"]), shift["title"], shift["starts_at"], shift["ends_at"])
        return None

    async def signed_up_ids(self, shift_id: uuid.UUID) -> list[str]:
        return [s["volunteer_id"] for s in self._live() if s["shift_id"] == shift_id]

    # ---- sign-ups --------------------------------------------------------------------------------

    def _live(self) -> list[Row]:
        return sorted((s for s in self.signups.values() if s["status"] != "cancelled"), key=lambda s: s["queued_seq"])

    async def live_signup(self, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
        found = next((s for s in self._live() if (s["shift_id"], s["volunteer_id"]) == (shift_id, volunteer_id)), None)
        return dict(found) if found else None

    async def waitlist_position(self, signup: Row) -> int:
        return sum(
            1
            for s in self._live()
            if s["shift_id"] == signup["shift_id"]
            and s["status"] == "waitlisted"
            and s["queued_seq"] <= signup["queued_seq"]
        )

    async def waitlist(self, shift_id: uuid.UUID) -> list[Waiting]:
        return [
            Waiting(str(s["id"]), VolunteerKind(self.volunteers[(s["community"], s["volunteer_id"])]["kind"]))
            for s in self._live()
            if s["shift_id"] == shift_id and s["status"] == "waitlisted"
        ]

    async def add_signup(
        self, *, shift_id: uuid.UUID, community: str, volunteer_id: str, status: str, by: str, at: datetime
    ) -> Row:
        signup_id = uuid.uuid4()
        row = {
            "id": signup_id,
            "shift_id": shift_id,
            "community": community,
            "volunteer_id": volunteer_id,
            "status": status,
            "queued_seq": next(self._seq),
            "signed_up_by": by,
            "created_at": at,
            "promoted_at": None,
            "cancelled_at": None,
            "cancelled_by": None,
            "checked_in_at": None,
            "checked_out_at": None,
        }
        self.signups[signup_id] = row
        self.shifts[shift_id]["confirmed_count" if status == "confirmed" else "waitlist_count"] += 1
        return dict(row)

    async def cancel_signup(self, signup: Row, *, by: str, at: datetime) -> Row:
        row = self.signups[signup["id"]]
        self.shifts[row["shift_id"]]["confirmed_count" if row["status"] == "confirmed" else "waitlist_count"] -= 1
        row.update(status="cancelled", cancelled_at=at, cancelled_by=by)
        return dict(row)

    async def promote(self, shift_id: uuid.UUID, signup_ids: Sequence[uuid.UUID], at: datetime) -> list[Row]:
        for signup_id in signup_ids:
            self.signups[signup_id].update(status="confirmed", promoted_at=at)
        self.shifts[shift_id]["confirmed_count"] += len(signup_ids)
        self.shifts[shift_id]["waitlist_count"] -= len(signup_ids)
        return [dict(self.signups[i]) for i in signup_ids]

    async def check_in(self, signup_id: uuid.UUID, at: datetime) -> Row:
        self.signups[signup_id]["checked_in_at"] = at
        return dict(self.signups[signup_id])

    async def check_out(self, signup_id: uuid.UUID, at: datetime) -> Row:
        self.signups[signup_id]["checked_out_at"] = at
        return dict(self.signups[signup_id])

    # ---- participations --------------------------------------------------------------------------

    async def participation(self, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
        return self.participations.get((shift_id, volunteer_id))

    async def add_participation(
        self,
        *,
        shift: Row,
        volunteer_id: str,
        community: str,
        outcome: str,
        by: str,
        at: datetime,
        counted: CountedService | None,
    ) -> Row:
        row = {
            "id": uuid.uuid4(),
            "shift_id": shift["id"],
            "community": community,
            "volunteer_id": volunteer_id,
            "post_id": shift["post_id"],
            "outcome": outcome,
            "hours": counted.hours if counted else None,
            "started_at": counted.started_at if counted else None,
            "ended_at": counted.ended_at if counted else None,
            "hours_source": counted.source if counted else None,
            "hours_reason": counted.reason if counted else None,
            "confirmed_by": by,
            "confirmed_at": at,
        }
        self.participations[(shift["id"], volunteer_id)] = row
        return row

    # ---- templates -------------------------------------------------------------------------------

    async def template(self, community: str, template_id: uuid.UUID) -> Row | None:
        row = self.templates.get(template_id)
        return row if row is not None and row["community"] == community else None

    async def template_for_update(self, template_id: uuid.UUID) -> Row | None:
        self.locks.append(("template", template_id))
        return self.templates.get(template_id)

    async def active_template_ids(self) -> list[uuid.UUID]:
        return sorted(t for t, row in self.templates.items() if row["active"])

    async def add_template(
        self, template_id: uuid.UUID, community: str, post_id: uuid.UUID, t: TemplateDetails, by: str
    ) -> None:
        self.templates[template_id] = {
            **vars(t),
            "id": template_id,
            "community": community,
            "post_id": post_id,
            "post_type": self.posts[post_id]["post_type"],
            "weekdays": sorted(set(t.weekdays)),
            "created_by": by,
        }

    async def update_template(self, template_id: uuid.UUID, post_id: uuid.UUID, t: TemplateDetails) -> None:
        self.templates[template_id].update(
            {**vars(t), "post_id": post_id, "post_type": self.posts[post_id]["post_type"]}
        )

    async def template_days(self, template_id: uuid.UUID, since: datetime, zone: str) -> set[date]:
        from zoneinfo import ZoneInfo

        return {
            s["starts_at"].astimezone(ZoneInfo(zone)).date()
            for s in self.shifts.values()
            if s["template_id"] == template_id and s["starts_at"] >= since
        }

    async def untouched_future_shifts(self, template_id: uuid.UUID, after: datetime) -> list[Row]:
        ever_signed = {s["shift_id"] for s in self.signups.values()}
        return [
            dict(s)
            for s in self.shifts.values()
            if s["template_id"] == template_id
            and s["starts_at"] > after
            and s["status"] == "scheduled"
            and s["id"] not in ever_signed
        ]

    async def delete_shifts(self, ids: Sequence[uuid.UUID]) -> None:
        for shift_id in ids:
            del self.shifts[shift_id]


class FakeShiftsUnitOfWork(FakeUnitOfWork[ShiftsSettings], ShiftsUnitOfWork):
    """Shifts' unit of work over the in-memory repository; a rollback restores its tables."""

    def __init__(self, settings: ShiftsSettings, *, at: datetime) -> None:
        super().__init__("shifts", settings, at=at)
        self.components = ShiftsComponents(policy=policy_of(settings))
        self.fake = FakeShiftsRepository()
        self._saved: dict[str, Any] = {}

    @property
    def repo(self) -> Any:
        return self.fake

    async def _begin(self) -> None:
        await super()._begin()
        self._saved = self.fake.snapshot()

    async def _rollback(self) -> None:
        await super()._rollback()
        self.fake.restore(self._saved)
