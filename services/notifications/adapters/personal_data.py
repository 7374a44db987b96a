"""Everything notifications holds about a person, and what forgetting them does to it.

Nothing here is a record others rely on: a person's preferences (language, e-mail address, quiet
hours), their inbox and queued e-mails (with the address each was sent to, and the delivery log),
what they read of the broadcasts, their pending reminders and the local copy of the matters they
reported are all deleted. Only the webhook subscriptions an admin registered keep their creator,
as the pseudonym."""

from __future__ import annotations

from typing import Any

from services.kernel import holdings
from services.kernel.db import Connection
from services.kernel.holdings import Holding
from services.kernel.privacy import Forgetting

IN_BROADCASTS = "broadcast_id IN (SELECT id FROM inbox_broadcasts WHERE community = $1)"

HOLDINGS = (
    Holding("preferences", "preferences", "person_id", "delete"),
    Holding(
        "messages",
        "notifications",
        "recipient",
        "delete",
        select="""id, event_type, channel, language, urgent, subject, body, address, link, status, attempts,
                  created_at, delivered_at, read_at""",
        order="created_at, id",
    ),
    Holding("broadcasts_read", "inbox_broadcast_reads", "person_id", "delete", scope=IN_BROADCASTS),
    Holding("reminders", "reminders", "recipient", "delete", order="fire_at, id"),
    # A read copy of intake's issue.* events, kept without a community: a subject names one person.
    Holding("matters_reported", "issue_reporters", "reporter_id", "delete", scope="$1::text IS NOT NULL"),
    Holding(
        "subscriptions_created",
        "subscriptions",
        "created_by",
        "anonymise",
        select="id, url, event_types, description, active, created_at",
    ),
)


async def export(conn: Connection, community: str, person_id: str) -> dict[str, list[dict[str, Any]]]:
    return await holdings.export(conn, HOLDINGS, community, person_id)


async def forget(conn: Connection, community: str, person_id: str, alias: str) -> Forgetting:
    return await holdings.forget(conn, HOLDINGS, community, person_id, alias, Forgetting())
