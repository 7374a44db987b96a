"""Postgres access of the notifications service (asyncpg, plain SQL)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from services.kernel.cache import TimedCache
from services.kernel.db import Connection
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.preferences import Preferences
from services.notifications.domain.quiet_hours import QuietHours

INBOX_CHANNEL = "notifications_inbox"  # the inbox_announce trigger notifies it


async def preferences(conn: Connection, person_id: str) -> Preferences:
    row = await conn.fetchrow("SELECT * FROM preferences WHERE person_id = $1", person_id)
    if row is None:
        return Preferences(person_id)
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


async def display_name(conn: Connection, person_id: str) -> str:
    """The name a person's token carried when they last saved their preferences, else their id."""
    name: str | None = await conn.fetchval("SELECT display_name FROM preferences WHERE person_id = $1", person_id)
    return name or person_id


class TemplateCache:
    """The templates in use, read once per 30 s per instance rather than for every message
    (services/kernel/cache.py); an admin's edit calls `forget` on the instance that saved it."""

    def __init__(self, ttl: float = 30.0) -> None:
        self._cache: TimedCache[str, dict[tuple[str, str], tuple[str, str]]] = TimedCache(ttl)

    async def get(self, conn: Connection, key: str, language: str) -> tuple[str, str]:
        async def load() -> dict[tuple[str, str], tuple[str, str]]:
            rows = await conn.fetch("SELECT key, language, subject, body FROM templates")
            return {(r["key"], r["language"]): (r["subject"], r["body"]) for r in rows}

        return (await self._cache.get("templates", load)).get((key, language)) or DEFAULTS[key][language]

    def forget(self) -> None:
        self._cache.forget()


async def install_default_templates(conn: Connection) -> None:
    """Put the default texts in the database once; an admin's edits are never overwritten."""
    rows = [(key, lang, subject, body) for key, texts in DEFAULTS.items() for lang, (subject, body) in texts.items()]
    await conn.executemany(
        "INSERT INTO templates (key, language, subject, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", rows
    )


async def robot_url(conn: Connection, community: str, group: int) -> str | None:
    url: str | None = await conn.fetchval(
        "SELECT url FROM wecom_robots WHERE community = $1 AND building_group = $2", community, group
    )
    return url


async def active_subscriptions(conn: Connection, community: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, event_types FROM subscriptions WHERE community = $1 AND active ORDER BY created_at", community
    )


async def insert_notification(
    conn: Connection,
    *,
    event_id: uuid.UUID,
    event_type: str,
    community: str,
    recipient: str,
    channel: str,
    body: str,
    now: datetime,
    subject: str = "",
    language: str | None = None,
    urgent: bool = False,
    address: str | None = None,
    next_attempt_at: datetime | None = None,
    delivered: bool = False,
) -> uuid.UUID | None:
    """Insert one notification unless (event, recipient, channel) exists; its id if inserted."""
    notification_id: uuid.UUID | None = await conn.fetchval(
        """
        INSERT INTO notifications (id, event_id, event_type, community, recipient, channel, language, urgent,
                                   subject, body, address, status, attempts, next_attempt_at, retry_from,
                                   created_at, delivered_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)
        ON CONFLICT (event_id, recipient, channel) DO NOTHING
        RETURNING id
        """,
        uuid.uuid4(),
        event_id,
        event_type,
        community,
        recipient,
        channel,
        language,
        urgent,
        subject,
        body,
        address,
        "delivered" if delivered else "pending",
        1 if delivered else 0,
        None if delivered else (next_attempt_at or now),
        now,
        now if delivered else None,
    )
    return notification_id


async def remember_reporter(conn: Connection, issue_id: uuid.UUID, reporter_id: str) -> None:
    await conn.execute(
        "INSERT INTO issue_reporters (issue_id, reporter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        issue_id,
        reporter_id,
    )


async def reporter_of(conn: Connection, issue_id: uuid.UUID | None) -> str | None:
    if issue_id is None:
        return None
    reporter: str | None = await conn.fetchval("SELECT reporter_id FROM issue_reporters WHERE issue_id = $1", issue_id)
    return reporter


def record(row: asyncpg.Record) -> dict[str, Any]:
    return dict(row.items())
