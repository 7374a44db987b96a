"""Scheduling and cancelling concrete shifts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.kernel.problems import BadRequest
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.domain.rules import Reason, RuleBroken
from services.shifts.service_layer import events


@dataclass(frozen=True)
class NewShift:
    post_id: uuid.UUID
    post_type: str
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    min_party_members: int = 0
    location: str | None = None
    notes: str | None = None
    template_id: uuid.UUID | None = None


MIN_LENGTH = timedelta(minutes=15)
MAX_LENGTH = timedelta(hours=24)


def validate(new: NewShift) -> None:
    if new.ends_at <= new.starts_at:
        raise BadRequest("A shift must end after it starts.", detail_zh="结束时间须晚于开始时间。")
    if not MIN_LENGTH <= new.ends_at - new.starts_at <= MAX_LENGTH:
        raise BadRequest("A shift lasts from 15 minutes to 24 hours.", detail_zh="班次时长须在 15 分钟至 24 小时之间。")
    if new.min_party_members > new.capacity:
        raise BadRequest(
            "The minimum number of party members cannot exceed the capacity.", detail_zh="党员最低人数不能超过名额。"
        )


async def schedule(conn: Connection, outbox: Outbox, *, community: str, new: NewShift, by: str) -> Row | None:
    """Insert a shift and emit shift.scheduled; a template's second try at the same start inserts
    nothing and returns None (unique template and start)."""
    validate(new)
    row = await conn.fetchrow(
        """INSERT INTO shifts (id, community, post_id, template_id, title, starts_at, ends_at, location, capacity,
                               min_party_members, notes, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (template_id, starts_at) DO NOTHING RETURNING id""",
        uuid.uuid4(),
        community,
        new.post_id,
        new.template_id,
        new.title,
        new.starts_at,
        new.ends_at,
        new.location,
        new.capacity,
        new.min_party_members,
        new.notes,
        by,
    )
    if row is None:
        return None
    shift = await repo.shift(conn, community, row["id"])
    assert shift is not None
    volunteers = await repo.post_volunteer_ids(conn, community, new.post_id)
    await outbox.emit(
        conn, events.scheduled(shift, new.post_type, volunteers), community=community, subject=shift["id"]
    )
    return shift


async def cancel(
    conn: Connection, outbox: Outbox, *, community: str, shift_id: uuid.UUID, reason: str | None, now: datetime
) -> Row:
    from services.shifts.service_layer.signups import locked_shift

    shift = await locked_shift(conn, community, shift_id)
    if shift["status"] == "cancelled":
        return shift
    if now >= shift["ends_at"]:
        raise RuleBroken(Reason.ENDED, "A shift that has ended cannot be cancelled.", "已结束的班次不能取消。")
    signed_up = await repo.signed_up_ids(conn, shift_id)
    await conn.execute("UPDATE shifts SET status = 'cancelled', cancel_reason = $2 WHERE id = $1", shift_id, reason)
    await outbox.emit(conn, events.cancelled(shift, reason, signed_up), community=community, subject=shift_id)
    updated = await repo.shift(conn, community, shift_id)
    assert updated is not None
    return updated


async def amend(
    conn: Connection,
    outbox: Outbox,
    *,
    community: str,
    shift_id: uuid.UUID,
    changes: dict[str, object],
    now: datetime,
) -> tuple[Row, list[Row]]:
    """Change a shift's details or places; more places promote from the waitlist at once."""
    from services.shifts.service_layer.signups import locked_shift, promote

    shift = await locked_shift(conn, community, shift_id)
    if shift["status"] == "cancelled" or now >= shift["ends_at"]:
        raise RuleBroken(
            Reason.ENDED, "A cancelled or ended shift cannot be changed.", "已取消或已结束的班次不能修改。"
        )
    capacity = int(str(changes.get("capacity", shift["capacity"])))
    min_party = int(str(changes.get("min_party_members", shift["min_party_members"])))
    if capacity < shift["confirmed_count"]:
        raise RuleBroken(
            Reason.CAPACITY_BELOW_CONFIRMED,
            f"{shift['confirmed_count']} volunteers are confirmed; cancel sign-ups before lowering the capacity.",
            "已确认人数超过新名额，请先取消部分报名。",
            confirmed_count=shift["confirmed_count"],
        )
    if min_party > capacity:
        raise BadRequest(
            "The minimum number of party members cannot exceed the capacity.", detail_zh="党员最低人数不能超过名额。"
        )
    await conn.execute(
        """UPDATE shifts SET title = $2, location = $3, notes = $4, capacity = $5, min_party_members = $6
           WHERE id = $1""",
        shift_id,
        changes.get("title", shift["title"]),
        changes.get("location", shift["location"]),
        changes.get("notes", shift["notes"]),
        capacity,
        min_party,
    )
    promoted = await promote(conn, outbox, community=community, shift_id=shift_id, now=now)
    updated = await repo.shift(conn, community, shift_id)
    assert updated is not None
    return updated, promoted
