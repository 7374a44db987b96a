"""Timed reminders: stored rows (they survive restarts), fired by the background loop.

Several instances may fire at once: each claims due rows with FOR UPDATE SKIP LOCKED and
marks them fired in the same transaction that queues the messages.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.kernel.db import Connection
from services.notifications.domain import routing
from services.notifications.domain.templates import reminder_context
from services.notifications.service_layer.messages import Messenger, Source


async def apply(
    conn: Connection, community: str, change: routing.ScheduleReminders | routing.CancelReminders, now: datetime
) -> None:
    if isinstance(change, routing.CancelReminders):
        await conn.execute(
            """UPDATE reminders SET status = 'cancelled'
               WHERE kind = $1 AND ref_id = $2 AND status = 'pending' AND ($3::text IS NULL OR recipient = $3)""",
            change.kind,
            change.ref_id,
            change.recipient,
        )
        return
    rows = []
    for recipient in change.recipients:
        for label, before in change.offsets:
            fire_at = change.starts_at - before
            if fire_at <= now:
                continue  # too late for this reminder: the event itself was the notice
            rid = routing.reminder_id(change.kind, change.ref_id, recipient, label)
            rows.append((rid, community, change.kind, change.ref_id, recipient, label, fire_at, change.data))
    # A reminder cancelled earlier (sign-up withdrawn, then made again) comes back; a fired one stays fired.
    await conn.executemany(
        """
        INSERT INTO reminders (id, community, kind, ref_id, recipient, offset_label, fire_at, data)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (kind, ref_id, recipient, offset_label)
        DO UPDATE SET status = 'pending', fire_at = EXCLUDED.fire_at, data = EXCLUDED.data
        WHERE reminders.status <> 'fired'
        """,
        rows,
    )


async def fire_due(pool: asyncpg.Pool, messenger: Messenger, batch: int = 100) -> int:
    """Queue the messages of every reminder that is due; returns how many fired."""
    timezone = messenger.settings.notifications_timezone
    async with pool.acquire() as conn, conn.transaction():
        due = await conn.fetch(
            """SELECT * FROM reminders WHERE status = 'pending' AND fire_at <= $1
               ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
            messenger.clock.now(),
            batch,
        )
        for row in due:
            key = routing.reminder_template(row["kind"], row["offset_label"])
            data, label = row["data"], row["offset_label"]
            source = Source(row["id"], f"linli.reminder.{row['kind']}.{label}", row["community"])

            def context_for(language: str, data: dict[str, str] = data, label: str = label) -> dict[str, str]:
                return reminder_context(data, label, language, timezone)

            await messenger.to_person(conn, source, row["recipient"], key, context_for, key in routing.URGENT)
            await conn.execute("UPDATE reminders SET status = 'fired' WHERE id = $1", row["id"])
    return len(due)
