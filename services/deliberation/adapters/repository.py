"""Postgres repository of the deliberation service: what its commands load (with row locks) and write.

Everything runs on the unit of work's connection, inside its transaction; the locks a
command takes are named by the method (`lock=True`, `FOR SHARE`), their order by the command."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import asyncpg

from services.deliberation.adapters import queries
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.sessions import Membership
from services.kernel.db import Connection

Record = asyncpg.Record

_INSERT_ITEM = """
INSERT INTO agenda_items (id, community, council_id, session_id, title, description, source, issue_id, proposed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (issue_id) DO NOTHING
RETURNING *
"""


def _affected(status: str) -> int:
    return int(status.split()[-1])


class DeliberationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- councils and members --------------------------------------------------------------

    async def insert_council(self, values: dict[str, Any]) -> Record | None:
        """Insert a council; None when the community already has a council of that kind."""
        columns = ", ".join(values)
        params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        row: Record | None = await self.conn.fetchrow(
            f"INSERT INTO councils ({columns}) VALUES ({params}) ON CONFLICT (community, kind) DO NOTHING RETURNING *",
            *values.values(),
        )
        return row

    async def council(self, council_id: uuid.UUID) -> Record | None:
        return await queries.council(self.conn, council_id)

    async def council_of_kind(self, community: str, kind: str) -> Record | None:
        row: Record | None = await self.conn.fetchrow(
            "SELECT * FROM councils WHERE community = $1 AND kind = $2", community, kind
        )
        return row

    async def council_ids(self) -> list[uuid.UUID]:
        return [r["id"] for r in await self.conn.fetch("SELECT id FROM councils ORDER BY created_at")]

    async def update_council(self, council_id: uuid.UUID, values: dict[str, Any]) -> Record:
        sets = ", ".join(f"{column} = ${i}" for i, column in enumerate(values, start=2))
        row: Record | None = await self.conn.fetchrow(
            f"UPDATE councils SET {sets} WHERE id = $1 RETURNING *", council_id, *values.values()
        )
        assert row is not None
        return row

    async def upsert_member(self, values: dict[str, Any]) -> Record:
        """Add a member, or update the party, position and term of one already there."""
        row: Record | None = await self.conn.fetchrow(
            """
            INSERT INTO members (id, council_id, community, person_id, name, party, position, voting, term_from,
                term_until)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (council_id, person_id) DO UPDATE SET
                name = EXCLUDED.name, party = EXCLUDED.party, position = EXCLUDED.position,
                voting = EXCLUDED.voting, term_from = EXCLUDED.term_from, term_until = EXCLUDED.term_until
            RETURNING *
            """,
            *values.values(),
        )
        assert row is not None
        return row

    async def has_attended(self, council_id: uuid.UUID, person_id: str) -> bool:
        """Whether the person was ever recorded present at a session of the council."""
        return bool(
            await self.conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM attendance a JOIN sessions s ON s.id = a.session_id"
                " WHERE s.council_id = $1 AND a.person_id = $2)",
                council_id,
                person_id,
            )
        )

    async def end_term(self, council_id: uuid.UUID, person_id: str, last_day: date) -> None:
        await self.conn.execute(
            "UPDATE members SET term_until = GREATEST(term_from, $3) WHERE council_id = $1 AND person_id = $2",
            council_id,
            person_id,
            last_day,
        )

    async def delete_member(self, council_id: uuid.UUID, person_id: str) -> bool:
        result: str = await self.conn.execute(
            "DELETE FROM members WHERE council_id = $1 AND person_id = $2", council_id, person_id
        )
        return result != "DELETE 0"

    async def membership(self, council_id: uuid.UUID, person_id: str) -> Membership | None:
        row = await self.conn.fetchrow(
            "SELECT person_id, voting, term_from, term_until FROM members WHERE council_id = $1 AND person_id = $2",
            council_id,
            person_id,
        )
        if row is None:
            return None
        return Membership(row["person_id"], row["voting"], row["term_from"], row["term_until"])

    async def position(self, council_id: uuid.UUID, person_id: str) -> str | None:
        position: str | None = await self.conn.fetchval(
            "SELECT position FROM members WHERE council_id = $1 AND person_id = $2", council_id, person_id
        )
        return position

    async def member_ids(self, council_id: uuid.UUID, on: date) -> list[str]:
        """Members and observers whose term covers `on`: the people a session event is for."""
        rows = await self.conn.fetch(
            """
            SELECT person_id FROM members
            WHERE council_id = $1 AND term_from <= $2 AND (term_until IS NULL OR term_until >= $2)
            ORDER BY person_id
            """,
            council_id,
            on,
        )
        return [r["person_id"] for r in rows]

    async def voting_member_ids(self, council_id: uuid.UUID, on: date) -> list[str]:
        rows = await self.conn.fetch(
            """
            SELECT person_id FROM members
            WHERE council_id = $1 AND voting AND term_from <= $2 AND (term_until IS NULL OR term_until >= $2)
            ORDER BY person_id
            """,
            council_id,
            on,
        )
        return [r["person_id"] for r in rows]

    # -- sessions and attendance -----------------------------------------------------------

    async def insert_session(self, values: dict[str, Any], *, regular: bool) -> Record | None:
        """Insert a session; a regular one only if its council has none on that date yet (None then)."""
        columns = ", ".join(values)
        params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        conflict = " ON CONFLICT (council_id, regular_date) DO NOTHING" if regular else ""
        row: Record | None = await self.conn.fetchrow(
            f"INSERT INTO sessions ({columns}) VALUES ({params}){conflict} RETURNING id", *values.values()
        )
        if row is None:
            return None
        return await self.session(row["id"])

    async def session(self, session_id: uuid.UUID, *, lock: bool = False) -> Record | None:
        """A session with its council's kind, timezone and rules; `lock`: the session row FOR UPDATE."""
        return await queries.session(self.conn, session_id, lock=lock)

    async def next_scheduled_session(
        self, council_id: uuid.UUID, after: datetime, exclude: uuid.UUID | None = None
    ) -> uuid.UUID | None:
        """The id of the council's earliest scheduled session starting after `after`."""
        found: uuid.UUID | None = await self.conn.fetchval(
            """
            SELECT id FROM sessions
            WHERE council_id = $1 AND status = 'scheduled' AND starts_at > $2 AND id IS DISTINCT FROM $3
            ORDER BY starts_at, id LIMIT 1
            """,
            council_id,
            after,
            exclude,
        )
        return found

    async def set_how(self, session_id: uuid.UUID, mode: str, location: str | None) -> None:
        """Record how and where a session meets (集中, 走访, 上门, 微信)."""
        await self.conn.execute(
            "UPDATE sessions SET mode = $2, location = $3 WHERE id = $1", session_id, mode, location
        )

    async def set_status(self, session_id: uuid.UUID, status: str, **columns: Any) -> None:
        extra = "".join(f", {name} = ${i}" for i, name in enumerate(columns, start=3))
        await self.conn.execute(
            f"UPDATE sessions SET status = $2{extra} WHERE id = $1", session_id, status, *columns.values()
        )

    async def record_attendance(self, session_id: uuid.UUID, person_id: str, recorded_by: str) -> bool:
        row = await self.conn.fetchrow(
            """
            INSERT INTO attendance (session_id, person_id, recorded_by) VALUES ($1, $2, $3)
            ON CONFLICT DO NOTHING RETURNING true
            """,
            session_id,
            person_id,
            recorded_by,
        )
        return row is not None

    async def remove_attendance(self, session_id: uuid.UUID, person_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM attendance WHERE session_id = $1 AND person_id = $2", session_id, person_id
        )

    async def attendee_ids(self, session_id: uuid.UUID) -> list[str]:
        return [r["person_id"] for r in await queries.attendees(self.conn, session_id)]

    async def is_present(self, session_id: uuid.UUID, person_id: str) -> bool:
        found = await self.conn.fetchval(
            "SELECT true FROM attendance WHERE session_id = $1 AND person_id = $2", session_id, person_id
        )
        return bool(found)

    async def present_count(self, session_id: uuid.UUID, person_ids: list[str]) -> int:
        """How many of `person_ids` are recorded present at the session."""
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM attendance WHERE session_id = $1 AND person_id = ANY($2::text[])",
            session_id,
            person_ids,
        )
        return count

    async def session_decisions(self, session_id: uuid.UUID) -> list[Record]:
        return list(
            await self.conn.fetch(
                "SELECT id, title, outcome, issue_id FROM decisions WHERE session_id = $1 ORDER BY decided_at, id",
                session_id,
            )
        )

    # -- agenda items ----------------------------------------------------------------------

    async def insert_item(self, values: dict[str, Any]) -> Record | None:
        """Insert an agenda item; None when one for the same issue exists (the unique issue id)."""
        row: Record | None = await self.conn.fetchrow(
            _INSERT_ITEM,
            values["id"],
            values["community"],
            values["council_id"],
            values["session_id"],
            values["title"],
            values["description"],
            values["source"],
            values["issue_id"],
            values["proposed_by"],
        )
        return row

    async def item(self, item_id: uuid.UUID, *, lock: bool = False) -> Record | None:
        return await queries.agenda_item(self.conn, item_id, lock=lock)

    async def move_item(self, item_id: uuid.UUID, session_id: uuid.UUID | None) -> None:
        """Defer one item to another session (or to waiting, when None)."""
        await self.conn.execute(
            "UPDATE agenda_items SET session_id = $2, times_deferred = times_deferred + 1 WHERE id = $1",
            item_id,
            session_id,
        )

    async def place_waiting_items(self, council: Row, session_id: uuid.UUID) -> int:
        """Put the items waiting for a session of this council onto `session_id`.

        Waiting referrals without a council go to the community's consultation council."""
        result: str = await self.conn.execute(
            """
            UPDATE agenda_items SET session_id = $1, council_id = $2
            WHERE session_id IS NULL AND status = 'open' AND community = $3
              AND (council_id = $2 OR (council_id IS NULL AND $4 = 'consultation'))
            """,
            session_id,
            council["id"],
            council["community"],
            council["kind"],
        )
        return _affected(result)

    async def move_open_items(self, from_session: uuid.UUID, to_session: uuid.UUID | None) -> int:
        """Defer the undecided items of a session to another one (or to waiting, when None)."""
        result: str = await self.conn.execute(
            """
            UPDATE agenda_items SET session_id = $2, times_deferred = times_deferred + 1
            WHERE session_id = $1 AND status = 'open'
            """,
            from_session,
            to_session,
        )
        return _affected(result)

    async def mark_item_decided(self, item_id: uuid.UUID) -> None:
        await self.conn.execute("UPDATE agenda_items SET status = 'decided' WHERE id = $1", item_id)

    # -- motions, votes and decisions ------------------------------------------------------

    async def motion(self, motion_id: uuid.UUID, *, lock: str = "") -> Record | None:
        """A motion; `lock` is "", "FOR SHARE" (voting) or "FOR UPDATE" (closing)."""
        return await queries.motion(self.conn, motion_id, lock=lock)

    async def open_motions_of_session(self, session_id: uuid.UUID) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM motions WHERE session_id = $1 AND status = 'open'", session_id
        )
        return count

    async def item_has_open_motion(self, item_id: uuid.UUID) -> bool:
        return bool(
            await self.conn.fetchval("SELECT true FROM motions WHERE agenda_item_id = $1 AND status = 'open'", item_id)
        )

    async def insert_motion(self, values: dict[str, Any]) -> Record:
        row: Record | None = await self.conn.fetchrow(
            """
            INSERT INTO motions (id, agenda_item_id, session_id, council_id, community, title, text, proposed_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *
            """,
            values["id"],
            values["agenda_item_id"],
            values["session_id"],
            values["council_id"],
            values["community"],
            values["title"],
            values["text"],
            values["proposed_by"],
        )
        assert row is not None
        return row

    async def withdraw_open_motions(self, session_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE motions SET status = 'withdrawn', closed_at = $2 WHERE session_id = $1 AND status = 'open'",
            session_id,
            at,
        )

    async def close_motion(self, motion_id: uuid.UUID, status: str, at: datetime) -> None:
        await self.conn.execute("UPDATE motions SET status = $2, closed_at = $3 WHERE id = $1", motion_id, status, at)

    async def put_vote(self, motion_id: uuid.UUID, person_id: str, choice: str) -> None:
        """Cast a vote, or change the one the person cast."""
        await self.conn.execute(
            """
            INSERT INTO votes (motion_id, person_id, choice) VALUES ($1, $2, $3)
            ON CONFLICT (motion_id, person_id) DO UPDATE SET choice = EXCLUDED.choice, updated_at = now()
            """,
            motion_id,
            person_id,
            choice,
        )

    async def choices(self, motion_id: uuid.UUID) -> list[str]:
        return [r["choice"] for r in await self.conn.fetch("SELECT choice FROM votes WHERE motion_id = $1", motion_id)]

    async def insert_decision(self, values: dict[str, Any]) -> Record:
        columns = ", ".join(values)
        params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        row: Record | None = await self.conn.fetchrow(
            f"INSERT INTO decisions ({columns}) VALUES ({params}) RETURNING *", *values.values()
        )
        assert row is not None
        return row
