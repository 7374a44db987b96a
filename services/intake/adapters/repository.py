"""Postgres repository of the Issue aggregate: load with a row lock, save with history and events."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from contracts.enums import IssueCategory, IssueChannel, IssueStatus
from services.intake.adapters.queries import ISSUE_COLUMNS
from services.intake.domain.issue import Issue
from services.intake.domain.search import tsvector_literal
from services.kernel.db import Connection
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


async def get_for_update(conn: Connection, issue_id: uuid.UUID) -> Issue | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM issues WHERE id = $1 FOR UPDATE", issue_id)
    return _issue(row) if row else None


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


async def insert(conn: Connection, issue: Issue, outbox: Outbox, extra: dict[str, Any]) -> dict[str, Any]:
    """Store a new issue (with the columns the aggregate does not carry in `extra`), its history and
    events in one statement (atomic on its own, one round trip); returns the stored row as read."""
    history = [
        (h.at, h.actor_id, h.from_status.value if h.from_status else None, h.to_status.value, h.note, h.event_id)
        for h in issue.history
    ]
    events = [
        outbox.envelope(event, community=issue.community, subject=issue.id, event_id=event_id)
        for event_id, event in issue.events
    ]
    row = await conn.fetchrow(
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
    issue.events.clear()
    return dict(row)


async def save(conn: Connection, issue: Issue, outbox: Outbox) -> None:
    """Write the aggregate's changed state, then its new history entries, followers and events."""
    await conn.execute(
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
    await _flush(conn, issue, outbox)


async def _flush(conn: Connection, issue: Issue, outbox: Outbox) -> None:
    if issue.history:
        await conn.executemany(
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
    for event_id, event in issue.events:
        await outbox.emit(conn, event, community=issue.community, subject=issue.id, event_id=event_id)
    issue.events.clear()


async def merge_followers(conn: Connection, original: Issue, duplicate: Issue) -> None:
    """The duplicate's reporter, and whoever followed the duplicate, now follow the original."""
    for person in original.followers:
        await conn.execute(
            "INSERT INTO issue_followers (issue_id, person_id, via_issue) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            original.id,
            person,
            duplicate.id,
        )
    original.followers.clear()
    await conn.execute(
        """INSERT INTO issue_followers (issue_id, person_id, via_issue)
           SELECT $1, person_id, $2 FROM issue_followers WHERE issue_id = $2 AND person_id <> $3
           ON CONFLICT DO NOTHING""",
        original.id,
        duplicate.id,
        original.reporter_id,
    )
