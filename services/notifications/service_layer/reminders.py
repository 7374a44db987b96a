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
    """Schedule or cancel reminders; correct whatever order the events of different types arrive in."""
    if isinstance(change, routing.CancelReminders):
        await _cancel(conn, community, change)
        return
    if await conn.fetchval(
        "SELECT true FROM cancelled_refs WHERE kind = $1 AND ref_id = $2", change.kind, change.ref_id
    ):
        return  # the session or shift was cancelled before we heard it was scheduled
    rows = []
    for recipient in change.recipients:
        for label, before in change.offsets:
            fire_at = change.starts_at - before
            if fire_at <= now:
                continue  # too late for this reminder: the event itself was the notice
            rid = routing.reminder_id(change.kind, change.ref_id, recipient, label)
            rows.append(
                (rid, community, change.kind, change.ref_id, recipient, label, fire_at, change.data, change.signup_id)
            )
    # A reminder cancelled with an earlier sign-up comes back with a new one; the cancellation of
    # this very sign-up (arrived first) stays; a fired reminder stays fired.
    await conn.executemany(
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


async def _cancel(conn: Connection, community: str, change: routing.CancelReminders) -> None:
    if change.signup_id is None:
        await conn.execute(
            "INSERT INTO cancelled_refs (kind, ref_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            change.kind,
            change.ref_id,
        )
        await conn.execute(
            "UPDATE reminders SET status = 'cancelled' WHERE kind = $1 AND ref_id = $2 AND status = 'pending'",
            change.kind,
            change.ref_id,
        )
        return
    cancelled = await conn.execute(
        """UPDATE reminders SET status = 'cancelled'
           WHERE kind = $1 AND ref_id = $2 AND signup_id = $3 AND status = 'pending'""",
        change.kind,
        change.ref_id,
        change.signup_id,
    )
    if cancelled.endswith(" 0") and change.recipient:
        # The sign-up is withdrawn before we heard of it: leave a tombstone it cannot revive.
        for label, _ in routing.SHIFT_OFFSETS:
            await conn.execute(
                """INSERT INTO reminders (id, community, kind, ref_id, recipient, offset_label, fire_at, data,
                                          signup_id, status)
                   VALUES ($1, $2, $3, $4, $5, $6, now(), '{}', $7, 'cancelled') ON CONFLICT DO NOTHING""",
                routing.reminder_id(change.kind, change.ref_id, change.recipient, label),
                community,
                change.kind,
                change.ref_id,
                change.recipient,
                label,
                change.signup_id,
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
