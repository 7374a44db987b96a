"""Read side of the notifications service: plain SQL into dictionaries for the routes.

Lists use keyset pagination: the caller decodes the cursor (services/kernel/pagination.py)
and passes the last sort key seen; each query fetches one row more than `limit`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.kernel.db import Connection
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import QuietHours

INBOX_COLUMNS = "id, event_id, event_type, subject, body, urgent, created_at, read_at"
SUB_COLUMNS = "id, community, url, event_types, description, active, created_by, created_at, previous_secret_expires"
DELIVERY_COLUMNS = "id, event_id, event_type, status, attempts, next_attempt_at, last_error, created_at, delivered_at"

# The broadcasts a reader's inbox shows ($1 the reader, $2 the community, $3 the reader's building
# group, $4 now or NULL): the community's and their building group's, not expired, in the reader's
# language, with the reader's own read mark; none for a reader who turned the inbox off.
BROADCAST_ITEM = """
SELECT b.id, b.event_id, b.event_type,
       CASE WHEN p.language = 'en' THEN b.subject_en ELSE b.subject_zh END AS subject,
       CASE WHEN p.language = 'en' THEN b.body_en ELSE b.body_zh END AS body,
       b.urgent, b.created_at, r.read_at
FROM inbox_broadcasts b
LEFT JOIN preferences p ON p.person_id = $1
LEFT JOIN inbox_broadcast_reads r ON r.broadcast_id = b.id AND r.person_id = $1
WHERE b.community = $2 AND (b.building_group IS NULL OR b.building_group = $3::int)
  AND ($4::timestamptz IS NULL OR b.expires_at IS NULL OR b.expires_at > $4::timestamptz)
  AND coalesce(p.inbox_enabled, true)
"""
_PERSONAL_ITEM = f"""
SELECT {INBOX_COLUMNS} FROM notifications WHERE recipient = $1 AND community = $2 AND channel = 'inbox'
"""


async def preferences(conn: Connection, person_id: str, default_zone: str) -> Preferences:
    """A person's preferences; the defaults, quiet hours in `default_zone`, if they never set any."""
    row = await conn.fetchrow("SELECT * FROM preferences WHERE person_id = $1", person_id)
    if row is None:
        return Preferences.defaults(person_id, default_zone)
    quiet = None
    if row["quiet_start"] is not None and row["quiet_end"] is not None:
        quiet = QuietHours(row["quiet_start"], row["quiet_end"], row["timezone"])
    return Preferences(
        person_id=person_id,
        language=row["language"],
        email=row["email"],
        inbox_enabled=row["inbox_enabled"],
        email_enabled=row["email_enabled"],
        quiet=quiet,
    )


async def community_of(conn: Connection, person_id: str) -> str | None:
    """The community a person's preferences were saved in, None if they never saved any."""
    community: str | None = await conn.fetchval("SELECT community FROM preferences WHERE person_id = $1", person_id)
    return community


def _inbox_item(row: Any) -> dict[str, Any]:
    return {**dict(row.items()), "unread": row["read_at"] is None}


