"""Postgres repository of the Issue aggregate: load with a row lock, save with its history and followers.

Every issue it loads or saves is handed to the unit of work (`seen`), which writes the events
the issue recorded to the outbox when it commits (cosmicpython's `seen` set)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import asyncpg

from contracts.enums import IssueCategory, IssueChannel, IssueStatus
from services.intake.adapters.queries import ISSUE_COLUMNS
from services.intake.domain.issue import Issue
from services.intake.domain.search import tsvector_literal
from services.kernel.db import Connection
from services.kernel.events import RecordsEvents
from services.kernel.outbox import Outbox, as_arrays, insert_from_arrays

_COLUMNS = """id, community, category, title, description, building, building_group, channel, anonymous,
reporter_id, priority, status, held_for_review, duplicate_of, decision_id, decision_note, resolution_summary,
contributors, resolved_at, resolved_event_id, satisfaction, status_note, created_at"""


def _issue(row: asyncpg.Record) -> Issue:
    return Issue(
        id=row["id"],
        community=row["community"],
        category=IssueCategory(row["category"]),
        title=row["title"],
        description=row["description"],
        building=row["building"],
        building_group=row["building_group"],
        channel=IssueChannel(row["channel"]),
        anonymous=row["anonymous"],
        reporter_id=row["reporter_id"],
        priority=row["priority"],
        status=IssueStatus(row["status"]),
        held_for_review=row["held_for_review"],
        duplicate_of=row["duplicate_of"],
        decision_id=row["decision_id"],
        decision_note=row["decision_note"],
        resolution_summary=row["resolution_summary"],
        contributors=list(row["contributors"]),
        resolved_at=row["resolved_at"],
        resolved_event_id=row["resolved_event_id"],
        satisfaction=row["satisfaction"],
        status_note=row["status_note"],
        created_at=row["created_at"],
    )


_INSERT_NEW = f"""
WITH i AS (
    INSERT INTO issues (id, community, category, title, description, building, unit, location_text, lat, long,
        building_group, photos, channel, anonymous, reporter_id, reporter_name, contact, priority, attributes,
        status, held_for_review, search, open311_token, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
        $22::tsvector, $23, $24, $24)
    RETURNING *
), h AS (
    INSERT INTO issue_history (issue_id, at, actor_id, from_status, to_status, note, event_id)
    SELECT $1, * FROM unnest($25::timestamptz[], $26::text[], $27::text[], $28::text[], $29::text[], $30::uuid[])
), o AS (
    {insert_from_arrays(31)}
)
SELECT {ISSUE_COLUMNS} FROM i
"""


class IssueRepository:
    def __init__(self, conn: Connection, outbox: Outbox, seen: Callable[[RecordsEvents], None]) -> None:
        self.conn = conn
        self.outbox = outbox
        self.seen = seen

    async def get_for_update(self, issue_id: uuid.UUID) -> Issue | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM issues WHERE id = $1 FOR UPDATE", issue_id)
        if row is None:
            return None
        issue = _issue(row)
        self.seen(issue)
        return issue

    async def exists(self, issue_id: uuid.UUID) -> bool:
        return bool(await self.conn.fetchval("SELECT true FROM issues WHERE id = $1", issue_id))

    async def resolved_before(self, moment: datetime, limit: int) -> list[uuid.UUID]:
        """Ids of issues resolved at or before `moment`, locked; those another instance holds are skipped."""
        rows = await self.conn.fetch(
            """SELECT id FROM issues WHERE status = 'resolved' AND resolved_at <= $1
               ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
            moment,
            limit,
        )
        return [row["id"] for row in rows]

    async def add_comment(
        self, *, issue_id: uuid.UUID, author: str, author_name: str | None, body: str
    ) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            """INSERT INTO issue_comments (id, issue_id, author_id, author_name, body) VALUES ($1, $2, $3, $4, $5)
               RETURNING id, issue_id, author_id, author_name, body, created_at""",
            uuid.uuid4(),
            issue_id,
            author,
            author_name,
            body,
        )
        assert row is not None
        return dict(row)

    async def insert(self, issue: Issue, extra: dict[str, Any]) -> dict[str, Any]:
        """Store a new issue (with the columns the aggregate does not carry in `extra`), its history and
        events in one statement (atomic on its own, one round trip); returns the stored row as read."""
        history = [
            (h.at, h.actor_id, h.from_status.value if h.from_status else None, h.to_status.value, h.note, h.event_id)
            for h in issue.history
        ]
        # One statement writes the issue, its history and its events: atomic on its own, so the
        # busiest write of a community needs no BEGIN/COMMIT round trips.
        events = [
            self.outbox.envelope(e.data, community=e.community, subject=e.subject, event_id=e.event_id)
            for e in issue.pull_events()
        ]
        row = await self.conn.fetchrow(
            _INSERT_NEW,
            issue.id,
            issue.community,
            issue.category.value,
            issue.title,
            issue.description,
            issue.building,
            extra.get("unit"),
            extra.get("location_text"),
            extra.get("lat"),
            extra.get("long"),
            issue.building_group,
            extra.get("photos", []),
            issue.channel.value,
            issue.anonymous,
            issue.reporter_id,
            extra.get("reporter_name"),
            extra.get("contact", {}),
            issue.priority,
            extra.get("attributes", {}),
            issue.status.value,
            issue.held_for_review,
            tsvector_literal(issue.title, issue.description, extra.get("location_text") or "", issue.building or ""),
            extra.get("open311_token"),
            issue.created_at,
            *([h[i] for h in history] for i in range(6)),
            *as_arrays(events),
        )
        assert row is not None
        issue.history.clear()
        return dict(row)

    async def save(self, issue: Issue) -> None:
        """Write the aggregate's changed state, then its new history entries, followers and events."""
        await self.conn.execute(
            """
            UPDATE issues SET status = $2, held_for_review = $3, duplicate_of = $4, decision_id = $5,
                decision_note = $6, resolution_summary = $7, contributors = $8, resolved_at = $9,
                resolved_event_id = $10, satisfaction = $11, status_note = $12, updated_at = now()
            WHERE id = $1
            """,
            issue.id,
            issue.status.value,
            issue.held_for_review,
            issue.duplicate_of,
            issue.decision_id,
            issue.decision_note,
            issue.resolution_summary,
            issue.contributors,
            issue.resolved_at,
            issue.resolved_event_id,
            issue.satisfaction,
            issue.status_note,
        )
        await self._flush(issue)
        self.seen(issue)

    async def _flush(self, issue: Issue) -> None:
        if issue.history:
            await self.conn.executemany(
                """INSERT INTO issue_history (issue_id, at, actor_id, from_status, to_status, note, event_id)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                [
                    (
                        issue.id,
                        h.at,
                        h.actor_id,
                        h.from_status.value if h.from_status else None,
                        h.to_status.value,
                        h.note,
                        h.event_id,
                    )
                    for h in issue.history
                ],
            )
            issue.history.clear()

    async def merge_followers(self, original: Issue, duplicate: Issue) -> None:
        """The duplicate's reporter, and whoever followed the duplicate, now follow the original."""
        for person in original.followers:
            await self.conn.execute(
                "INSERT INTO issue_followers (issue_id, person_id, via_issue) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                original.id,
                person,
                duplicate.id,
            )
        original.followers.clear()
        await self.conn.execute(
            """INSERT INTO issue_followers (issue_id, person_id, via_issue)
               SELECT $1, person_id, $2 FROM issue_followers WHERE issue_id = $2 AND person_id <> $3
               ON CONFLICT DO NOTHING""",
            original.id,
            duplicate.id,
            original.reporter_id,
        )
