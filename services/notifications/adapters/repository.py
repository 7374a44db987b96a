"""Postgres writes of the notifications service (asyncpg, plain SQL), one repository per table family.

Every repository works on the unit of work's connection: what it writes commits with the
events the service layer emits, or not at all. Lock order lives here too, next to the locks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from services.kernel.cache import Cache
from services.kernel.db import Connection
from services.notifications.adapters import queries
from services.notifications.adapters.queries import DELIVERY_COLUMNS, INBOX_COLUMNS, SUB_COLUMNS
from services.notifications.domain.default_templates import DEFAULTS
from services.notifications.domain.preferences import Preferences

INBOX_CHANNEL = "notifications_inbox"  # the inbox_announce trigger notifies it


Templates = dict[tuple[str, str], tuple[str, str]]
"""(subject, body) of each (key, language) in use in one community: its admins' own versions over the stack's texts."""
STACK = "*"
"""The community of the stack's own texts (the defaults), which a community's own versions override."""


@dataclass(frozen=True)
class ChannelCaches:
    """What every event reads and admins seldom change, kept per process (services/kernel/cache.py):
    each community's templates in use, active webhook subscriptions and WeCom robots.
    Every instance forgets an entry when its table changes (migration 20261207030200_channel_caches)."""

    templates: Cache[Templates] = field(default_factory=lambda: Cache("templates"))
    subscriptions: Cache[tuple[asyncpg.Record, ...]] = field(default_factory=lambda: Cache("subscriptions"))
    robots: Cache[dict[int, str]] = field(default_factory=lambda: Cache("wecom_robots"))

    def all(self) -> list[Cache[Any]]:
        return [self.templates, self.subscriptions, self.robots]


class PeopleRepository:
    """Preferences and the local read copy of who reported which issue."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def preferences(self, person_id: str, default_zone: str) -> Preferences:
        """A person's preferences; the defaults, quiet hours in `default_zone`, if they never set any."""
        return await queries.preferences(self.conn, person_id, default_zone)

    async def community_of(self, person_id: str) -> str | None:
        """The community a person's preferences belong to, None if they never saved any."""
        return await queries.community_of(self.conn, person_id)

    async def save(self, prefs: Preferences, community: str, zone: str, display_name: str | None) -> None:
        """Replace a person's preferences; `zone` is stored when they have no quiet hours."""
        quiet = prefs.quiet
        await self.conn.execute(
            """
            INSERT INTO preferences (person_id, community, language, email, inbox_enabled, email_enabled,
                                     quiet_start, quiet_end, timezone, display_name, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
            ON CONFLICT (person_id) DO UPDATE SET
                display_name = coalesce(EXCLUDED.display_name, preferences.display_name),
                language = EXCLUDED.language, email = EXCLUDED.email, inbox_enabled = EXCLUDED.inbox_enabled,
                email_enabled = EXCLUDED.email_enabled, quiet_start = EXCLUDED.quiet_start,
                quiet_end = EXCLUDED.quiet_end, timezone = EXCLUDED.timezone, updated_at = now()
            """,
            prefs.person_id,
            community,
            prefs.language,
            prefs.email,
            prefs.inbox_enabled,
            prefs.email_enabled,
            quiet.start if quiet else None,
            quiet.end if quiet else None,
            quiet.timezone if quiet else zone,
            display_name,
        )

    async def display_name(self, person_id: str) -> str:
        """The name a person's token carried when they last saved their preferences, else their id."""
        name: str | None = await self.conn.fetchval(
            "SELECT display_name FROM preferences WHERE person_id = $1", person_id
        )
        return name or person_id

    async def remember_reporter(self, issue_id: uuid.UUID, reporter_id: str) -> None:
        await self.conn.execute(
            "INSERT INTO issue_reporters (issue_id, reporter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            issue_id,
            reporter_id,
        )

    async def reporter_of(self, issue_id: uuid.UUID | None) -> str | None:
        if issue_id is None:
            return None
        reporter: str | None = await self.conn.fetchval(
            "SELECT reporter_id FROM issue_reporters WHERE issue_id = $1", issue_id
        )
        return reporter


