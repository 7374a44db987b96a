"""Scheduling: the first-Friday sessions of every council, a few months ahead, exactly once.

Runs when the service starts, when a council is created and in a background loop. Several
instances may run it at once: the unique key (council, regular date) lets only one insert
each session, and only the inserting transaction emits session.scheduled.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts.enums import CouncilKind
from contracts.events.deliberation import SessionEvent, SessionScheduled
from services.deliberation.adapters.rows import Row
from services.deliberation.domain.calendar import local_day, regular_slots
from services.deliberation.service_layer.unit_of_work import DeliberationUnitOfWork

log = logging.getLogger("linli.deliberation.scheduling")


async def session_event(
    uow: DeliberationUnitOfWork, session: Row, cls: type[SessionEvent], **extra: object
) -> SessionEvent:
    """A session event naming the members and observers to be told."""
    members = await uow.repo.member_ids(session["council_id"], local_day(session["starts_at"], session["timezone"]))
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


async def announce(uow: DeliberationUnitOfWork, session: Row, cls: type[SessionEvent], **extra: object) -> None:
    """Record a session event in the unit of work's transaction."""
    event = await session_event(uow, session, cls, **extra)
    await uow.emit(event, community=session["community"], subject=session["id"])


def regular_title(council: Row, starts_at: datetime) -> str:
    local = starts_at.astimezone(ZoneInfo(council["timezone"]))
    return f"{council['name']} {local.year}年{local.month}月例会 / Monthly session {local:%Y-%m}"


async def schedule_council(uow: DeliberationUnitOfWork, council: Row) -> list[uuid.UUID]:
    """Add the council's missing regular sessions, from the unit of work's now; returns the new ids."""
    async with uow:
        now = uow.now()
        created = []
        slots = regular_slots(
            now,
            months_ahead=uow.settings.deliberation_months_ahead,
            at=council["meeting_time"],
            timezone=council["timezone"],
            duration=timedelta(minutes=council["duration_minutes"]),
        )
        for slot in slots:
            session = await uow.repo.insert_session(
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
            await announce(uow, session, SessionScheduled)
            created.append(session["id"])
        await place_waiting(uow, council)
        return created


async def place_waiting(uow: DeliberationUnitOfWork, council: Row) -> None:
    """Items waiting for a session go onto the council's next scheduled one, if there is one."""
    upcoming = await uow.repo.next_scheduled_session(council["id"], uow.now())
    if upcoming is not None:
        await uow.repo.place_waiting_items(council, upcoming)


async def schedule_all(new_uow: Callable[[], DeliberationUnitOfWork]) -> int:
    """One scheduling pass over every council, one transaction per council; returns how many sessions it added."""
    async with new_uow() as uow:
        ids = await uow.repo.council_ids()
    count = 0
    for council_id in ids:
        async with new_uow() as uow:
            council = await uow.repo.council(council_id)
            if council is not None:
                count += len(await schedule_council(uow, council))
    return count
