"""Everything shifts holds about a person, and what forgetting them does to it.

Confirmed hours became points, and a shift's roster is how its hours and party-member minimum were
counted: sign-ups, participations and the volunteer's registration stay, under the person's
pseudonym, with the name, skills and calendar feed cleared. Their red posts and post leaderships
are deleted (a forgotten person volunteers for nothing)."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting

IN_POSTS = "post_id IN (SELECT id FROM posts WHERE community = $1)"

HOLDINGS = (
    Holding("post_leaderships", "post_leaders", "person_id", "delete", scope=IN_POSTS),
    Holding("red_posts", "volunteer_posts", "volunteer_id", "delete"),
    Holding(
        "volunteer",
        "volunteers",
        "id",
        "anonymise",
        clear={"name": "''", "skills": "'{}'", "feed_token_hash": "NULL", "suspended_reason": "NULL"},
        select="""community, id, name, kind, building_group, skills, suspended_at, suspended_reason, approved_at,
                  approved_by, created_at, updated_at""",
    ),
    Holding("re_approvals_given", "volunteers", "approved_by", "anonymise", select="id, approved_at"),
    Holding("signups", "signups", "volunteer_id", "anonymise", order="created_at, id"),
    Holding("signups_made_for_others", "signups", "signed_up_by", "anonymise", select="id, shift_id, created_at"),
    Holding("signups_cancelled_by", "signups", "cancelled_by", "anonymise", select="id, shift_id, cancelled_at"),
    Holding("participations", "participations", "volunteer_id", "anonymise", order="confirmed_at, id"),
    Holding("confirmations_given", "participations", "confirmed_by", "anonymise", select="id, shift_id, confirmed_at"),
    Holding("templates_created", "templates", "created_by", "anonymise", select="id, title, created_at"),
    Holding("shifts_created", "shifts", "created_by", "anonymise", select="id, title, starts_at"),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    return await holdings.export(conn, HOLDINGS, community, person_id)


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    return await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
