"""Everything intake holds about a person, and what forgetting them does to it.

A matter a person raised stays (its neighbours, committees and council worked on it, and its
history is the record of that), under the person's pseudonym with their name and contact cleared;
their steps in any matter's history and their comments stay the same way; what only followed them
(follows of merged duplicates) is deleted."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting, affected

IN_COMMUNITY = "issue_id IN (SELECT id FROM issues WHERE community = $1)"

HOLDINGS = (
    Holding(
        "issues_reported",
        "issues",
        "reporter_id",
        "anonymise",
        clear={"reporter_name": "NULL", "contact": "'{}'::jsonb"},
        select="""id, category, title, description, building, unit, location_text, lat, long, building_group,
                  channel, anonymous, reporter_id, reporter_name, contact, attributes, status, satisfaction,
                  resolution_summary, created_at, updated_at""",
        order="created_at, id",
    ),
    Holding("history_steps", "issue_history", "actor_id", "anonymise", scope=IN_COMMUNITY, order="seq"),
    Holding(
        "comments",
        "issue_comments",
        "author_id",
        "anonymise",
        clear={"author_name": "NULL"},
        scope=IN_COMMUNITY,
        order="created_at, id",
    ),
    Holding("follows", "issue_followers", "person_id", "delete", scope=IN_COMMUNITY),
    Holding(
        "photos_uploaded",
        "issue_photos",
        "uploaded_by",
        "anonymise",
        scope=IN_COMMUNITY,
        select="id, issue_id, content_type, size, uploaded_by, created_at",
        order="created_at, id",
    ),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    data = await holdings.export(conn, HOLDINGS, community, person_id)
    rows = await conn.fetch(
        """SELECT id, title, status, resolution_summary, resolved_at FROM issues
           WHERE community = $1 AND contributors ? $2 ORDER BY resolved_at, id""",
        community,
        person_id,
    )
    data["contributions"] = [dict(r) for r in rows]
    return data


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    done = await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
    # A resolved matter names the people who resolved it (their points came from it): kept, as the pseudonym.
    status = await conn.execute(
        """UPDATE issues SET contributors = (
               SELECT jsonb_agg(CASE WHEN c = to_jsonb($2::text) THEN to_jsonb($3::text) ELSE c END)
               FROM jsonb_array_elements(contributors) c)
           WHERE community = $1 AND contributors ? $2""",
        community,
        person_id,
        alias,
    )
    done.anonymise("contributions", affected(status))
    return done
