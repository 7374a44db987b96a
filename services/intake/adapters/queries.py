"""Read side: plain SQL into dictionaries; lists use keyset pagination on (created_at, id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.domain.lifecycle import OPEN_STATUSES
from services.intake.domain.search import tsquery_literal
from services.kernel.db import Connection

ISSUE_COLUMNS = """i.id, i.community, i.category, i.title, i.description, i.building, i.unit, i.location_text,
i.lat, i.long, i.building_group, i.photos, i.channel, i.anonymous, i.reporter_id, i.reporter_name, i.contact,
i.priority, i.attributes, i.status, i.held_for_review, i.duplicate_of, i.decision_id, i.decision_note,
i.resolution_summary, i.contributors, i.resolved_at, i.satisfaction, i.status_note, i.created_at, i.updated_at,
i.open311_token"""

PHOTO_REFS = """(SELECT coalesce(jsonb_agg(jsonb_build_object('id', p.id, 'content_type', p.content_type, 'size', p.size,
'created_at', p.created_at) ORDER BY p.created_at, p.id), '[]'::jsonb) FROM issue_photos p WHERE p.issue_id = i.id)
AS uploaded_photos"""
"""The photos uploaded to the issue (not their bytes), oldest first."""


@dataclass
class IssueFilter:
    community: str
    statuses: list[str] | None = None
    category: str | None = None
    building_group: int | None = None
    reporter_id: str | None = None
    q: str | None = None
    channels: list[str] | None = None
    raised_before: datetime | None = None
    include_held_of: str | None = None
    """Held (suspected spam) issues are listed only for committees (None here) or their own reporter."""
    committee: bool = False
    after: tuple[datetime, uuid.UUID] | None = None
    limit: int = 20


async def list_issues(conn: Connection, f: IssueFilter) -> list[dict[str, Any]]:
    where = ["i.community = $1"]
    args: list[Any] = [f.community]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.statuses:
        where.append(f"i.status = ANY({arg(f.statuses)}::text[])")
    if f.category:
        where.append(f"i.category = {arg(f.category)}")
    if f.building_group is not None:
        where.append(f"i.building_group = {arg(f.building_group)}")
    if f.reporter_id is not None:
        where.append(f"i.reporter_id = {arg(f.reporter_id)}")
    if f.channels:
        where.append(f"i.channel = ANY({arg(f.channels)}::text[])")
    if f.raised_before is not None:
        where.append(f"i.created_at < {arg(f.raised_before)}")
    if f.q:
        query = tsquery_literal(f.q)
        if query is None:
            return []
        where.append(f"i.search @@ {arg(query)}::tsquery")
    if not f.committee:
        where.append(f"(NOT i.held_for_review OR i.reporter_id = {arg(f.include_held_of)})")
    if f.after is not None:
        created, last_id = f.after
        where.append(f"(i.created_at, i.id) < ({arg(created)}::timestamptz, {arg(last_id)}::uuid)")
    sql = f"""SELECT {ISSUE_COLUMNS}, {PHOTO_REFS} FROM issues i WHERE {" AND ".join(where)}
              ORDER BY i.created_at DESC, i.id DESC LIMIT {arg(f.limit + 1)}"""
    return [dict(r) for r in await conn.fetch(sql, *args)]


async def get_issue(conn: Connection, issue_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {ISSUE_COLUMNS}, {PHOTO_REFS} FROM issues i WHERE i.id = $1", issue_id)
    return dict(row) if row else None


async def followers(conn: Connection, issue_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch("SELECT person_id FROM issue_followers WHERE issue_id = $1 ORDER BY created_at", issue_id)
    return [r["person_id"] for r in rows]


async def history(conn: Connection, issue_id: uuid.UUID, after: int | None, limit: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT seq, at, actor_id, from_status, to_status, note, event_id FROM issue_history
           WHERE issue_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""",
        issue_id,
        after or 0,
        limit + 1,
    )
    return [dict(r) for r in rows]