class ChannelRepository:
    """WeCom robots, message templates and webhook subscriptions; what events read of them, from the caches."""

    def __init__(self, conn: Connection, caches: ChannelCaches | None = None) -> None:
        self.conn = conn
        self.caches = caches or ChannelCaches()

    async def robot_url(self, community: str, group: int) -> str | None:
        async def load() -> dict[int, str]:
            rows = await self.conn.fetch("SELECT building_group, url FROM wecom_robots WHERE community = $1", community)
            return {r["building_group"]: r["url"] for r in rows}

        return (await self.caches.robots.get(community, load)).get(group)

    async def template(self, community: str, key: str, language: str) -> tuple[str, str]:
        """(subject, body) of a template in use in `community`: its own version, else the stack's, else the default."""

        async def load() -> Templates:
            rows = await self.conn.fetch(
                # The stack's rows first, so the community's own replace them in the dict.
                "SELECT key, language, subject, body FROM templates WHERE community IN ($1, $2)"
                " ORDER BY community = $2 DESC",
                community,
                STACK,
            )
            return {(r["key"], r["language"]): (r["subject"], r["body"]) for r in rows}

        return (await self.caches.templates.get(community, load)).get((key, language)) or DEFAULTS[key][language]

    async def put_robot(self, community: str, group: int, url: str) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            """INSERT INTO wecom_robots (community, building_group, url) VALUES ($1, $2, $3)
               ON CONFLICT (community, building_group) DO UPDATE SET url = EXCLUDED.url,
                   updated_at = CASE WHEN wecom_robots.url = EXCLUDED.url THEN wecom_robots.updated_at ELSE now() END
               RETURNING building_group, url, updated_at""",
            community,
            group,
            url,
        )
        assert row is not None
        return dict(row.items())

    async def delete_robot(self, community: str, group: int) -> None:
        await self.conn.execute(
            "DELETE FROM wecom_robots WHERE community = $1 AND building_group = $2", community, group
        )

    async def install_default_templates(self) -> None:
        """Put the default texts in the database once; an admin's edits are never overwritten."""
        rows = [
            (key, lang, subject, body) for key, texts in DEFAULTS.items() for lang, (subject, body) in texts.items()
        ]
        await self.conn.executemany(
            "INSERT INTO templates (key, language, subject, body) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            rows,
        )

    async def save_template(
        self, community: str, key: str, language: str, subject: str, body: str, by: str
    ) -> dict[str, Any]:
        """The community's own version of a template (created or replaced)."""
        row = await self.conn.fetchrow(
            """INSERT INTO templates (community, key, language, subject, body, updated_by)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (community, key, language) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
                   updated_by = EXCLUDED.updated_by, updated_at = now()
               RETURNING *""",
            community,
            key,
            language,
            subject,
            body,
            by,
        )
        assert row is not None
        return dict(row.items())

    async def reset_template(self, community: str, key: str, language: str) -> bool:
        """Drop the community's own version (the stack's text is used again); False if it had none."""
        deleted = await self.conn.fetchval(
            "DELETE FROM templates WHERE community = $1 AND key = $2 AND language = $3 RETURNING 1",
            community,
            key,
            language,
        )
        return deleted is not None

    async def active_subscriptions(self, community: str) -> Sequence[asyncpg.Record]:
        """Id and event types of the community's active subscriptions, oldest first (read per event)."""

        async def load() -> tuple[asyncpg.Record, ...]:
            return tuple(
                await self.conn.fetch(
                    "SELECT id, event_types FROM subscriptions WHERE community = $1 AND active ORDER BY created_at",
                    community,
                )
            )

        return await self.caches.subscriptions.get(community, load)

    async def subscription_for_update(self, subscription_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            f"SELECT {SUB_COLUMNS} FROM subscriptions WHERE id = $1 FOR UPDATE", subscription_id
        )
        return dict(row.items()) if row else None

    async def add_subscription(
        self,
        *,
        community: str,
        url: str,
        event_types: Sequence[str],
        description: str | None,
        secret: str,
        created_by: str,
        at: datetime,
    ) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            f"""INSERT INTO subscriptions (id, community, url, event_types, description, secret, created_by,
                                           created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {SUB_COLUMNS}""",
            uuid.uuid4(),
            community,
            url,
            list(event_types),
            description,
            secret,
            created_by,
            at,
        )
        assert row is not None
        return dict(row.items())

    async def deactivate(self, subscription_id: uuid.UUID) -> None:
        await self.conn.execute("UPDATE subscriptions SET active = false WHERE id = $1", subscription_id)

    async def rotate_secret(
        self, subscription_id: uuid.UUID, secret: str, previous_expires: datetime
    ) -> dict[str, Any]:
        row = await self.conn.fetchrow(
            f"""UPDATE subscriptions SET previous_secret = secret, secret = $2, previous_secret_expires = $3
                WHERE id = $1 RETURNING {SUB_COLUMNS}""",
            subscription_id,
            secret,
            previous_expires,
        )
        assert row is not None
        return dict(row.items())


