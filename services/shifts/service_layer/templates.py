"""Recurring templates: generating concrete shifts ahead, and editing without touching signed-up shifts."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import asyncpg

from services.kernel.clock import LOCAL
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.domain.recurrence import Recurrence, occurrences
from services.shifts.service_layer import events
from services.shifts.service_layer.shifts import NewShift, schedule

log = logging.getLogger("linli.shifts.templates")


def recurrence_of(template: Row) -> Recurrence:
    return Recurrence(
        weekdays=frozenset(template["weekdays"]),
        start_time=template["start_time"],
        end_time=template["end_time"],
        valid_from=template["valid_from"],
        valid_until=template["valid_until"],
    )


async def generate(conn: Connection, outbox: Outbox, *, template_id: uuid.UUID, now: datetime, weeks: int) -> list[Row]:
    """Create the template's future shifts up to `weeks` ahead; each start at most once, ever."""
    template = await conn.fetchrow(
        """SELECT t.*, p.post_type FROM templates t JOIN posts p ON p.id = t.post_id
           WHERE t.id = $1 FOR UPDATE OF t""",
        template_id,
    )
    if template is None or not template["active"]:
        return []
    today = now.astimezone(LOCAL).date()
    # A day that still has a shift of this template (kept because someone signed up, or cancelled
    # by a leader) is not generated again, even if the edited template moved its time.
    taken = {
        r["day"]
        for r in await conn.fetch(
            """SELECT (starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day FROM shifts
               WHERE template_id = $1 AND starts_at >= $2""",
            template_id,
            now - timedelta(days=1),
        )
    }
    created: list[Row] = []
    for starts_at, ends_at in occurrences(recurrence_of(template), today, today + timedelta(weeks=weeks)):
        if starts_at <= now or starts_at.date() in taken:
            continue
        shift = await schedule(
            conn,
            outbox,
            community=template["community"],
            new=NewShift(
                post_id=template["post_id"],
                post_type=template["post_type"],
                title=template["title"],
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=template["capacity"],
                min_party_members=template["min_party_members"],
                location=template["location"],
                notes=template["notes"],
                template_id=template_id,
            ),
            by=template["created_by"],
        )
        if shift is not None:
            created.append(shift)
    return created


async def withdraw_untouched(conn: Connection, outbox: Outbox, *, template_id: uuid.UUID, now: datetime) -> int:
    """Remove the template's future shifts that nobody ever signed up for (so they can be regenerated
    from the edited template); shifts with any sign-up, even a cancelled one, stay as they are."""
    rows = await conn.fetch(
        f"""SELECT {repo.SHIFT_COLUMNS} FROM shifts s JOIN posts p ON p.id = s.post_id
            WHERE s.template_id = $1 AND s.starts_at > $2 AND s.status = 'scheduled'
              -- The counters live on the row, so the lock's re-check sees a sign-up that committed
              -- meanwhile; the NOT EXISTS keeps shifts that ever had one (now cancelled) too.
              AND s.confirmed_count = 0 AND s.waitlist_count = 0
              AND NOT EXISTS (SELECT 1 FROM signups su WHERE su.shift_id = s.id)
            FOR UPDATE OF s""",
        template_id,
        now,
    )
    for shift in rows:
        await outbox.emit(
            conn,
            events.cancelled(shift, "The recurring template was changed / 周期模板已修改", []),
            community=shift["community"],
            subject=shift["id"],
        )
    await conn.execute("DELETE FROM shifts WHERE id = ANY($1::uuid[])", [s["id"] for s in rows])
    return len(rows)


async def generate_all(pool: asyncpg.Pool, outbox: Outbox, *, now: datetime, weeks: int) -> int:
    """One pass of the background generator over every active template, one transaction each."""
    ids = [r["id"] for r in await pool.fetch("SELECT id FROM templates WHERE active ORDER BY id")]
    total = 0
    for template_id in ids:
        async with pool.acquire() as conn, conn.transaction():
            total += len(await generate(conn, outbox, template_id=template_id, now=now, weeks=weeks))
    if total:
        log.info("generated %d shifts from templates", total)
    return total
