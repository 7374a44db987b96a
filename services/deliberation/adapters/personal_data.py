"""Everything deliberation holds about a person, and what forgetting them does to it.

A council's record must stay whole: who was present decides a quorum, each vote is a count of a
decision, a motion or a referral is part of the minutes. So forgetting keeps every such row under
the person's pseudonym; a membership keeps its term, ended today if still open, with the name
cleared. Nothing of deliberation is only the person's, so nothing is deleted."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting

IN_SESSIONS = "session_id IN (SELECT id FROM sessions WHERE community = $1)"
IN_MOTIONS = "motion_id IN (SELECT id FROM motions WHERE community = $1)"

HOLDINGS = (
    Holding(
        "memberships",
        "members",
        "person_id",
        "anonymise",
        clear={"name": "''", "term_until": "coalesce(term_until, greatest(term_from, current_date))"},
        order="term_from, id",
    ),
    Holding("attendance", "attendance", "person_id", "anonymise", scope=IN_SESSIONS, order="recorded_at"),
    Holding("attendance_recorded", "attendance", "recorded_by", "anonymise", scope=IN_SESSIONS, order="recorded_at"),
    Holding("votes", "votes", "person_id", "anonymise", scope=IN_MOTIONS, order="cast_at"),
    Holding("agenda_items_proposed", "agenda_items", "proposed_by", "anonymise", order="created_at, id"),
    Holding("motions_proposed", "motions", "proposed_by", "anonymise", order="created_at, id"),
    Holding("decisions_responsible", "decisions", "responsible_person_id", "anonymise", order="decided_at, id"),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    return await holdings.export(conn, HOLDINGS, community, person_id)


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    return await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