_CLAIM = """
UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = $2
FROM (SELECT id FROM notifications
      WHERE status = 'pending' AND next_attempt_at <= $1
      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
WHERE n.id = due.id
RETURNING n.*
"""


class NotificationRepository:
    """The notifications: inbox items and the queue of e-mails, WeCom messages and webhook deliveries."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def insert(
        self,
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
        notification_id: uuid.UUID | None = await self.conn.fetchval(
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

    # -- the inbox ------------------------------------------------------------------------

    async def mark_read(
        self, item_id: uuid.UUID, person_id: str, community: str, at: datetime
    ) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            f"""UPDATE notifications SET read_at = coalesce(read_at, $4)
                WHERE id = $1 AND recipient = $2 AND community = $3 AND channel = 'inbox'
                RETURNING {INBOX_COLUMNS}""",
            item_id,
            person_id,
            community,
            at,
        )
        return dict(row.items()) if row else None

    async def mark_all_read(self, person_id: str, community: str, at: datetime) -> None:
        await self.conn.execute(
            """UPDATE notifications SET read_at = $3
               WHERE recipient = $1 AND community = $2 AND channel = 'inbox' AND read_at IS NULL""",
            person_id,
            community,
            at,
        )

    # -- the delivery queue ---------------------------------------------------------------

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[asyncpg.Record]:
        """Due deliveries no other worker holds, hidden from the others until `lease_until` (one statement)."""
        return list(await self.conn.fetch(_CLAIM, now, lease_until, limit))

    async def take_robot_slot(
        self, notification_id: uuid.UUID, robot: str, now: datetime, window: timedelta, limit: int
    ) -> bool:
        """One of `limit` sends per window of a robot, counted for every instance under the robot's lock;
        over the rate the delivery moves to the next window without counting as a try."""
        await self.conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", robot)
        await self.conn.execute("DELETE FROM wecom_sends WHERE robot = $1 AND sent_at <= $2", robot, now - window)
        counted = await self.conn.fetchrow("SELECT count(*), min(sent_at) FROM wecom_sends WHERE robot = $1", robot)
        assert counted is not None
        sent, oldest = counted[0], counted[1]
        if sent >= limit:
            await self.conn.execute(
                """UPDATE notifications SET attempts = attempts - 1, next_attempt_at = $2
                   WHERE id = $1 AND status = 'pending'""",
                notification_id,
                oldest + window,
            )
            return False
        await self.conn.execute("INSERT INTO wecom_sends (robot, sent_at) VALUES ($1, $2)", robot, now)
        return True

    async def lock_for_outcome(self, notification_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.conn.fetchrow(
            "SELECT status, attempts, retry_from FROM notifications WHERE id = $1 FOR UPDATE", notification_id
        )

    async def record_attempt(
        self,
        notification_id: uuid.UUID,
        attempt: int,
        at: datetime,
        ok: bool,
        status_code: int | None,
        error: str | None,
        duration_ms: int,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO delivery_attempts (notification_id, attempt, at, ok, status_code, error, duration_ms)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            notification_id,
            attempt,
            at,
            ok,
            status_code,
            error,
            duration_ms,
        )

    async def mark_delivered(self, notification_id: uuid.UUID, at: datetime) -> None:
        await self.conn.execute(
            """UPDATE notifications SET status = 'delivered', delivered_at = $2, next_attempt_at = NULL,
               last_error = NULL WHERE id = $1""",
            notification_id,
            at,
        )

    async def retry_at(self, notification_id: uuid.UUID, at: datetime, error: str | None) -> None:
        await self.conn.execute(
            "UPDATE notifications SET next_attempt_at = $2, last_error = $3 WHERE id = $1", notification_id, at, error
        )

    async def mark_failed(self, notification_id: uuid.UUID, error: str | None) -> None:
        await self.conn.execute(
            "UPDATE notifications SET status = 'failed', next_attempt_at = NULL, last_error = $2 WHERE id = $1",
            notification_id,
            error,
        )

    async def webhook_delivery_for_update(
        self, subscription_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> dict[str, Any] | None:
        row = await self.conn.fetchrow(
            f"""SELECT {DELIVERY_COLUMNS} FROM notifications
                WHERE id = $1 AND recipient = $2 AND channel = 'webhook' FOR UPDATE""",
            delivery_id,
            str(subscription_id),
        )
        return dict(row.items()) if row else None

    async def send_again(self, notification_id: uuid.UUID, at: datetime) -> None:
        """Queue a finished delivery again with a fresh retry window."""
        await self.conn.execute(
            """UPDATE notifications SET status = 'pending', next_attempt_at = $2, retry_from = $2
               WHERE id = $1 AND status <> 'pending'""",
            notification_id,
            at,
        )


class ReminderRepository:
    """Stored reminders and the tombstones of cancelled sessions and shifts."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def ref_cancelled(self, kind: str, ref_id: uuid.UUID) -> bool:
        return bool(
            await self.conn.fetchval("SELECT true FROM cancelled_refs WHERE kind = $1 AND ref_id = $2", kind, ref_id)
        )

    async def schedule(self, rows: list[tuple[Any, ...]]) -> None:
        """(id, community, kind, ref_id, recipient, offset_label, fire_at, data, signup_id) rows.

        A reminder cancelled with an earlier sign-up comes back with a new one; the cancellation of
        this very sign-up (arrived first) stays; a fired reminder stays fired."""
        await self.conn.executemany(
            """
            INSERT INTO reminders (id, community, kind, ref_id, recipient, offset_label, fire_at, data, signup_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (kind, ref_id, recipient, offset_label)
            DO UPDATE SET status = 'pending', fire_at = EXCLUDED.fire_at, data = EXCLUDED.data,
                          signup_id = EXCLUDED.signup_id
            WHERE reminders.status = 'cancelled' AND reminders.signup_id IS DISTINCT FROM EXCLUDED.signup_id
            """,
            rows,
        )

    async def cancel_ref(self, kind: str, ref_id: uuid.UUID) -> None:
        """The whole session or shift is off: a tombstone for reminders that come later, and the pending ones go."""
        await self.conn.execute(
            "INSERT INTO cancelled_refs (kind, ref_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", kind, ref_id
        )
        await self.conn.execute(
            "UPDATE reminders SET status = 'cancelled' WHERE kind = $1 AND ref_id = $2 AND status = 'pending'",
            kind,
            ref_id,
        )

    async def cancel_signup(self, kind: str, ref_id: uuid.UUID, signup_id: uuid.UUID) -> int:
        """Cancel the pending reminders of one sign-up; how many there were."""
        cancelled = await self.conn.execute(
            """UPDATE reminders SET status = 'cancelled'
               WHERE kind = $1 AND ref_id = $2 AND signup_id = $3 AND status = 'pending'""",
            kind,
            ref_id,
            signup_id,
        )
        return int(cancelled.rsplit(" ", 1)[-1])

    async def tombstone(
        self,
        reminder_id: uuid.UUID,
        community: str,
        kind: str,
        ref_id: uuid.UUID,
        recipient: str,
        label: str,
        signup_id: uuid.UUID,
    ) -> None:
        await self.conn.execute(
            """INSERT INTO reminders (id, community, kind, ref_id, recipient, offset_label, fire_at, data,
                                      signup_id, status)
               VALUES ($1, $2, $3, $4, $5, $6, now(), '{}', $7, 'cancelled') ON CONFLICT DO NOTHING""",
            reminder_id,
            community,
            kind,
            ref_id,
            recipient,
            label,
            signup_id,
        )

    async def claim_due(self, now: datetime, limit: int) -> list[asyncpg.Record]:
        """Due reminders, locked for this transaction; other instances skip them."""
        return list(
            await self.conn.fetch(
                """SELECT * FROM reminders WHERE status = 'pending' AND fire_at <= $1
                   ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
                now,
                limit,
            )
        )

    async def mark_fired(self, reminder_id: uuid.UUID) -> None:
        await self.conn.execute("UPDATE reminders SET status = 'fired' WHERE id = $1", reminder_id)