async def inbox(
    conn: Connection,
    person_id: str,
    community: str,
    after: tuple[bool, datetime, uuid.UUID] | None,
    limit: int,
    *,
    building_group: int | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """A person's inbox, unread first, newest first; `unread` says which. It holds their own items
    and the broadcasts to their community and building group (as their token names them)."""
    args: list[Any] = [person_id, community, building_group, now, limit + 1]
    where = ""
    if after is not None:
        args += list(after)
        where = "WHERE ((read_at IS NULL), created_at, id) < ($6, $7, $8)"
    rows = await conn.fetch(
        f"""SELECT * FROM ({_PERSONAL_ITEM} UNION ALL {BROADCAST_ITEM}) items {where}
            ORDER BY (read_at IS NULL) DESC, created_at DESC, id DESC LIMIT $5""",
        *args,
    )
    return [_inbox_item(r) for r in rows]


async def inbox_item(conn: Connection, item_id: uuid.UUID, person_id: str, community: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""SELECT {INBOX_COLUMNS} FROM notifications
            WHERE id = $1 AND recipient = $2 AND community = $3 AND channel = 'inbox'""",
        item_id,
        person_id,
        community,
    )
    return _inbox_item(row) if row else None


async def unread_count(
    conn: Connection,
    person_id: str,
    community: str | None = None,
    *,
    building_group: int | None = None,
    now: datetime | None = None,
) -> int:
    """Unread inbox items of a person (in one community, if given: then its broadcasts count too)."""
    count: int = await conn.fetchval(
        f"""SELECT (SELECT count(*) FROM notifications
                    WHERE recipient = $1 AND ($2::text IS NULL OR community = $2) AND channel = 'inbox'
                      AND read_at IS NULL)
                 + (SELECT count(*) FROM ({BROADCAST_ITEM}) b WHERE read_at IS NULL)""",
        person_id,
        community,
        building_group,
        now,
    )
    return count


async def robots(conn: Connection, community: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT building_group, url, updated_at FROM wecom_robots WHERE community = $1 ORDER BY building_group",
        community,
    )
    return [dict(r.items()) for r in rows]


_TEMPLATES_IN_USE = """
    SELECT DISTINCT ON (key, language) key, language, subject, body, updated_by, updated_at, community <> '*' AS own
    FROM templates WHERE community IN ($1, '*') {where}
    ORDER BY key, language, community = '*'"""


async def templates(conn: Connection, community: str) -> list[dict[str, Any]]:
    """The templates in use in `community`: its own versions, else the stack's texts; `own` says which."""
    rows = await conn.fetch(_TEMPLATES_IN_USE.format(where=""), community)
    return [dict(r.items()) for r in rows]


async def template(conn: Connection, community: str, key: str, language: str) -> dict[str, Any] | None:
    where = "AND key = $2 AND language = $3"
    row = await conn.fetchrow(_TEMPLATES_IN_USE.format(where=where), community, key, language)
    return dict(row.items()) if row else None


async def subscription(conn: Connection, subscription_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {SUB_COLUMNS} FROM subscriptions WHERE id = $1", subscription_id)
    return dict(row.items()) if row else None


async def signing_secrets(conn: Connection, subscription_id: str) -> dict[str, Any] | None:
    """What a webhook delivery is sent and signed with (the subscription's id is the delivery's recipient)."""
    row = await conn.fetchrow(
        """SELECT url, secret, previous_secret, previous_secret_expires, active FROM subscriptions
           WHERE id = $1::uuid""",
        subscription_id,
    )
    return dict(row.items()) if row else None


async def subscriptions(conn: Connection, community: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"SELECT {SUB_COLUMNS} FROM subscriptions WHERE community = $1 AND active ORDER BY created_at, id", community
    )
    return [dict(r.items()) for r in rows]


async def deliveries(
    conn: Connection, subscription_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    """A subscription's delivery log, newest first."""
    args: list[Any] = [str(subscription_id), limit + 1]
    where = ""
    if after is not None:
        args += list(after)
        where = "AND (created_at, id) < ($3, $4)"
    rows = await conn.fetch(
        f"""SELECT {DELIVERY_COLUMNS} FROM notifications WHERE recipient = $1 AND channel = 'webhook' {where}
            ORDER BY created_at DESC, id DESC LIMIT $2""",
        *args,
    )
    return [dict(r.items()) for r in rows]


async def delivery(conn: Connection, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    """One webhook delivery of a subscription with every try (`tries`), oldest try first."""
    row = await conn.fetchrow(
        f"SELECT {DELIVERY_COLUMNS} FROM notifications WHERE id = $1 AND recipient = $2 AND channel = 'webhook'",
        delivery_id,
        str(subscription_id),
    )
    if row is None:
        return None
    tries = await conn.fetch(
        """SELECT attempt, at, ok, status_code, error, duration_ms FROM delivery_attempts
           WHERE notification_id = $1 ORDER BY id""",
        delivery_id,
    )
    return {**dict(row.items()), "tries": [dict(t.items()) for t in tries]}