async def comments(
    conn: Connection, issue_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    if after is None:
        rows = await conn.fetch(
            """SELECT id, issue_id, author_id, author_name, body, created_at FROM issue_comments
               WHERE issue_id = $1 ORDER BY created_at, id LIMIT $2""",
            issue_id,
            limit + 1,
        )
    else:
        rows = await conn.fetch(
            """SELECT id, issue_id, author_id, author_name, body, created_at FROM issue_comments
               WHERE issue_id = $1 AND (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $4""",
            issue_id,
            after[0],
            after[1],
            limit + 1,
        )
    return [dict(r) for r in rows]


async def review_queue(
    conn: Connection, community: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    """Submitted issues, oldest first, each with a duplicate hint: open issues of the same category
    in the same building raised within 7 days of it."""
    after_created, after_id = after if after else (None, uuid.UUID(int=0))
    rows = await conn.fetch(
        f"""
        SELECT {ISSUE_COLUMNS}, {PHOTO_REFS}, coalesce(hints.items, '[]'::jsonb) AS possible_duplicates
        FROM issues i
        LEFT JOIN LATERAL (
            SELECT jsonb_agg(jsonb_build_object('id', o.id, 'title', o.title, 'status', o.status,
                                                'created_at', o.created_at) ORDER BY o.created_at) AS items
            FROM (SELECT o.id, o.title, o.status, o.created_at FROM issues o
                  WHERE o.community = i.community AND o.category = i.category AND o.building = i.building
                    AND o.id <> i.id AND o.status = ANY($4::text[])
                    AND o.created_at BETWEEN i.created_at - interval '7 days' AND i.created_at + interval '7 days'
                  ORDER BY o.created_at LIMIT 5) o
        ) hints ON true
        WHERE i.community = $1 AND i.status = 'submitted'
          AND ($2::timestamptz IS NULL OR (i.created_at, i.id) > ($2::timestamptz, $3::uuid))
        ORDER BY i.created_at, i.id LIMIT $5
        """,
        community,
        after_created,
        after_id,
        [s.value for s in OPEN_STATUSES],
        limit + 1,
    )
    return [dict(r) for r in rows]


async def published_issues_by_id(conn: Connection, community: str, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """The community's issues of these ids that are not held for review, newest first (Open311)."""
    rows = await conn.fetch(
        f"SELECT {ISSUE_COLUMNS}, {PHOTO_REFS} FROM issues i WHERE i.id = ANY($1::uuid[]) AND i.community = $2"
        " AND NOT i.held_for_review ORDER BY i.created_at DESC",
        ids,
        community,
    )
    return [dict(r) for r in rows]


async def published_issues(
    conn: Connection,
    community: str,
    *,
    start: datetime,
    end: datetime,
    categories: list[str] | None,
    statuses: list[str] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """The community's issues raised between start and end, not held for review, newest first (Open311)."""
    rows = await conn.fetch(
        f"""SELECT {ISSUE_COLUMNS}, {PHOTO_REFS} FROM issues i
            WHERE i.community = $1 AND NOT i.held_for_review AND i.created_at >= $2 AND i.created_at <= $3
              AND ($4::text[] IS NULL OR i.category = ANY($4::text[]))
              AND ($5::text[] IS NULL OR i.status = ANY($5::text[]))
            ORDER BY i.created_at DESC, i.id DESC LIMIT $6""",
        community,
        start,
        end,
        categories,
        statuses,
        limit,
    )
    return [dict(r) for r in rows]


async def issue_of_open311_token(conn: Connection, community: str, token: uuid.UUID) -> uuid.UUID | None:
    issue_id: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM issues WHERE open311_token = $1 AND community = $2", token, community
    )
    return issue_id


async def photo(conn: Connection, issue_id: uuid.UUID, photo_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT content_type, data FROM issue_photos WHERE id = $1 AND issue_id = $2", photo_id, issue_id
    )
    return dict(row) if row else None


async def numbers(conn: Connection, community: str, zone: str, year: int, month: int | None) -> dict[str, Any]:
    """The committees' figures of a month (or a whole year) in the community's time zone: matters raised
    (not held as spam) and resolved, by category and building group, by month of a year, the median
    hours from raising to resolving and the reporters' satisfaction with the ones resolved in it."""
    period = """
        WITH bounds AS (
            SELECT make_timestamp($3, coalesce($4, 1), 1, 0, 0, 0) AT TIME ZONE $2 AS since,
                   (make_timestamp($3, coalesce($4, 1), 1, 0, 0, 0)
                    + CASE WHEN $4::int IS NULL THEN interval '1 year' ELSE interval '1 month' END) AT TIME ZONE $2
                   AS until
        ),
        raised AS (
            SELECT i.category, i.building_group, i.created_at AS at FROM issues i, bounds b
            WHERE i.community = $1 AND NOT i.held_for_review AND i.created_at >= b.since AND i.created_at < b.until
        ),
        resolved AS (
            SELECT i.category, i.building_group, i.resolved_at AS at, i.satisfaction,
                   extract(epoch FROM i.resolved_at - i.created_at) / 3600.0 AS hours
            FROM issues i, bounds b
            WHERE i.community = $1 AND i.resolved_at >= b.since AND i.resolved_at < b.until
        )
    """
    args = (community, zone, year, month)
    totals = await conn.fetchrow(
        period
        + """SELECT (SELECT count(*) FROM raised) AS raised, (SELECT count(*) FROM resolved) AS resolved,
                    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FROM resolved) AS median_hours,
                    (SELECT avg(satisfaction) FROM resolved WHERE satisfaction IS NOT NULL) AS satisfaction,
                    (SELECT count(satisfaction) FROM resolved) AS rated""",
        *args,
    )
    assert totals is not None

    async def grouped(
        column: str, order: str = "sum(raised) + sum(resolved) DESC, key NULLS LAST"
    ) -> list[dict[str, Any]]:
        rows = await conn.fetch(
            period
            + f"""SELECT key, sum(raised)::int AS raised, sum(resolved)::int AS resolved FROM (
                      SELECT {column} AS key, 1 AS raised, 0 AS resolved FROM raised
                      UNION ALL SELECT {column}, 0, 1 FROM resolved) g
                  GROUP BY key ORDER BY {order}""",
            *args,
        )
        return [dict(r) for r in rows]

    return {
        "raised": totals["raised"],
        "resolved": totals["resolved"],
        "median_hours_to_resolve": totals["median_hours"],
        "satisfaction_average": float(totals["satisfaction"]) if totals["satisfaction"] is not None else None,
        "satisfaction_count": totals["rated"],
        "by_category": await grouped("category"),
        "by_building_group": await grouped("building_group"),
        "by_month": await grouped("extract(month FROM at AT TIME ZONE $2)::int", "key") if month is None else [],
    }
