"""Scheduling: the first-Friday sessions of every council, a few months ahead, exactly once.

Runs when the service starts, when a council is created and in a background loop. Several
instances may run it at once: the unique key (council, regular date) lets only one insert
each session, and only the inserting transaction emits session.scheduled.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from contracts.enums import CouncilKind
from contracts.events.deliberation import SessionEvent, SessionScheduled
from services.deliberation.adapters import councils as council_db
from services.deliberation.adapters import sessions as session_db
from services.deliberation.domain.calendar import regular_slots
from services.deliberation.settings import DeliberationSettings
from services.kernel.db import Connection
from services.kernel.outbox import Outbox

log = logging.getLogger("linli.deliberation.scheduling")


async def session_event(
    conn: Connection, session: asyncpg.Record, cls: type[SessionEvent], **extra: object
) -> SessionEvent:
    """A session event naming the members and observers to be told."""
    members = await council_db.member_ids(conn, session["council_id"], session_db.local_day(session))
    return cls(
        session_id=session["id"],
        council_id=session["council_id"],
        council_kind=CouncilKind(session["council_kind"]),
        title=session["title"],
        starts_at=session["starts_at"],
        ends_at=session["ends_at"],
        mode=session["mode"],
        location=session["location"],
        member_ids=members,
        **extra,
    )


def regular_title(council: asyncpg.Record, starts_at: datetime) -> str:
    local = starts_at.astimezone(ZoneInfo(council["timezone"]))
    return f"{council['name']} {local.year}年{local.month}月例会 / Monthly session {local:%Y-%m}"


async def schedule_council(
    conn: Connection, outbox: Outbox, council: asyncpg.Record, settings: DeliberationSettings, now: datetime
) -> list[uuid.UUID]:
    """Insert the council's missing regular sessions (inside the caller's transaction); returns new ids."""
    created = []
    slots = regular_slots(
        now,
        months_ahead=settings.deliberation_months_ahead,
        at=council["meeting_time"],
        timezone=council["timezone"],
        duration=timedelta(minutes=council["duration_minutes"]),
    )
    for slot in slots:
        session = await session_db.insert_session(
            conn,
            {
                "id": uuid.uuid4(),
                "council_id": council["id"],
                "community": council["community"],
                "title": regular_title(council, slot.starts_at),
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "mode": council["default_mode"],
                "location": council["location"],
                "regular_date": slot.day,
            },
            regular=True,
        )
        if session is None:
            continue
        await outbox.emit(
            conn,
            await session_event(conn, session, SessionScheduled),
            community=council["community"],
            subject=session["id"],
        )
        created.append(session["id"])
    await place_waiting(conn, council, now)
    return created


async def place_waiting(conn: Connection, council: asyncpg.Record, now: datetime) -> None:
    """Items waiting for a session go onto the council's next scheduled one, if there is one."""
    upcoming = await session_db.next_scheduled_session(conn, council["id"], now)
    if upcoming is not None:
        await session_db.place_waiting_items(conn, council, upcoming["id"])


async def schedule_all(pool: asyncpg.Pool, outbox: Outbox, settings: DeliberationSettings) -> int:
    """One scheduling pass over every council, one transaction per council."""
    count = 0
    async with pool.acquire() as conn:
        ids = await council_db.all_council_ids(conn)
        for council_id in ids:
            async with conn.transaction():
                council = await council_db.get_council(conn, council_id)
                if council is not None:
                    count += len(await schedule_council(conn, outbox, council, settings, datetime.now(UTC)))
    return count


async def scheduling_loop(pool: asyncpg.Pool, outbox: Outbox, settings: DeliberationSettings) -> None:
    while True:
        await asyncio.sleep(settings.deliberation_schedule_interval)
        created = await schedule_all(pool, outbox, settings)
        if created:
            log.info("scheduled %d sessions", created)
