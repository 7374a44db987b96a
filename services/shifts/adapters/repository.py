"""Postgres repository of the shifts service: the writes, and the reads a command makes under its locks.

Rows are dictionaries. Locks are taken here (`FOR UPDATE`), in the order the service layer asks
for them; that order is a correctness rule written down in service_layer/signups.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from contracts.enums import VolunteerKind
from services.kernel.db import Connection
from services.shifts.adapters import queries
from services.shifts.adapters.queries import SHIFT_COLUMNS, TEMPLATE_SELECT, Row
from services.shifts.domain.rules import CountedService, Overlap, ShiftView, Waiting


@dataclass(frozen=True)
class ShiftDetails:
    """A new shift's columns, as the service layer decided them."""

    community: str
    post_id: uuid.UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    min_party_members: int = 0
    location: str | None = None
    notes: str | None = None
    template_id: uuid.UUID | None = None


@dataclass(frozen=True)
class TemplateDetails:
    """A template's columns as a leader gives them (times are local wall-clock times)."""

    title: str
    weekdays: list[int]
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date | None
    location: str | None
    capacity: int
    min_party_members: int
    notes: str | None
    active: bool


class ShiftsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # ---- posts ------------------------------------------------------------------------------------

    async def post_by_type(self, community: str, post_type: str) -> Row | None:
        return await queries.post_by_type(self.conn, community, post_type)

    async def leader_ids(self, post_id: uuid.UUID) -> list[str]:
        return await queries.leader_ids(self.conn, post_id)

    async def is_post_leader(self, post_id: uuid.UUID, person_id: str) -> bool:
        return await queries.is_post_leader(self.conn, post_id, person_id)

    async def leads_a_post(self, community: str, person_id: str) -> bool:
        return await queries.leads_a_post(self.conn, community, person_id)

    async def save_post(self, community: str, post_type: str, description: str | None, leaders: list[str]) -> Row:
        post = await self.conn.fetchrow(
            """INSERT INTO posts (id, community, post_type, description) VALUES ($1, $2, $3, $4)
               ON CONFLICT (community, post_type) DO UPDATE SET description = EXCLUDED.description
               RETURNING *""",
            uuid.uuid4(),
            community,
            post_type,
            description,
        )
        assert post is not None
        await self.conn.execute("DELETE FROM post_leaders WHERE post_id = $1", post["id"])
        await self.conn.executemany(
            "INSERT INTO post_leaders (post_id, person_id) VALUES ($1, $2)", [(post["id"], p) for p in leaders]
        )
        return dict(post)

    async def post_volunteer_ids(self, community: str, post_id: uuid.UUID) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT volunteer_id FROM volunteer_posts WHERE community = $1 AND post_id = $2 ORDER BY volunteer_id",
            community,
            post_id,
        )
        return [r["volunteer_id"] for r in rows]

    # ---- volunteers -------------------------------------------------------------------------------

    async def volunteer(self, community: str, person_id: str, *, lock: bool = False) -> Row | None:
        sql = "SELECT * FROM volunteers WHERE community = $1 AND id = $2"
        row = await self.conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), community, person_id)
        return dict(row) if row is not None else None

    async def lock_volunteers(self, community: str, ids: Sequence[str]) -> dict[str, Row]:
        """Lock these volunteers' rows in id order (the order every command takes them in)."""
        rows = await self.conn.fetch(
            "SELECT * FROM volunteers WHERE community = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE",
            community,
            sorted(set(ids)),
        )
        return {r["id"]: dict(r) for r in rows}

    async def posts_of(self, community: str, volunteer_id: str) -> list[str]:
        return await queries.posts_of(self.conn, community, volunteer_id)

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
        await self.conn.execute(
            """INSERT INTO volunteers (community, id, name, kind, building_group, skills)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (community, id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
                   building_group = EXCLUDED.building_group, skills = EXCLUDED.skills, updated_at = now()""",
            community,
            volunteer_id,
            name,
            kind,
            building_group,
            skills,
        )
        await self.conn.execute(
            "DELETE FROM volunteer_posts WHERE community = $1 AND volunteer_id = $2", community, volunteer_id
        )
        await self.conn.executemany(
            "INSERT INTO volunteer_posts (community, volunteer_id, post_id) VALUES ($1, $2, $3)",
            [(community, volunteer_id, p) for p in post_ids],
        )

    async def reapprove(self, community: str, volunteer_id: str, *, at: datetime, by: str) -> None:
        await self.conn.execute(
            """UPDATE volunteers SET suspended_at = NULL, suspended_reason = NULL, approved_at = $3, approved_by = $4,
                   updated_at = $3 WHERE community = $1 AND id = $2""",
            community,
            volunteer_id,
            at,
            by,
        )

    async def suspend(self, community: str, volunteer_id: str, *, at: datetime, reason: str) -> None:
        await self.conn.execute(
            """UPDATE volunteers SET suspended_at = $3, suspended_reason = $4, updated_at = $3
               WHERE community = $1 AND id = $2""",
            community,
            volunteer_id,
            at,
            reason,
        )

    async def set_feed_token(self, community: str, volunteer_id: str, digest: bytes) -> bool:
        """Store the feed token's hash; False if the person is not a volunteer."""
        updated = await self.conn.execute(
            "UPDATE volunteers SET feed_token_hash = $3 WHERE community = $1 AND id = $2",
            community,
            volunteer_id,
            digest,
        )
        return bool(updated != "UPDATE 0")

    async def recent_no_shows(self, community: str, volunteer_id: str, since: datetime) -> int:
        count: int = await self.conn.fetchval(
            """SELECT count(*) FROM participations
               WHERE community = $1 AND volunteer_id = $2 AND outcome = 'no_show' AND confirmed_at > $3""",
            community,
            volunteer_id,
            since,
        )
        return count

    # ---- shifts -----------------------------------------------------------------------------------

    async def shift(self, community: str, shift_id: uuid.UUID, *, lock: bool = False) -> Row | None:
        if not lock:
            return await queries.shift(self.conn, community, shift_id)
        row = await self.conn.fetchrow(
            f"""SELECT {SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id
                WHERE s.id = $1 AND s.community = $2 FOR UPDATE OF s""",
            shift_id,
            community,
        )
        return dict(row) if row is not None else None

    async def shift_view(self, row: Row) -> ShiftView:
        party: int = await self.conn.fetchval(
            """SELECT count(*) FROM signups su
               JOIN volunteers v ON v.community = su.community AND v.id = su.volunteer_id
               WHERE su.shift_id = $1 AND su.status = 'confirmed' AND v.kind = 'party_member'""",
            row["id"],
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
        """The new shift as read back; None when its template already has a shift at that start."""
        row = await self.conn.fetchrow(
            """INSERT INTO shifts (id, community, post_id, template_id, title, starts_at, ends_at, location, capacity,
                                   min_party_members, notes, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               ON CONFLICT (template_id, starts_at) DO NOTHING RETURNING id""",
            uuid.uuid4(),
            new.community,
            new.post_id,
            new.template_id,
            new.title,
            new.starts_at,
            new.ends_at,
            new.location,
            new.capacity,
            new.min_party_members,
            new.notes,
            by,
        )
        if row is None:
            return None
        return await queries.shift(self.conn, new.community, row["id"])

    async def cancel_shift(self, shift_id: uuid.UUID, reason: str | None) -> None:
        await self.conn.execute(
            "UPDATE shifts SET status = 'cancelled', cancel_reason = $2 WHERE id = $1", shift_id, reason
        )

    async def amend_shift(
        self, shift_id: uuid.UUID, *, title: Any, location: Any, notes: Any, capacity: int, min_party_members: int
    ) -> None:
        await self.conn.execute(
            """UPDATE shifts SET title = $2, location = $3, notes = $4, capacity = $5, min_party_members = $6
               WHERE id = $1""",
            shift_id,
            title,
            location,
            notes,
            capacity,
            min_party_members,
        )

    async def overlapping(
        self, community: str, volunteer_id: str, shift_id: uuid.UUID, starts_at: datetime, ends_at: datetime
    ) -> Overlap | None:
        """A live sign-up (confirmed or waitlisted) of the volunteer on another shift that overlaps this one."""
        row = await self.conn.fetchrow(
            """SELECT s.id, s.title, s.starts_at, s.ends_at FROM signups su JOIN shifts s ON s.id = su.shift_id
               WHERE su.community = $1 AND su.volunteer_id = $2 AND su.status IN ('confirmed', 'waitlisted')
                 AND s.status = 'scheduled' AND s.id <> $3 AND s.starts_at < $5 AND s.ends_at > $4
               ORDER BY s.starts_at LIMIT 1""",
            community,
            volunteer_id,
            shift_id,
            starts_at,
            ends_at,
        )
        if row is None:
            return None
        return Overlap(str(row["id"]), row["title"], row["starts_at"], row["ends_at"])

    async def signed_up_ids(self, shift_id: uuid.UUID) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT volunteer_id FROM signups WHERE shift_id = $1 AND status <> 'cancelled' ORDER BY queued_seq",
            shift_id,
        )
        return [r["volunteer_id"] for r in rows]

    # ---- sign-ups ---------------------------------------------------------------------------------

    async def live_signup(self, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
        return await queries.live_signup(self.conn, shift_id, volunteer_id)

    async def waitlist_position(self, signup: Row) -> int:
        return await queries.waitlist_position(self.conn, signup)

    async def waitlist(self, shift_id: uuid.UUID) -> list[Waiting]:
        rows = await self.conn.fetch(
            """SELECT su.id, v.kind FROM signups su
               JOIN volunteers v ON v.community = su.community AND v.id = su.volunteer_id
               WHERE su.shift_id = $1 AND su.status = 'waitlisted' ORDER BY su.queued_seq""",
            shift_id,
        )
        return [Waiting(str(r["id"]), VolunteerKind(r["kind"])) for r in rows]

    async def add_signup(
        self, *, shift_id: uuid.UUID, community: str, volunteer_id: str, status: str, by: str, at: datetime
    ) -> Row:
        """A new sign-up, counted on its shift (confirmed or waitlisted)."""
        signup = await self.conn.fetchrow(
            """INSERT INTO signups (id, shift_id, community, volunteer_id, status, signed_up_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
            uuid.uuid4(),
            shift_id,
            community,
            volunteer_id,
            status,
            by,
            at,
        )
        assert signup is not None
        column = "confirmed_count" if status == "confirmed" else "waitlist_count"
        await self.conn.execute(f"UPDATE shifts SET {column} = {column} + 1 WHERE id = $1", shift_id)
        return dict(signup)

    async def cancel_signup(self, signup: Row, *, by: str, at: datetime) -> Row:
        """The sign-up cancelled, no longer counted on its shift."""
        cancelled = await self.conn.fetchrow(
            """UPDATE signups SET status = 'cancelled', cancelled_at = $2, cancelled_by = $3
               WHERE id = $1 RETURNING *""",
            signup["id"],
            at,
            by,
        )
        assert cancelled is not None
        column = "confirmed_count" if signup["status"] == "confirmed" else "waitlist_count"
        await self.conn.execute(f"UPDATE shifts SET {column} = {column} - 1 WHERE id = $1", signup["shift_id"])
        return dict(cancelled)

    async def promote(self, shift_id: uuid.UUID, signup_ids: Sequence[uuid.UUID], at: datetime) -> list[Row]:
        """Confirm these waitlisted sign-ups, in order, and move them from the waitlist count to the confirmed."""
        promoted: list[Row] = []
        for signup_id in signup_ids:
            row = await self.conn.fetchrow(
                "UPDATE signups SET status = 'confirmed', promoted_at = $2 WHERE id = $1 RETURNING *", signup_id, at
            )
            assert row is not None
            promoted.append(dict(row))
        if promoted:
            await self.conn.execute(
                """UPDATE shifts SET confirmed_count = confirmed_count + $2, waitlist_count = waitlist_count - $2
                   WHERE id = $1""",
                shift_id,
                len(promoted),
            )
        return promoted

    async def check_in(self, signup_id: uuid.UUID, at: datetime) -> Row:
        row = await self.conn.fetchrow("UPDATE signups SET checked_in_at = $2 WHERE id = $1 RETURNING *", signup_id, at)
        assert row is not None
        return dict(row)

    async def check_out(self, signup_id: uuid.UUID, at: datetime) -> Row:
        row = await self.conn.fetchrow(
            "UPDATE signups SET checked_out_at = $2 WHERE id = $1 RETURNING *", signup_id, at
        )
        assert row is not None
        return dict(row)

    # ---- participations ---------------------------------------------------------------------------

    async def participation(self, shift_id: uuid.UUID, volunteer_id: str) -> Row | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM participations WHERE shift_id = $1 AND volunteer_id = $2", shift_id, volunteer_id
        )
        return dict(row) if row is not None else None

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
        row = await self.conn.fetchrow(
            """INSERT INTO participations (id, shift_id, community, volunteer_id, post_id, outcome, hours, started_at,
                                           ended_at, hours_source, hours_reason, confirmed_by, confirmed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *""",
            uuid.uuid4(),
            shift["id"],
            community,
            volunteer_id,
            shift["post_id"],
            outcome,
            counted.hours if counted else None,
            counted.started_at if counted else None,
            counted.ended_at if counted else None,
            counted.source if counted else None,
            counted.reason if counted else None,
            by,
            at,
        )
        assert row is not None
        return dict(row)

    # ---- templates --------------------------------------------------------------------------------

    async def template(self, community: str, template_id: uuid.UUID) -> Row | None:
        return await queries.template(self.conn, community, template_id)

    async def template_for_update(self, template_id: uuid.UUID) -> Row | None:
        row = await self.conn.fetchrow(TEMPLATE_SELECT + " WHERE t.id = $1 FOR UPDATE OF t", template_id)
        return dict(row) if row is not None else None

    async def active_template_ids(self) -> list[uuid.UUID]:
        return [r["id"] for r in await self.conn.fetch("SELECT id FROM templates WHERE active ORDER BY id")]

    async def add_template(
        self, template_id: uuid.UUID, community: str, post_id: uuid.UUID, t: TemplateDetails, by: str
    ) -> None:
        await self.conn.execute(
            """INSERT INTO templates (id, community, post_id, title, weekdays, start_time, end_time, valid_from,
                                      valid_until, location, capacity, min_party_members, notes, active, created_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)""",
            template_id,
            community,
            post_id,
            t.title,
            sorted(set(t.weekdays)),
            t.start_time,
            t.end_time,
            t.valid_from,
            t.valid_until,
            t.location,
            t.capacity,
            t.min_party_members,
            t.notes,
            t.active,
            by,
        )

    async def update_template(self, template_id: uuid.UUID, post_id: uuid.UUID, t: TemplateDetails) -> None:
        await self.conn.execute(
            """UPDATE templates SET post_id = $2, title = $3, weekdays = $4, start_time = $5, end_time = $6,
                   valid_from = $7, valid_until = $8, location = $9, capacity = $10, min_party_members = $11,
                   notes = $12, active = $13, updated_at = now() WHERE id = $1""",
            template_id,
            post_id,
            t.title,
            sorted(set(t.weekdays)),
            t.start_time,
            t.end_time,
            t.valid_from,
            t.valid_until,
            t.location,
            t.capacity,
            t.min_party_members,
            t.notes,
            t.active,
        )

    async def template_days(self, template_id: uuid.UUID, since: datetime, zone: str) -> set[date]:
        """Local days (in `zone`) that still have a shift of the template starting after `since`."""
        rows = await self.conn.fetch(
            """SELECT (starts_at AT TIME ZONE $3)::date AS day FROM shifts
               WHERE template_id = $1 AND starts_at >= $2""",
            template_id,
            since,
            zone,
        )
        return {r["day"] for r in rows}

    async def untouched_future_shifts(self, template_id: uuid.UUID, after: datetime) -> list[Row]:
        """The template's scheduled shifts starting after `after` that nobody ever signed up for, locked."""
        rows = await self.conn.fetch(
            f"""SELECT {SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id
                WHERE s.template_id = $1 AND s.starts_at > $2 AND s.status = 'scheduled'
                  -- The counters live on the row, so the lock's re-check sees a sign-up that committed
                  -- meanwhile; the NOT EXISTS keeps shifts that ever had one (now cancelled) too.
                  AND s.confirmed_count = 0 AND s.waitlist_count = 0
                  AND NOT EXISTS (SELECT 1 FROM signups su WHERE su.shift_id = s.id)
                FOR UPDATE OF s""",
            template_id,
            after,
        )
        return [dict(r) for r in rows]

    async def delete_shifts(self, ids: Sequence[uuid.UUID]) -> None:
        await self.conn.execute("DELETE FROM shifts WHERE id = ANY($1::uuid[])", list(ids))
