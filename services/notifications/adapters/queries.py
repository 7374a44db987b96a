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


def _inbox_item(row: Any) -> dict[str, Any]:
    return {**dict(row.items()), "unread": row["read_at"] is None}


async def inbox(
    conn: Connection, person_id: str, community: str, after: tuple[bool, datetime, uuid.UUID] | None, limit: int
) -> list[dict[str, Any]]:
    """A person's inbox, unread first, newest first; `unread` says which."""
    args: list[Any] = [person_id, community, limit + 1]
    where = ""
    if after is not None:
        args += list(after)
        where = "AND ((read_at IS NULL), created_at, id) < ($4, $5, $6)"
    rows = await conn.fetch(
        f"""SELECT {INBOX_COLUMNS} FROM notifications
            WHERE recipient = $1 AND community = $2 AND channel = 'inbox' {where}
            ORDER BY (read_at IS NULL) DESC, created_at DESC, id DESC LIMIT $3""",
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


async def unread_count(conn: Connection, person_id: str, community: str | None = None) -> int:
    """Unread inbox items of a person (in one community, if given)."""
    count: int = await conn.fetchval(
        """SELECT count(*) FROM notifications
           WHERE recipient = $1 AND ($2::text IS NULL OR community = $2) AND channel = 'inbox' AND read_at IS NULL""",
        person_id,
        community,
    )
    return count


async def robots(conn: Connection, community: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT building_group, url, updated_at FROM wecom_robots WHERE community = $1 ORDER BY building_group",
        community,
    )
    return [dict(r.items()) for r in rows]


async def templates(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r.items()) for r in await conn.fetch("SELECT * FROM templates ORDER BY key, language")]


async def template(conn: Connection, key: str, language: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM templates WHERE key = $1 AND language = $2", key, language)
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
        f"SELECT {SUB_COLUMNS} FROM subscriptions WHERE community = $1 ORDER BY created_at, id", community
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
